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

// TestCommandAnnouncedBeforeItsApproval: the app-server announces a
// command (item/started) before it asks about it; until approved it is
// not shown as running, not listed by /ps, and a turn that ends without
// the approval does not leave it "running in the background".
func TestCommandAnnouncedBeforeItsApproval(t *testing.T) {
	h := newHarness(t)
	begin := ev("1", protocol.ExecCommandBeginMsg{CallID: "call-1", Command: []string{"bash", "-lc", "rm -rf build"}})
	h.events(ev("1", protocol.TaskStartedMsg{}), begin, ev("1", execReq))
	if v := h.view(); strings.Contains(v, "Running rm") || !strings.Contains(v, "Would you like to run the following command?") {
		t.Fatalf("a command awaiting approval shown as running:\n%s", v)
	}
	if s := h.m.backgroundList(); strings.Contains(s, "rm -rf build") {
		t.Errorf("/ps lists the unapproved command:\n%s", s)
	}
	h.keys("y")
	if v := h.view(); !strings.Contains(v, "Running rm -rf build") {
		t.Errorf("the approved command is not running:\n%s", v)
	}
	h.events(ev("1", protocol.ExecCommandEndMsg{CallID: "call-1", ExitCode: 0, AggregatedOutput: "gone\n"}), ev("1", protocol.TaskCompleteMsg{}))
	if p := h.printed(); !strings.Contains(p, "Ran rm -rf build") {
		t.Errorf("the approved command's cell:\n%s", p)
	}

	// Interrupted while the request is open: nothing keeps running.
	h.events(ev("2", protocol.TaskStartedMsg{}), begin, ev("2", execReq), ev("2", protocol.TurnAbortedMsg{Reason: "interrupted"}))
	if p := h.printed(); strings.Contains(p, "keeps running in the background") {
		t.Errorf("an unapproved command was left in the background:\n%s", p)
	}
	if v := h.view(); strings.Contains(v, "background terminal") || strings.Contains(v, "Running rm") {
		t.Errorf("live area after the interrupt:\n%s", v)
	}
}
