package tui

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/protocol"
)

var execReq = protocol.ExecApprovalRequestMsg{CallID: "call-1", Command: []string{"bash", "-lc", "rm -rf build"}, Reason: "clean the build"}

var patchReq = protocol.ApplyPatchApprovalRequestMsg{CallID: "patch-1", Changes: map[string]protocol.FileChange{
	"a.txt": {Type: "update", UnifiedDiff: "@@ -1 +1 @@\n-old\n+new\n"},
}}

func TestExecApprovalKeys(t *testing.T) {
	tests := []struct {
		keys []string
		want protocol.ReviewDecision
	}{
		{[]string{"y"}, protocol.DecisionApproved},
		{[]string{"a"}, protocol.DecisionApprovedForSession},
		{[]string{"n"}, protocol.DecisionAbort},
		{[]string{"esc"}, protocol.DecisionAbort},
		{[]string{"enter"}, protocol.DecisionApproved},
		{[]string{"down", "enter"}, protocol.DecisionApprovedForSession},
		{[]string{"down", "down", "down", "enter"}, protocol.DecisionAbort},
		{[]string{"2"}, protocol.DecisionApprovedForSession},
		{[]string{"4"}, protocol.DecisionAbort},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, "+"), func(t *testing.T) {
			h := newHarness(t)
			h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", execReq))
			if !strings.Contains(h.view(), "Would you like to run the following command?") {
				t.Fatalf("view has no approval request:\n%s", h.view())
			}
			h.keys(tt.keys...)
			got := h.conn.ops()
			want := []protocol.Op{protocol.ExecApprovalOp{ID: "call-1", Decision: tt.want}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("sent %#v, want %#v", got, want)
			}
			if h.m.appr.Active() {
				t.Error("request still open after the answer")
			}
		})
	}
}

func TestExecApprovalRemember(t *testing.T) {
	for _, keys := range [][]string{{"p"}, {"3"}, {"down", "down", "enter"}} {
		h := newHarness(t)
		h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", execReq))
		h.keys(keys...)
		want := []protocol.Op{protocol.ExecApprovalOp{ID: "call-1", Decision: protocol.DecisionApprovedForSession, Remember: true}}
		if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
			t.Errorf("%v sent %#v, want %#v", keys, got, want)
		}
		if !strings.Contains(h.printed(), "from now on") {
			t.Errorf("%v: decision cell does not say a rule was saved:\n%s", keys, h.printed())
		}
	}
}

func TestPatchApproval(t *testing.T) {
	h := newHarness(t)
	h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", patchReq))
	if v := h.view(); !strings.Contains(v, "make the following edits") {
		t.Fatalf("view lacks the patch request:\n%s", v)
	}
	if p := h.printed(); !strings.Contains(p, "+new") {
		t.Fatalf("the diff is not printed before the question:\n%s", p)
	}
	h.keys("a") // don't ask again for these files
	want := []protocol.Op{protocol.PatchApprovalOp{ID: "patch-1", Decision: protocol.DecisionApprovedForSession}}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Errorf("sent %#v, want %#v", got, want)
	}
}

// TestGracePeriod: a key typed right as a request opens is swallowed; it
// counts once input was quiet, or after the cap.
func TestGracePeriod(t *testing.T) {
	h := newHarness(t)
	h.typeText("ls") // typing in the composer...
	h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", execReq))
	h.clk.advance(50 * time.Millisecond)
	h.send(keyMsg("y")) // ...continues into the request
	if got := h.conn.ops(); len(got) != 0 {
		t.Fatalf("key inside the grace period answered: %#v", got)
	}
	h.clk.advance(graceQuiet + time.Millisecond)
	h.send(keyMsg("n"))
	want := []protocol.Op{protocol.ExecApprovalOp{ID: "call-1", Decision: protocol.DecisionAbort}}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after quiet input sent %#v, want %#v", got, want)
	}

	// Continuous typing is accepted once the cap has passed.
	h.events(ev("1", execReq))
	for i := 0; i < 20; i++ {
		h.clk.advance(100 * time.Millisecond)
		h.send(keyMsg("x"))
	}
	h.clk.advance(100 * time.Millisecond)
	h.send(keyMsg("y"))
	want = []protocol.Op{protocol.ExecApprovalOp{ID: "call-1", Decision: protocol.DecisionApproved}}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the cap sent %#v, want %#v", got, want)
	}
}

