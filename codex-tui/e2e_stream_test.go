package tui

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fifo makes the FIFO the fake agent's "slow" script waits on and
// returns the function that releases it.
func (tm *term) fifo() func() {
	tm.t.Helper()
	path := filepath.Join(tm.dir, "release.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		tm.t.Fatal(err)
	}
	// A failed test leaves no agent blocked on the FIFO: a reader that is
	// waiting is released (no reader: nothing to do).
	tm.t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = f.Close()
		}
	})
	return func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0) // waits for the agent to read
		if err != nil {
			tm.t.Fatal(err)
		}
		_ = f.Close()
	}
}

// TestE2EStreamsWords: the words of a paragraph show while the paragraph
// is still being written (the agent holds the rest back until released),
// and the finished paragraph is printed once.
func TestE2EStreamsWords(t *testing.T) {
	tm := startTerm(t, 80, 30, "-s", "workspace-write", "-a", "on-request")
	release := tm.fifo()
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "answer slow")
	tm.keys("Enter")
	tm.waitFor(`(?s)• Streaming words arrive one by.*esc to interrupt`)
	release()
	// Up to the footer with the turn's token count: the whole last frame is
	// drawn (a capture in the middle of a redraw would see half of it).
	s := tm.waitFor(`(?s)Streaming words arrive one by one and the paragraph ends here\..*A second paragraph\..*› Ask Codex[^\n]*\n[^\n]*98% context left`)
	if n := strings.Count(s, "Streaming words"); n != 1 {
		t.Fatalf("the paragraph is shown %d times, want once:\n%s", n, s)
	}
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2EQueuedDuringTurn: a message queued with Tab while a turn
// streams is shown as queued (not printed into the answer) and sent when
// the turn ends; one queued before Esc is sent after the interrupt, not
// dropped.
func TestE2EQueuedDuringTurn(t *testing.T) {
	tm := startTerm(t, 80, 40, "-s", "workspace-write", "-a", "on-request")
	release := tm.fifo()
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "answer slow")
	tm.keys("Enter")
	tm.waitFor(`Streaming words arrive`)
	tm.keys("-l", "queued follow-up")
	tm.keys("Tab")
	s := tm.waitFor(`(?s)esc to interrupt.*↳ queued follow-up.*› Ask Codex`)
	if strings.Contains(s, "› queued follow-up") {
		t.Fatalf("the queued message is shown as sent:\n%s", s)
	}
	release()
	tm.waitFor(`(?s)the paragraph ends here\..*A second paragraph\..*› queued follow-up.*You said: queued follow-up`)

	tm.keys("-l", "wait for me")
	tm.keys("Enter")
	tm.waitFor(`Running sleep 600`)
	tm.keys("-l", "after the interrupt")
	tm.keys("Tab")
	tm.waitFor(`↳ after the interrupt`)
	tm.keys("Escape")
	tm.waitFor(`(?s)Conversation interrupted.*› after the interrupt.*You said: after the interrupt`)
	tm.keys("C-d")
	tm.waitExit(0)
}
