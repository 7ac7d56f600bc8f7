package tui

import (
	"strconv"
	"strings"
	"testing"
)

// resize changes the terminal's size, as a user dragging the window.
func (tm *term) resize(width, height int) {
	tm.t.Helper()
	if out, err := tm.tmux("resize-window", "-t", tm.name, "-x", itoa(width), "-y", itoa(height)).CombinedOutput(); err != nil {
		tm.t.Fatalf("resize-window: %v: %s", err, out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestE2EResizeWhileStreaming: shrinking and widening the terminal while
// an answer streams leaves no stale live-area lines (spinner, footer,
// composer) in the scrollback.
func TestE2EResizeWhileStreaming(t *testing.T) {
	tm := startTerm(t, 100, 30, "-s", "workspace-write", "-a", "on-request")
	release := tm.fifo()
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "answer slow")
	tm.keys("Enter")
	tm.waitFor(`Streaming words arrive`)
	tm.resize(60, 30)
	tm.waitFor(`esc to interrupt`)
	tm.resize(45, 30)
	tm.waitFor(`esc to interrupt`)
	tm.resize(100, 30)
	tm.waitFor(`esc to interrupt`)
	release()
	// Up to the footer with the turn's token count: the whole last frame is
	// drawn (a capture in the middle of a redraw would see half of it).
	s := tm.waitFor(`(?s)A second paragraph\..*› Ask Codex[^\n]*\n[^\n]*98% context left`)
	for _, stale := range []string{"esc to interrupt", "shortcuts", "Ask Codex"} {
		if n := strings.Count(s, stale); n > 1 {
			t.Errorf("%q shown %d times (stale live-area lines in the scrollback):\n%s", stale, n, s)
		}
	}
	if n := strings.Count(s, "Streaming words"); n != 1 {
		t.Errorf("the paragraph is shown %d times:\n%s", n, s)
	}
	tm.keys("C-d")
	tm.waitExit(0)
}