func TestApprovalQueueAndCtrlC(t *testing.T) {
	h := newHarness(t)
	second := execReq
	second.CallID = "call-2"
	third := execReq
	third.CallID = "call-3"
	h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", execReq), ev("1", second), ev("1", third))
	if !strings.Contains(h.view(), "2 more request(s) waiting") {
		t.Errorf("view does not mention the queue:\n%s", h.view())
	}
	h.keys("y")
	h.keys("ctrl+c")
	want := []protocol.Op{
		protocol.ExecApprovalOp{ID: "call-1", Decision: protocol.DecisionApproved},
		protocol.ExecApprovalOp{ID: "call-2", Decision: protocol.DecisionAbort},
		protocol.ExecApprovalOp{ID: "call-3", Decision: protocol.DecisionAbort},
	}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Errorf("sent %#v, want %#v", got, want)
	}
	if h.m.quitting {
		t.Error("Ctrl+C on an approval request quit the program")
	}
	if p := h.printed(); !strings.Contains(p, "You approved codex to run rm -rf build this time") || !strings.Contains(p, "You did not approve") {
		t.Errorf("transcript lacks the decisions:\n%s", p)
	}
}

func TestSubmitPrompt(t *testing.T) {
	h := newHarness(t)
	h.typeText("first line")
	h.keys("ctrl+j")
	h.typeText("second")
	h.keys("enter")
	want := []protocol.Op{protocol.UserInputOp{Items: protocol.TextInput("first line\nsecond")}}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sent %#v, want %#v", got, want)
	}
	if !h.m.comp.Empty() {
		t.Errorf("composer not cleared: %q", h.m.comp.Value())
	}
	if p := h.printed(); !strings.Contains(p, "› first line\n  second") {
		t.Errorf("transcript lacks the prompt:\n%s", p)
	}
	h.keys("enter") // empty: nothing
	if got := h.conn.ops(); len(got) != 0 {
		t.Errorf("empty Enter sent %#v", got)
	}
}

func TestPastePlaceholder(t *testing.T) {
	h := newHarness(t)
	big := strings.Repeat("x", 1500)
	h.typeText("see: ")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(big), Paste: true})
	if v := h.m.comp.Value(); v != "see: [Pasted Content 1500 chars]" {
		t.Fatalf("composer = %q, want the placeholder", v)
	}
	h.keys("enter")
	want := []protocol.Op{protocol.UserInputOp{Items: protocol.TextInput("see: " + big)}}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Errorf("sent %d ops, want the expanded paste", len(got))
	}
	// A small paste goes in as typed; Backspace removes a placeholder whole.
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("small"), Paste: true})
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(big), Paste: true})
	h.keys("backspace")
	if v := h.m.comp.Value(); v != "small" {
		t.Errorf("after backspace composer = %q, want %q", v, "small")
	}
}

func TestPromptHistory(t *testing.T) {
	h := newHarness(t)
	h.send(historyMsg{"from file"})
	for _, p := range []string{"one", "two"} {
		h.typeText(p)
		h.keys("enter")
	}
	h.typeText("draft")
	steps := []struct{ key, want string }{
		{"up", "two"}, {"up", "one"}, {"up", "from file"}, {"up", "from file"},
		{"down", "one"}, {"down", "two"}, {"down", "draft"},
	}
	for _, s := range steps {
		h.keys(s.key)
		if got := h.m.comp.Value(); got != s.want {
			t.Fatalf("after %s composer = %q, want %q", s.key, got, s.want)
		}
	}
}

