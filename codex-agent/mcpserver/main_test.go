package mcpserver

import (
	"os"
	"testing"

	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/proctest"
)

// TestMain lets the test binary be the codex-sandbox supervisor the
// agent's runners re-execute for every command (sandboxed or not).
func TestMain(m *testing.M) {
	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	code := proctest.Run(m)
	os.Exit(code)
}
