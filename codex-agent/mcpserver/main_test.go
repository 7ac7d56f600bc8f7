package mcpserver

import (
	"fmt"
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
	mounts := proctest.HostMounts()
	code := m.Run()
	if err := mounts(); err != nil {
		// A sandbox's mount made outside its namespace.
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		code = 1
	}
	os.Exit(code)
}