func TestInterruptAndQuit(t *testing.T) {
	h := newHarness(t)
	h.events(ev("1", protocol.TaskStartedMsg{}))
	h.keys("esc")
	h.keys("ctrl+c")
	want := []protocol.Op{protocol.InterruptOp{}, protocol.InterruptOp{}}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Esc and Ctrl+C while running sent %#v, want two interrupts", got)
	}
	if h.m.quitting {
		t.Fatal("Ctrl+C during a turn quit")
	}
	h.events(ev("1", protocol.TurnAbortedMsg{Reason: "interrupted"}))
	if !strings.Contains(h.printed(), "Conversation interrupted") {
		t.Errorf("no interruption notice:\n%s", h.printed())
	}
	h.typeText("draft")
	h.keys("ctrl+c") // clears the draft
	if !h.m.comp.Empty() || h.m.quitting {
		t.Fatalf("first Ctrl+C with a draft: composer %q, quitting %v", h.m.comp.Value(), h.m.quitting)
	}
	h.keys("ctrl+c")
	if h.m.quitting || !strings.Contains(h.view(), "Ctrl+C again to quit") {
		t.Fatalf("first idle Ctrl+C should only prime quitting:\n%s", h.view())
	}
	cmd := h.send(keyMsg("ctrl+c"))
	if !h.m.quitting {
		t.Fatal("second Ctrl+C did not quit")
	}
	if got := h.conn.ops(); !reflect.DeepEqual(got, []protocol.Op{protocol.ShutdownOp{}}) {
		t.Errorf("quit sent %#v, want shutdown", got)
	}
	// Quit waits for the print in flight, then ends the program.
	if h.m.printing && isQuit(cmd) {
		t.Error("quit overtook a print in flight")
	}
	h.m.outbox = nil
	if cmd := h.send(printedMsg{}); !isQuit(cmd) {
		t.Error("no tea.Quit once the prints were done")
	}
}

// isQuit runs cmd (which must not block) and reports whether it yields
// tea.QuitMsg, looking inside batches.
func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if isQuit(c) {
				return true
			}
		}
	}
	return false
}

func TestCtrlD(t *testing.T) {
	h := newHarness(t)
	h.typeText("x")
	h.keys("ctrl+d")
	if h.m.quitting {
		t.Fatal("Ctrl+D with a draft quit")
	}
	h.keys("backspace", "ctrl+d")
	if !h.m.quitting {
		t.Fatal("Ctrl+D on an empty composer did not quit")
	}
}

func TestStreamingPrintsFinishedBlocksOnce(t *testing.T) {
	h := newHarness(t)
	h.events(ev("1", protocol.TaskStartedMsg{}),
		ev("1", protocol.AgentMessageDeltaMsg{Delta: "First para"}),
		ev("1", protocol.AgentMessageDeltaMsg{Delta: "graph.\n\nSecond "}))
	if n := len(h.m.transcript); n != 1 {
		t.Fatalf("after the first block: %d cells, want 1", n)
	}
	if !strings.Contains(h.printed(), "First paragraph.") {
		t.Errorf("first block not printed:\n%s", h.printed())
	}
	h.events(ev("1", protocol.AgentMessageDeltaMsg{Delta: "one.\nStill the second"}))
	if v := h.view(); !strings.Contains(v, "Second one.") || !strings.Contains(v, "Still the") || strings.Contains(v, "Still the second") {
		t.Errorf("live area should show the unfinished block up to its last whole word:\n%s", v)
	}
	h.events(ev("1", protocol.AgentMessageDeltaMsg{Delta: ".\n```go\nfunc x() {}\n"}))
	if p := h.printed(); !strings.Contains(p, "Still the second.") || !strings.Contains(p, "func x() {}") {
		t.Errorf("a code fence should finish the paragraph and stream its lines:\n%s", p)
	}
	h.events(ev("1", protocol.AgentMessageDeltaMsg{Delta: "```\n"}),
		ev("1", protocol.AgentMessageMsg{Message: "First paragraph.\n\nSecond one.\nStill the second.\n```go\nfunc x() {}\n```\n"}),
		ev("1", protocol.TaskCompleteMsg{}))
	p := h.printed()
	for _, want := range []string{"First paragraph.", "Second one.", "Still the second.", "func x() {}"} {
		if strings.Count(p, want) != 1 {
			t.Errorf("%q printed %d times, want once:\n%s", want, strings.Count(p, want), p)
		}
	}
	if h.m.running {
		t.Error("still running after task_complete")
	}
}

