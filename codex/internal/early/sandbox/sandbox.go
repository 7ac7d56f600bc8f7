// Package sandbox runs codex-sandbox and its helper, codex-linux-sandbox,
// from the fused binary's initialiser, once the packages they import are
// initialised and before the rest (see package early). It imports the
// sandbox alone, so that moment comes as soon as it can: neither the
// policy checker's Starlark and shell parser nor the login's files wait
// ahead of it.
package sandbox

import (
	"io"
	"os"

	codexsandbox "github.com/codexgo/codex-sandbox"
)

func init() {
	if code, ok := Run(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
}

// Run runs argv (argv[0] included) if argv[0] names codex-sandbox or
// codex-linux-sandbox (or asks for the helper in the way the sandbox
// re-executes it), as their standalone mains do: the helper before any
// signal set-up, which it must not pay for; the sandbox catches its own
// signals. It reports false, having done nothing, for anything else.
func Run(argv []string, stdin io.Reader, stdout, stderr io.Writer) (code int, handled bool) {
	if len(argv) == 0 {
		return 0, false
	}
	return codexsandbox.BecomeHelperIfRequested(argv, stdin, stdout, stderr)
}
