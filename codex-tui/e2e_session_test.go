package tui

import (
	"strings"
	"testing"
)

// TestE2ENewAfterTurn: /new after a turn starts a new conversation (a new
// session header, a working composer); the old agent's shutdown does not
// end the program.
func TestE2ENewAfterTurn(t *testing.T) {
	tm := startTerm(t, 100, 40, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "hi there")
	tm.keys("Enter")
	tm.waitFor(`You said: hi there(?s).*echo fenced`)
	tm.keys("-l", "/new")
	tm.waitFor(`› /new`)
	tm.keys("Enter")
	tm.waitFor(`(?s)echo fenced.*>_ Codex.*› Ask Codex`)
	tm.keys("-l", "second conversation")
	tm.keys("Enter")
	s := tm.waitFor(`You said: second conversation`)
	if strings.Contains(s, "codex-tui exited") || strings.Contains(s, "the agent exited") {
		t.Fatalf("the program ended:\n%s", s)
	}
	tm.keys("C-d")
	tm.waitExit(0)
}
