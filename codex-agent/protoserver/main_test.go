package protoserver_test

import (
	"os"
	"testing"

	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/proctest"
)

// TestMain lets the test binary act as codex-sandbox and its Linux helper
// when agent.SandboxRunner re-executes it.
func TestMain(m *testing.M) {
	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	code := proctest.Run(m)
	os.Exit(code)
}
