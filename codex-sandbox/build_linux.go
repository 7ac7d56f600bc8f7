package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/selfexec"
)

// buildCmd re-executes this binary as codex-linux-sandbox with the Codex
// helper flags; the helper restricts itself and execs the command, and
// reports what it enforced on file descriptor 3.
func buildCmd(j job) (*exec.Cmd, reportPipe, error) {
	policy, err := json.Marshal(j.plan.Policy)
	if err != nil {
		return nil, reportPipe{}, fmt.Errorf("encode policy: %w", err)
	}
	args := append([]string{
		"--sandbox-policy-cwd", j.plan.PolicyCwd,
		"--sandbox-policy", string(policy),
		"--command-cwd", j.plan.CommandCwd,
		"--report-fd", "3",
		"--",
	}, j.argv...)
	// The supervisor ends the child itself; no context here.
	cmd, err := selfexec.Command(context.Background(), linuxsandbox.ToolName, args...)
	if err != nil {
		return nil, reportPipe{}, fmt.Errorf("find own executable: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, reportPipe{}, fmt.Errorf("report pipe: %w", err)
	}
	cmd.ExtraFiles = []*os.File{w}
	return cmd, reportPipe{r: r, w: w}, nil
}
