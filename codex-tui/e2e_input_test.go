package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestE2EFastInputVerbatim: text that reaches the terminal in one write
// (a burst of typing, SSH, a script) is typed as it is: words that are
// also key names ("up", "end", "esc", "delete", "tab") stay words.
func TestE2EFastInputVerbatim(t *testing.T) {
	tm := startTerm(t, 120, 30, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	for _, text := range []string{
		"scroll up and down then left or right, end home tab esc delete space done",
		"follow up message",
	} {
		tm.keys("-l", text)
		tm.waitFor(`› ` + regexp.QuoteMeta(text) + `\s*\n`)
		tm.keys("Enter")
		tm.waitFor(`You said: ` + regexp.QuoteMeta(text))
	}
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2EUnbracketedMultilinePaste: a multi-line paste into a terminal
// without bracketed paste arrives as lines ended by Enter in one read; it
// must land in the composer as one multi-line draft, not as one prompt per
// line. A read that ends with Enter sends the whole draft once.
func TestE2EUnbracketedMultilinePaste(t *testing.T) {
	tm := startTerm(t, 100, 40, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "first line\rsecond line\rthird line")
	tm.waitFor(`› first line\s*\n\s+second line\s*\n\s+third line`)
	tm.keys("Enter")
	s := tm.waitFor(`(?s)› first line\s*\n\s+second line\s*\n\s+third line.*You said:.*echo fenced`)
	if n := strings.Count(s, "You said:"); n != 1 {
		t.Fatalf("the paste was sent as %d prompts, want 1:\n%s", n, s)
	}
	// Ended by Enter: sent at once, as one prompt.
	tm.keys("-l", "alpha\rbeta\r")
	s = tm.waitFor(`(?s)› alpha\s*\n\s+beta.*You said: alpha beta.*echo fenced`)
	if n := strings.Count(s, "You said:"); n != 2 {
		t.Fatalf("%d answers, want 2:\n%s", n, s)
	}
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2EMultilineComposer: every line of a multi-line draft stays
// visible while it grows (up to the composer's height), and again after
// a draft taller than that shrinks.
func TestE2EMultilineComposer(t *testing.T) {
	tm := startTerm(t, 80, 40, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "line one")
	tm.keys("C-j")
	tm.keys("-l", "line two")
	tm.keys("C-j")
	tm.keys("-l", "line three")
	tm.waitFor(`› line one\s*\n\s+line two\s*\n\s+line three`)
	for i := 4; i <= 14; i++ {
		tm.keys("C-j")
		tm.keys("-l", fmt.Sprintf("line %d", i))
	}
	tm.waitFor(`line 14`)
	for i := 4; i <= 14; i++ {
		tm.keys("C-u", "BSpace") // the line, then its line break
	}
	tm.waitFor(`› line one\s*\n\s+line two\s*\n\s+line three\s*\n\s+⏎ send`)
	tm.keys("C-c")
	tm.waitFor(`› Ask Codex`)
	tm.keys("C-d")
	tm.waitExit(0)
}