func TestCommandAndPatchCells(t *testing.T) {
	h := newHarness(t)
	h.events(ev("1", protocol.TaskStartedMsg{}),
		ev("1", protocol.ExecCommandBeginMsg{CallID: "c1", Command: []string{"ls", "-la"}}))
	if !strings.Contains(h.view(), "Running ls -la") {
		t.Errorf("running command not in the live area:\n%s", h.view())
	}
	h.events(ev("1", protocol.ExecCommandEndMsg{CallID: "c1", AggregatedOutput: "a\nb\n", ExitCode: 2, DurationMS: 1500}),
		ev("1", protocol.PatchApplyBeginMsg{CallID: "p1", Changes: patchReq.Changes}),
		ev("1", protocol.PatchApplyEndMsg{CallID: "p1", Success: true}),
		ev("1", protocol.PlanUpdateMsg{Plan: []protocol.PlanItem{{Step: "read", Status: "completed"}, {Step: "write", Status: "in_progress"}}}))
	p := h.printed()
	for _, want := range []string{"Ran ls -la", "└ a", "✗ exit 2 · 1.50s", "Edited 1 file (+1 -1)", "a.txt (+1 -1)", "Updated Plan", "✔ read", "□ write"} {
		if !strings.Contains(p, want) {
			t.Errorf("transcript lacks %q:\n%s", want, p)
		}
	}
}

