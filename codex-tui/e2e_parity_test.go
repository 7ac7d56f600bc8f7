package tui

import "testing"

// TestE2ESteerAndQueue: in a real terminal, Enter during a turn steers it
// (the agent's answer names the steered text, which is printed as the
// user's message), Tab queues a message that goes as the next turn once
// the running one ends.
func TestE2ESteerAndQueue(t *testing.T) {
	tm := startTerm(t, 100, 40, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "hold on")
	tm.keys("Enter")
	tm.waitFor(`Holding\.`)
	tm.keys("-l", "queued for later")
	tm.waitFor(`tab to queue message`)
	tm.keys("Tab")
	tm.waitFor(`↳ queued for later\s+queued: sent when the turn ends`)
	tm.keys("-l", "use the fast path")
	tm.keys("Enter")
	tm.waitFor(`(?s)Holding\..*› use the fast path.*Steered by: use the fast path`)
	// The turn ended: the queued message is the next turn.
	tm.waitFor(`(?s)Steered by: use the fast path.*› queued for later.*You said: queued for later`)
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2EReviewStart: /review's first preset runs review/start; the
// review's start, its findings and its end are printed as the Codex CLI
// prints them.
func TestE2EReviewStart(t *testing.T) {
	tm := startTerm(t, 100, 40, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "/review")
	tm.keys("Enter")
	tm.waitFor(`Select a review preset`)
	tm.keys("1")
	tm.waitFor(`(?s)› /review uncommitted changes.*>> Code review started: current changes <<.*\[P2\] hello\.go:3 the greeting is never flushed.*Verdict: needs changes.*<< Code review finished >>`)
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2EElicitationForm: an MCP server's form is filled in field by
// field (a required field refused empty, a number checked) and its
// content reaches the server.
func TestE2EElicitationForm(t *testing.T) {
	tm := startTerm(t, 100, 40, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "fill a form")
	tm.keys("Enter")
	tm.waitFor(`profile MCP server asks: Tell me about you`)
	tm.waitFor(`Name \(string, required\) · field 1 of 4`)
	tm.think()
	tm.keys("Enter")
	tm.waitFor(`this field is required`)
	tm.keys("-l", "Ada")
	tm.keys("Enter")
	tm.waitFor(`age \(integer, required\) · field 2 of 4`)
	tm.keys("-l", "old")
	tm.keys("Enter")
	tm.waitFor(`"old" is not a number`)
	tm.keys("C-u")
	tm.keys("-l", "36")
	tm.keys("Enter")
	tm.waitFor(`subscribe \(boolean, optional\)`)
	tm.keys("y")
	tm.waitFor(`color \(enum, optional\)`)
	tm.keys("Down", "Down", "Enter")
	tm.waitFor(`1\. Submit \(enter\)`)
	tm.keys("Enter")
	tm.waitFor(`Form answered: accept \{"age":36,"color":"green","name":"Ada","subscribe":true\}`)
	tm.keys("C-d")
	tm.waitExit(0)
}
