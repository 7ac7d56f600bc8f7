// Package policy runs codex-execpolicy from the fused binary's
// initialiser, once the packages it imports are initialised and before
// the rest (see package early).
package policy

import (
	"context"
	"io"
	"os"

	execpolicy "github.com/codexgo/codex-execpolicy"
	"github.com/codexgo/codex/internal/early/signals"
	"github.com/codexgo/common/selfexec"
)

func init() {
	if code, ok := Run(signals.Context, os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
}

// Run runs argv (argv[0] included) if argv[0] names codex-execpolicy,
// with the context signals makes. It reports false, having done nothing,
// for anything else.
func Run(signals func() context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer) (code int, handled bool) {
	if len(argv) == 0 || selfexec.Name(argv[0]) != execpolicy.ToolName {
		return 0, false
	}
	return execpolicy.Main(signals(), argv[1:], stdin, stdout, stderr), true
}
