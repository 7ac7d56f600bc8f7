package sandbox

import (
	"context"
	"fmt"
	"io"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
)

// explain asks the helper, started exactly as for a real run (user
// namespace included where one is used), what it would enforce, so the
// answer is what a command would really get.
func explain(plan *linuxsandbox.Plan, env []string, stdout, stderr io.Writer) int {
	out := supervise(context.Background(), job{plan: plan, env: env, stdout: stdout, stderr: stderr, explain: true})
	if out.err != "" {
		fmt.Fprintf(stderr, "%s: %s\n", ToolName, out.err)
	}
	return out.exitCode
}
