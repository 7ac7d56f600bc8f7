package tui

import (
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// TestBackgroundCommand: a command still running when its turn ends (an
// exec_command session) is announced, counted in the footer, and printed
// with its command when its end comes in a later turn.
func TestBackgroundCommand(t *testing.T) {
	h := newHarness(t)
	h.events(ev("1", protocol.TaskStartedMsg{}),
		ev("1", protocol.ExecCommandBeginMsg{CallID: "c1", Command: []string{"npm", "run", "dev"}}),
		ev("1", protocol.TaskCompleteMsg{}))
	if p := h.printed(); !strings.Contains(p, "npm run dev keeps running in the background") || strings.Contains(p, "Ran npm") {
		t.Errorf("turn end with a running command:\n%s", p)
	}
	if v := h.view(); !strings.Contains(v, "1 background terminal") || strings.Contains(v, "Running npm") {
		t.Errorf("live area with a background command:\n%s", v)
	}
	h.events(ev("2", protocol.TaskStartedMsg{}),
		ev("2", protocol.TerminalInteractionMsg{CallID: "c1", ProcessID: "1001", Stdin: "q\n"}))
	if p := h.printed(); !strings.Contains(p, `Sent "q\n" to npm run dev`) {
		t.Errorf("input to the background command not shown:\n%s", p)
	}
	h.events(ev("1", protocol.ExecCommandEndMsg{CallID: "c1", AggregatedOutput: "listening\n", ExitCode: 143, DurationMS: 2000}),
		ev("2", protocol.TaskCompleteMsg{}))
	if p := h.printed(); !strings.Contains(p, "Ran npm run dev") || !strings.Contains(p, "✗ exit 143 · 2.00s") {
		t.Errorf("background command's end not printed with its command:\n%s", p)
	}
	if v := h.view(); strings.Contains(v, "background terminal") {
		t.Errorf("footer still counts the ended command:\n%s", v)
	}
}

func TestWebSearchCell(t *testing.T) {
	h := newHarness(t)
	h.events(ev("1", protocol.TaskStartedMsg{}),
		ev("1", protocol.WebSearchBeginMsg{CallID: "ws_1"}),
		ev("1", protocol.WebSearchEndMsg{CallID: "ws_1", Query: "codex cli release notes"}),
		ev("1", protocol.TaskCompleteMsg{}))
	if p := h.printed(); !strings.Contains(p, "Searched the web: codex cli release notes") {
		t.Errorf("no web search cell:\n%s", p)
	}
}
