// Package login runs `codex-login status [--json]` from the fused
// binary's initialiser, once the packages codex-login/status imports are
// initialised and before the rest (see package early). Status decides
// what it cannot answer alone (an access token login, which needs the
// network; help; flag errors), and the dispatcher then runs it.
package login

import (
	"context"
	"io"
	"os"

	"github.com/codexgo/codex-login/status"
	"github.com/codexgo/codex/internal/early/signals"
	"github.com/codexgo/common/selfexec"
)

// ToolName is login.ToolName, which this package cannot import (package
// login imports net/http); were they to differ, TestEarlyMatchesBundle
// would find none of its codex-login cases run.
const ToolName = "codex-login"

func init() {
	if code, ok := Run(signals.Context, os.Args, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
}

// Run runs argv (argv[0] included) if it is `codex-login status ...`
// and status can answer it alone, with the context signals makes. It
// reports false, having printed nothing, for anything else.
func Run(signals func() context.Context, argv []string, stdout, stderr io.Writer) (code int, handled bool) {
	if len(argv) < 2 || selfexec.Name(argv[0]) != ToolName || argv[1] != "status" {
		return 0, false
	}
	env := status.Env{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	return status.Command(signals(), argv[1:], env)
}
