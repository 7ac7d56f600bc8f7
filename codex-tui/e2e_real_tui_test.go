package tui

import (
	"strings"
	"testing"
)

func reasoningItem(summary string) string {
	return `{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":` + jsonString(summary) + `}]}`
}

// TestE2ERealReasoningOnce: a reasoning summary streamed before the
// answer is printed once, before the answer, its bold title without
// Markdown markers (the real agent repeats the whole summary after the
// deltas, while the answer streams).
func TestE2ERealReasoningOnce(t *testing.T) {
	codex := buildCodex(t)
	dir := t.TempDir()
	ms := startModelServer(t, codex,
		itemsTurn(reasoningItem("**Inspecting the layout**\n\nI look at the files first."),
			messageItem("Here is the answer.\n\nIt has two paragraphs.")),
	)
	tm := startRealTerm(t, codex, t.TempDir(), dir, ms, "-a", "never", "-s", "workspace-write")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "think first")
	tm.keys("Enter")
	s := tm.waitFor(`(?s)Inspecting the layout.*I look at the files first\..*Here is the answer\..*It has two paragraphs\..*› Ask Codex`)
	for _, want := range []string{"Inspecting the layout", "I look at the files first."} {
		if n := strings.Count(s, want); n != 1 {
			t.Errorf("%q shown %d times, want once:\n%s", want, n, s)
		}
	}
	if strings.Contains(s, "**") {
		t.Errorf("Markdown markers shown:\n%s", s)
	}
	tm.keys("C-d")
	tm.waitExit(0)
}