func TestSlashCommands(t *testing.T) {
	h := newHarness(t)
	h.typeText("/co")
	if h.m.popup == nil || len(h.m.popup.items) == 0 || h.m.popup.items[0].name != "/compact" {
		t.Fatalf("popup for /co = %#v, want /compact first", h.m.popup)
	}
	h.keys("enter")
	if got := h.conn.ops(); !reflect.DeepEqual(got, []protocol.Op{protocol.CompactOp{}}) {
		t.Fatalf("/compact sent %#v", got)
	}
	h.events(ev("2", protocol.TaskStartedMsg{}))
	h.typeText("/model")
	h.keys("enter")
	if got := h.conn.ops(); len(got) != 0 {
		t.Errorf("/model mid-turn sent %#v", got)
	}
	if !strings.Contains(h.printed(), "'/model' is disabled while a task is in progress.") {
		t.Errorf("no mid-turn refusal:\n%s", h.printed())
	}
	h.events(ev("2", protocol.TaskCompleteMsg{}))
	h.typeText("/approvals")
	h.keys("enter", "2")
	want := []protocol.Op{protocol.OverrideTurnContextOp{ApprovalPolicy: protocol.ApprovalOnRequest, SandboxPolicy: &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Errorf("/approvals Auto sent %#v, want %#v", got, want)
	}
	h.typeText("/model o3")
	h.keys("enter")
	if got := h.conn.ops(); !reflect.DeepEqual(got, []protocol.Op{protocol.OverrideTurnContextOp{Model: "o3"}}) {
		t.Errorf("/model o3 sent %#v", got)
	}
	h.typeText("/quit")
	h.keys("enter")
	if !h.m.quitting {
		t.Error("/quit did not quit")
	}
}

func TestFileMention(t *testing.T) {
	h := newHarness(t)
	h.send(filesMsg{"README.md", "cmd/main.go", "internal/model.go"})
	h.typeText("look at @modgo")
	if h.m.popup == nil || h.m.popup.kind != "file" {
		t.Fatalf("no file popup: %#v", h.m.popup)
	}
	h.keys("tab")
	if got := h.m.comp.Value(); got != "look at internal/model.go " {
		t.Errorf("after completion composer = %q", got)
	}
}

func TestListenCoalescesButKeepsControlEvents(t *testing.T) {
	conn := newFakeConn()
	for _, e := range []protocol.Event{
		ev("1", protocol.AgentMessageDeltaMsg{Delta: "a"}),
		ev("1", protocol.AgentMessageDeltaMsg{Delta: "b"}),
		ev("1", execReq),
		ev("1", protocol.AgentMessageDeltaMsg{Delta: "c"}),
		ev("1", protocol.TaskCompleteMsg{}),
	} {
		conn.events <- e
	}
	close(conn.events)
	msg := listen(conn)().(eventsMsg)
	var got []string
	for _, e := range msg.evs {
		s := e.Msg.MsgType()
		if d, ok := e.Msg.(protocol.AgentMessageDeltaMsg); ok {
			s += ":" + d.Delta
		}
		got = append(got, s)
	}
	want := []string{"agent_message_delta:ab", "exec_approval_request", "agent_message_delta:c", "task_complete"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("batch = %q, want %q", got, want)
	}
	if _, ok := listen(conn)().(connClosedMsg); !ok {
		t.Error("listen on a closed connection did not report it")
	}
}

func TestAgentExitQuits(t *testing.T) {
	h := newHarness(t)
	h.send(connClosedMsg{conn: h.m.conn})
	if !h.m.quitting || !h.m.agentGone {
		t.Error("model keeps running after the agent exited")
	}
	if !strings.Contains(h.printed(), "the agent exited") {
		t.Errorf("no notice:\n%s", h.printed())
	}
}

// TestPrintsDuringOverlayAreQueued: cells finished while a pager holds
// the alternate screen are printed after it closes, in order.
func TestPrintsDuringOverlayAreQueued(t *testing.T) {
	h := newHarness(t)
	h.send(printedMsg{})
	h.m.outbox = nil
	cmd := h.send(keyMsg("ctrl+t"))
	h.send(cmd()) // the rendered transcript
	if len(h.m.overlays) != 1 {
		t.Fatal("Ctrl+T did not open the transcript")
	}
	h.events(ev("", protocol.BackgroundEventMsg{Message: "one"}), ev("", protocol.BackgroundEventMsg{Message: "two"}))
	if len(h.m.outbox) != 0 || len(h.m.queued) != 2 {
		t.Fatalf("outbox %d, queued %d; want 0 and 2", len(h.m.outbox), len(h.m.queued))
	}
	h.keys("q")
	if len(h.m.overlays) != 0 || len(h.m.queued) != 0 {
		t.Fatal("overlay not closed or queue not flushed")
	}
	// bubbletea drops lines printed while the alternate screen is up:
	// they wait until it is gone.
	if h.m.printing {
		t.Error("cells printed before the alternate screen was left")
	}
	h.send(altLeftMsg{})
	if !h.m.printing {
		t.Error("queued cells were not handed to the terminal")
	}
}

// TestNewSessionReplacesConnection: /new starts a fresh agent; events
// still arriving from the old one are ignored.
func TestNewSessionReplacesConnection(t *testing.T) {
	h := newHarness(t)
	fresh := newFakeConn()
	var asked []string
	h.m.env.reconnect = func(_ context.Context, s sessionRef) (Conn, error) {
		resume := s.resume
		asked = append(asked, resume)
		return fresh, nil
	}
	old := h.m.conn
	h.typeText("/new")
	cmd := h.send(keyMsg("enter"))
	if cmd == nil {
		t.Fatal("/new returned no command")
	}
	h.send(cmd()) // the reconnect command's result
	if h.m.conn != Conn(fresh) || !reflect.DeepEqual(asked, []string{""}) {
		t.Fatalf("connection not replaced (asked %q)", asked)
	}
	before := len(h.m.transcript)
	h.send(eventsMsg{conn: old, evs: []protocol.Event{ev("", protocol.BackgroundEventMsg{Message: "stale"})}})
	h.send(connClosedMsg{conn: old})
	if len(h.m.transcript) != before || h.m.quitting {
		t.Error("events of the replaced agent were applied")
	}
	h.typeText("hello")
	h.keys("enter")
	if got := fresh.ops(); !reflect.DeepEqual(got, []protocol.Op{protocol.UserInputOp{Items: protocol.TextInput("hello")}}) {
		t.Errorf("new connection got %#v", got)
	}
}

func TestGuardTurnsPanicIntoNotice(t *testing.T) {
	msg := guard(func() tea.Msg { panic("boom") })()
	n, ok := msg.(errNoticeMsg)
	if !ok || !strings.Contains(n.err.Error(), "boom") {
		t.Fatalf("guard returned %#v", msg)
	}
}

func TestMcpCommandListsServers(t *testing.T) {
	h := newHarness(t)
	h.typeText("/mcp")
	h.keys("enter")
	if !strings.Contains(h.printed(), "No MCP servers configured") {
		t.Errorf("no servers: %s", h.printed())
	}
	h.m.env.mcpServers = []string{"  docs (enabled)", "  everything (enabled)", "  broken (enabled)", "  old (disabled)"}
	h.typeText("/mcp")
	h.keys("enter")
	if ops := h.conn.ops(); !reflect.DeepEqual(ops, []protocol.Op{protocol.ListMcpToolsOp{}}) {
		t.Fatalf("/mcp sent %#v, want list_mcp_tools", ops)
	}
	h.events(ev("", protocol.McpListToolsResponseMsg{
		Tools:    map[string]json.RawMessage{"mcp__everything__echo": json.RawMessage(`{}`), "mcp__everything__add": json.RawMessage(`{}`)},
		Failures: map[string]string{"broken": "exec: no such file"}}))
	var got []string
	for _, l := range strings.Split(h.printed(), "\n") {
		got = append(got, strings.TrimSpace(l))
	}
	want := "• MCP tools:\neverything (2): add, echo\nbroken: failed to start: exec: no such file\ndocs (enabled): no tools\nold (disabled): no tools"
	if !strings.Contains(strings.Join(got, "\n"), want) {
		t.Errorf("/mcp answer:\n%s\nwant:\n%s", h.printed(), want)
	}
}

func TestPromptSavedToHistoryFile(t *testing.T) {
	for _, off := range []bool{false, true} {
		h := newHarness(t)
		h.m.env.codexHome = t.TempDir()
		h.m.env.noHistory = off
		h.typeText("remember me")
		run(h.send(keyMsg("enter")))
		got, err := loadHistory(h.m.historyPath())
		if err != nil {
			t.Fatal(err)
		}
		if want := !off; (len(got) == 1 && got[0] == "remember me") != want {
			t.Errorf("persistence off=%v: history file holds %q", off, got)
		}
	}
}

// TestApprovalLeavesFullScreenViews: a request arriving while a pager is
// open closes it, so the request is seen.
func TestApprovalLeavesFullScreenViews(t *testing.T) {
	h := newHarness(t)
	h.send(printedMsg{})
	h.m.outbox = nil
	h.send(transcriptMsg("old"))
	if len(h.m.overlays) != 1 {
		t.Fatal("pager not open")
	}
	h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", execReq))
	if len(h.m.overlays) != 0 || !strings.Contains(h.view(), "Would you like to run") {
		t.Errorf("request hidden behind a pager:\n%s", h.view())
	}
}
