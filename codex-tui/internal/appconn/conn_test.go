package appconn

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/common/agentclient"
	"github.com/codexgo/common/protocol"
)

// peer plays the app-server: it reads what the client sends and writes
// the server's lines.
type peer struct {
	t    *testing.T
	in   *bufio.Reader  // the client's lines
	out  io.WriteCloser // to the client
	conn *Conn
	done chan struct{}
	// window is the context window turn/started's event should carry.
	window int64
}

func newPeer(t *testing.T, o Options) *peer {
	t.Helper()
	cr, cw := io.Pipe() // client -> peer
	sr, sw := io.Pipe() // peer -> client
	done := make(chan struct{})
	p := &peer{t: t, in: bufio.NewReader(cr), out: sw, done: done}
	proc := &agentclient.Process{Stdout: sr, Stdin: cw,
		Stop: func() { _ = sw.Close(); _ = cr.Close() },
		Wait: func() error { <-done; return nil }}
	p.conn = Open(proc, o)
	t.Cleanup(func() {
		_ = sw.Close()
		_ = cr.Close()
		select {
		case <-done:
		default:
			close(done)
		}
	})
	return p
}

// recv is the client's next line.
func (p *peer) recv() map[string]any {
	p.t.Helper()
	line, err := p.in.ReadBytes('\n')
	if err != nil {
		p.t.Fatalf("read from the client: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		p.t.Fatalf("client line %q: %v", line, err)
	}
	return m
}

// expect reads the client's next line, which must be a call of method;
// it returns its id and params.
func (p *peer) expect(method string) (any, map[string]any) {
	p.t.Helper()
	m := p.recv()
	if m["method"] != method {
		p.t.Fatalf("client sent %v, want %s", m, method)
	}
	params, _ := m["params"].(map[string]any)
	return m["id"], params
}

func (p *peer) send(v any) {
	p.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.out.Write(append(b, '\n')); err != nil {
		p.t.Fatalf("write to the client: %v", err)
	}
}

func (p *peer) reply(id any, result any) { p.send(map[string]any{"id": id, "result": result}) }

func (p *peer) notify(method string, params map[string]any) {
	params["threadId"] = "th-1"
	p.send(map[string]any{"method": method, "params": params})
}

// event is the client's next event.
func (p *peer) event() protocol.Event {
	p.t.Helper()
	select {
	case ev, ok := <-p.conn.Events():
		if !ok {
			p.t.Fatal("events closed")
		}
		return ev
	case <-time.After(30 * time.Second): // a hang, not a timing assertion
		p.t.Fatal("no event")
	}
	return protocol.Event{}
}

func (p *peer) wantEvent(want protocol.Msg) protocol.Event {
	p.t.Helper()
	ev := p.event()
	if !reflect.DeepEqual(ev.Msg, want) {
		p.t.Fatalf("event %#v, want %#v", ev.Msg, want)
	}
	return ev
}

var threadAnswer = map[string]any{
	"thread": map[string]any{"id": "th-1", "path": "/h/sessions/rollout-x.jsonl"}, "model": "gpt-test",
	"modelProvider": "openai", "cwd": "/w", "approvalPolicy": "untrusted", "approvalsReviewer": "user",
	"sandbox": map[string]any{"type": "workspaceWrite", "writableRoots": []any{"/extra"}, "networkAccess": true,
		"excludeTmpdirEnvVar": false, "excludeSlashTmp": true},
	"reasoningEffort": nil,
}

// started opens a session: initialize, initialized, thread/start.
func started(t *testing.T) *peer {
	t.Helper()
	p := newPeer(t, Options{Cwd: "/w", Version: "1.2.3"})
	id, params := p.expect("initialize")
	if info, _ := params["clientInfo"].(map[string]any); info["name"] != "codex-tui" || info["version"] != "1.2.3" {
		t.Fatalf("initialize params %v", params)
	}
	p.reply(id, map[string]any{"userAgent": "x"})
	if m := p.recv(); m["method"] != "initialized" || m["id"] != nil {
		t.Fatalf("after initialize: %v", m)
	}
	id, params = p.expect("thread/start")
	if params["cwd"] != "/w" {
		t.Fatalf("thread/start params %v", params)
	}
	p.reply(id, threadAnswer)
	p.wantEvent(protocol.SessionConfiguredMsg{SessionID: "th-1", Model: "gpt-test", Cwd: "/w",
		ApprovalPolicy: protocol.ApprovalUntrusted, RolloutPath: "/h/sessions/rollout-x.jsonl",
		SandboxPolicy: &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{"/extra"},
			NetworkAccess: true, ExcludeSlashTmp: true}})
	return p
}

// turn sends a prompt and answers turn/start with turn id.
func (p *peer) turn(text, id string) map[string]any {
	p.t.Helper()
	if err := p.conn.Send(protocol.Submission{ID: "s", Op: protocol.UserInputOp{Items: protocol.TextInput(text)}}); err != nil {
		p.t.Fatal(err)
	}
	rid, params := p.expect("turn/start")
	p.reply(rid, map[string]any{"turn": map[string]any{"id": id, "items": []any{}, "status": "inProgress", "error": nil}})
	p.notify("turn/started", map[string]any{"turn": map[string]any{"id": id, "items": []any{}, "status": "inProgress", "error": nil}})
	p.wantEvent(protocol.TaskStartedMsg{ModelContextWindow: p.window})
	return params
}

func (p *peer) completeTurn(id, status string) {
	p.notify("turn/completed", map[string]any{"turn": map[string]any{"id": id, "items": []any{}, "status": status, "error": nil}})
}

func cmdItem(id, status string, exit, out any) map[string]any {
	return map[string]any{"type": "commandExecution", "id": id, "command": "echo hi", "cwd": "/w", "status": status,
		"commandActions": []any{}, "aggregatedOutput": out, "exitCode": exit, "durationMs": 7}
}

// TestTurnWithApproval: a turn's item stream and an approval round trip
// become the agent events the TUI shows, in order, with every field it
// reads.
func TestTurnWithApproval(t *testing.T) {
	p := started(t)
	params := p.turn("say hi", "turn-1")
	if in := fmt.Sprint(params["input"]); !strings.Contains(in, "say hi") || params["threadId"] != "th-1" {
		t.Fatalf("turn/start params %v", params)
	}
	p.notify("item/started", map[string]any{"turnId": "turn-1", "item": cmdItem("c1", "inProgress", nil, nil)})
	p.wantEvent(protocol.ExecCommandBeginMsg{CallID: "c1", Command: []string{"bash", "-lc", "echo hi"}, Cwd: "/w"})
	p.send(map[string]any{"id": 0, "method": "item/commandExecution/requestApproval", "params": map[string]any{
		"threadId": "th-1", "turnId": "turn-1", "itemId": "c1", "command": "echo hi", "cwd": "/w", "reason": "to say hi",
		"proposedExecpolicyAmendment": []any{"echo", "hi"}}})
	p.wantEvent(protocol.ExecApprovalRequestMsg{CallID: "c1", Command: []string{"bash", "-lc", "echo hi"}, Cwd: "/w", Reason: "to say hi"})
	if err := p.conn.Send(protocol.Submission{ID: "a", Op: protocol.ExecApprovalOp{ID: "c1", Decision: protocol.DecisionApprovedForSession, Remember: true}}); err != nil {
		t.Fatal(err)
	}
	ans := p.recv()
	if got := mustJSON(t, ans); got != `{"id":0,"result":{"decision":{"acceptWithExecpolicyAmendment":{"execpolicy_amendment":["echo","hi"]}}}}` {
		t.Fatalf("approval answer %s", got)
	}
	p.notify("item/commandExecution/outputDelta", map[string]any{"turnId": "turn-1", "itemId": "c1", "delta": "hi\n"})
	p.wantEvent(protocol.ExecCommandOutputDeltaMsg{CallID: "c1", Stream: "stdout", Chunk: []byte("hi\n")})
	p.notify("item/completed", map[string]any{"turnId": "turn-1", "item": cmdItem("c1", "completed", 0, "hi\n")})
	p.wantEvent(protocol.ExecCommandEndMsg{CallID: "c1", ExitCode: 0, DurationMS: 7, AggregatedOutput: "hi\n", Status: protocol.ExecCompleted})

	p.notify("item/reasoning/summaryTextDelta", map[string]any{"turnId": "turn-1", "itemId": "r", "delta": "**Plan** a", "summaryIndex": 0})
	p.wantEvent(protocol.AgentReasoningDeltaMsg{Delta: "**Plan** a"})
	p.notify("item/completed", map[string]any{"turnId": "turn-1", "item": map[string]any{"type": "reasoning", "id": "r", "summary": []any{"**Plan** a", "nd b"}, "content": []any{}}})
	p.wantEvent(protocol.AgentReasoningMsg{Text: "**Plan** and b"})
	p.notify("turn/plan/updated", map[string]any{"turnId": "turn-1", "explanation": nil, "plan": []any{
		map[string]any{"step": "one", "status": "inProgress"}, map[string]any{"step": "two", "status": "pending"}}})
	p.wantEvent(protocol.PlanUpdateMsg{Plan: []protocol.PlanItem{{Step: "one", Status: "in_progress"}, {Step: "two", Status: "pending"}}})
	p.notify("item/agentMessage/delta", map[string]any{"turnId": "turn-1", "itemId": "m", "delta": "Hi"})
	ev := p.wantEvent(protocol.AgentMessageDeltaMsg{Delta: "Hi"})
	if ev.ID != "turn-1" {
		t.Errorf("event id %q, want the turn id", ev.ID)
	}
	p.notify("item/completed", map[string]any{"turnId": "turn-1", "item": map[string]any{"type": "agentMessage", "id": "m", "text": "Hi."}})
	p.wantEvent(protocol.AgentMessageMsg{Message: "Hi."})
	usage := map[string]any{"inputTokens": 10, "cachedInputTokens": 2, "outputTokens": 3, "reasoningOutputTokens": 1, "totalTokens": 13}
	p.notify("thread/tokenUsage/updated", map[string]any{"turnId": "turn-1", "tokenUsage": map[string]any{"total": usage, "last": usage, "modelContextWindow": 1000}})
	u := protocol.TokenUsage{InputTokens: 10, CachedInputTokens: 2, OutputTokens: 3, ReasoningOutputTokens: 1, TotalTokens: 13}
	p.wantEvent(protocol.TokenCountMsg{TotalTokenUsage: u, LastTokenUsage: u, ModelContextWindow: 1000})
	p.completeTurn("turn-1", "completed")
	p.wantEvent(protocol.TaskCompleteMsg{LastAgentMessage: "Hi."})

	// The next turn knows the context window from the start.
	p.window = 1000
	p.turn("again", "turn-2")
}

// TestPatchDeclined: a file change is announced with its changes, the
// request shows them, "decline" is answered, and a declined item shows
// nothing more (as `codex proto` applies nothing).
func TestPatchDeclined(t *testing.T) {
	p := started(t)
	p.turn("patch it", "turn-1")
	changes := []any{
		map[string]any{"path": "/w/a.txt", "kind": map[string]any{"type": "add"}, "diff": "new\n"},
		map[string]any{"path": "/w/b.txt", "kind": map[string]any{"type": "update", "move_path": "/w/c.txt"}, "diff": "@@ -1 +1 @@\n-x\n+y\n"},
	}
	item := map[string]any{"type": "fileChange", "id": "p1", "changes": changes, "status": "inProgress"}
	p.notify("item/started", map[string]any{"turnId": "turn-1", "item": item})
	want := map[string]protocol.FileChange{"/w/a.txt": {Type: "add", Content: "new\n"},
		"/w/b.txt": {Type: "update", UnifiedDiff: "@@ -1 +1 @@\n-x\n+y\n", MovePath: "/w/c.txt"}}
	p.wantEvent(protocol.PatchApplyBeginMsg{CallID: "p1", Changes: want})
	p.send(map[string]any{"id": "req-7", "method": "item/fileChange/requestApproval", "params": map[string]any{
		"threadId": "th-1", "turnId": "turn-1", "itemId": "p1", "reason": nil, "grantRoot": "/w"}})
	p.wantEvent(protocol.ApplyPatchApprovalRequestMsg{CallID: "p1", Changes: want, GrantRoot: "/w"})
	if err := p.conn.Send(protocol.Submission{ID: "a", Op: protocol.PatchApprovalOp{ID: "p1", Decision: protocol.DecisionDenied}}); err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, p.recv()); got != `{"id":"req-7","result":{"decision":"decline"}}` {
		t.Fatalf("answer %s", got)
	}
	item["status"] = "declined"
	p.notify("item/completed", map[string]any{"turnId": "turn-1", "item": item})
	p.notify("item/completed", map[string]any{"turnId": "turn-1", "item": map[string]any{"type": "agentMessage", "id": "m", "text": "ok"}})
	p.wantEvent(protocol.AgentMessageMsg{Message: "ok"})
}

// TestInterruptBeforeTheTurnIsKnown: Esc right after Enter interrupts the
// turn once its id is known; an error that fails a turn is reported once,
// when it ends; a retried stream error is a warning.
func TestInterruptBeforeTheTurnIsKnown(t *testing.T) {
	p := started(t)
	if err := p.conn.Send(protocol.Submission{ID: "1", Op: protocol.UserInputOp{Items: protocol.TextInput("go")}}); err != nil {
		t.Fatal(err)
	}
	if err := p.conn.Send(protocol.Submission{ID: "2", Op: protocol.InterruptOp{}}); err != nil {
		t.Fatal(err)
	}
	rid, _ := p.expect("turn/start")
	p.reply(rid, map[string]any{"turn": map[string]any{"id": "turn-9", "items": []any{}, "status": "inProgress", "error": nil}})
	rid, params := p.expect("turn/interrupt")
	if params["turnId"] != "turn-9" || params["threadId"] != "th-1" {
		t.Fatalf("turn/interrupt params %v", params)
	}
	p.reply(rid, map[string]any{})
	p.completeTurn("turn-9", "interrupted")
	p.wantEvent(protocol.TurnAbortedMsg{Reason: "interrupted"})

	p.turn("fail", "turn-10")
	p.notify("error", map[string]any{"turnId": "turn-10", "error": map[string]any{"message": "retrying"}, "willRetry": true})
	p.wantEvent(protocol.StreamErrorMsg{Message: "retrying"})
	p.notify("error", map[string]any{"turnId": "turn-10", "error": map[string]any{"message": "boom"}, "willRetry": false})
	p.notify("turn/completed", map[string]any{"turn": map[string]any{"id": "turn-10", "items": []any{}, "status": "failed", "error": map[string]any{"message": "boom"}}})
	p.wantEvent(protocol.ErrorMsg{Message: "boom"})
	p.notify("warning", map[string]any{"message": "heads up"})
	p.wantEvent(protocol.BackgroundEventMsg{Message: "heads up"})
}

// TestSettingsGoWithTheNextTurn: /model and /permissions changes ride on
// the next turn/start (the server keeps them), not on the one after.
func TestSettingsGoWithTheNextTurn(t *testing.T) {
	p := started(t)
	pol := protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{"/r"}}
	for _, op := range []protocol.Op{
		protocol.OverrideTurnContextOp{Model: "o3", Effort: "high"},
		protocol.OverrideTurnContextOp{ApprovalPolicy: protocol.ApprovalNever, SandboxPolicy: &pol},
	} {
		if err := p.conn.Send(protocol.Submission{ID: "o", Op: op}); err != nil {
			t.Fatal(err)
		}
	}
	params := p.turn("one", "turn-1")
	got := fmt.Sprint(params["model"], params["effort"], params["approvalPolicy"], mustJSON(t, params["sandboxPolicy"]))
	if want := `o3highnever{"excludeSlashTmp":false,"excludeTmpdirEnvVar":false,"networkAccess":false,"type":"workspaceWrite","writableRoots":["/r"]}`; got != want {
		t.Errorf("first turn settings %s, want %s", got, want)
	}
	p.completeTurn("turn-1", "completed")
	p.wantEvent(protocol.TaskCompleteMsg{})
	if params := p.turn("two", "turn-2"); params["model"] != nil || params["sandboxPolicy"] != nil {
		t.Errorf("second turn repeats the settings: %v", params)
	}
}

// TestMcpToolsAndBadLines: /mcp pages through mcpServerStatus/list; a
// line that is not JSON is an error event and the connection goes on; a
// server request the TUI does not know is refused with -32601.
func TestMcpToolsAndBadLines(t *testing.T) {
	p := started(t)
	if err := p.conn.Send(protocol.Submission{ID: "m", Op: protocol.ListMcpToolsOp{}}); err != nil {
		t.Fatal(err)
	}
	rid, params := p.expect("mcpServerStatus/list")
	if params["detail"] != "toolsAndAuthOnly" {
		t.Errorf("params %v", params)
	}
	p.reply(rid, map[string]any{"data": []any{map[string]any{"name": "docs", "tools": map[string]any{"search": map[string]any{"name": "search"}},
		"authStatus": "unsupported", "resources": []any{}, "resourceTemplates": []any{}}}, "nextCursor": "2"})
	rid, params = p.expect("mcpServerStatus/list")
	if params["cursor"] != "2" {
		t.Errorf("second page params %v", params)
	}
	p.reply(rid, map[string]any{"data": []any{map[string]any{"name": "broken", "tools": map[string]any{}, "toolsError": "spawn failed",
		"authStatus": "unsupported", "resources": []any{}, "resourceTemplates": []any{}}}, "nextCursor": nil})
	p.wantEvent(protocol.McpListToolsResponseMsg{Tools: map[string]json.RawMessage{"mcp__docs__search": json.RawMessage(`{"name":"search"}`)},
		Failures: map[string]string{"broken": "spawn failed"}})

	if _, err := p.out.Write([]byte("not json\n")); err != nil {
		t.Fatal(err)
	}
	if ev := p.event(); !strings.Contains(fmt.Sprint(ev.Msg), "bad line") {
		t.Errorf("bad line gave %#v", ev.Msg)
	}
	// An MCP tool's approval (a form without fields) is a yes/no
	// question.
	p.send(map[string]any{"id": "e1", "method": "mcpServer/elicitation/request", "params": map[string]any{"threadId": "th-1", "turnId": nil,
		"serverName": "docs", "mode": "form", "message": "Allow search?", "requestedSchema": map[string]any{"type": "object", "properties": map[string]any{}}}})
	p.wantEvent(protocol.ExecApprovalRequestMsg{CallID: "elicitation-1", Command: []string{"Allow search?"}, McpServer: "docs"})
	if err := p.conn.Send(protocol.Submission{ID: "a", Op: protocol.ExecApprovalOp{ID: "elicitation-1", Decision: protocol.DecisionApproved}}); err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, p.recv()); got != `{"id":"e1","result":{"action":"accept","content":{}}}` {
		t.Errorf("elicitation answer %s", got)
	}
	// A URL to open is declined and said.
	p.send(map[string]any{"id": "e2", "method": "mcpServer/elicitation/request", "params": map[string]any{"threadId": "th-1", "turnId": nil,
		"serverName": "docs", "mode": "url", "message": "Sign in", "url": "https://example.com/login", "elicitationId": "x"}})
	if got := mustJSON(t, p.recv()); got != `{"id":"e2","result":{"action":"decline","content":null}}` {
		t.Errorf("url elicitation answer %s", got)
	}
	p.wantEvent(protocol.BackgroundEventMsg{Message: "The docs MCP server asked for input the TUI cannot show (declined): Sign in"})
	p.send(map[string]any{"id": 5, "method": "item/tool/requestUserInput", "params": map[string]any{}})
	if got := mustJSON(t, p.recv()); !strings.Contains(got, `"id":5`) || !strings.Contains(got, `-32601`) {
		t.Errorf("unknown request answered %s", got)
	}
}

// TestShutdown: shutdown closes the server's input; its end of output is
// the session's shutdown_complete, then the events end.
func TestShutdown(t *testing.T) {
	p := started(t)
	if err := p.conn.Send(protocol.Submission{ID: "q", Op: protocol.ShutdownOp{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.in.ReadBytes('\n'); err != io.EOF {
		t.Fatalf("the server's input was not closed: %v", err)
	}
	close(p.done)
	_ = p.out.Close()
	p.wantEvent(protocol.ShutdownCompleteMsg{})
	if _, ok := <-p.conn.Events(); ok {
		t.Error("events go on after the shutdown")
	}
	if err := p.conn.Close(time.Second); err != nil {
		t.Error(err)
	}
	if err := p.conn.Send(protocol.Submission{ID: "x", Op: protocol.InterruptOp{}}); err == nil {
		t.Error("send after close succeeded")
	}
}

// TestResumeByPath opens the rollout with thread/resume.
func TestResumeByPath(t *testing.T) {
	p := newPeer(t, Options{Cwd: "/w", Resume: "/h/sessions/rollout-x.jsonl"})
	id, _ := p.expect("initialize")
	p.reply(id, map[string]any{})
	p.recv() // initialized
	id, params := p.expect("thread/resume")
	if params["path"] != "/h/sessions/rollout-x.jsonl" || params["cwd"] != "/w" {
		t.Fatalf("thread/resume params %v", params)
	}
	p.send(map[string]any{"id": id, "error": map[string]any{"code": -32600, "message": "no rollout"}})
	p.wantEvent(protocol.ErrorMsg{Message: "thread/resume: no rollout"})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFork opens a fork of a recorded session with thread/fork, in this
// directory; its answer configures the new session.
func TestFork(t *testing.T) {
	p := newPeer(t, Options{Cwd: "/w", Resume: "/h/sessions/rollout-x.jsonl", Fork: "th-0"})
	id, _ := p.expect("initialize")
	p.reply(id, map[string]any{})
	p.recv() // initialized
	id, params := p.expect("thread/fork")
	if params["threadId"] != "th-0" || params["cwd"] != "/w" {
		t.Fatalf("thread/fork params %v", params)
	}
	p.reply(id, threadAnswer)
	if ev := p.event(); ev.Msg.(protocol.SessionConfiguredMsg).SessionID != "th-1" {
		t.Errorf("forked session %#v", ev.Msg)
	}
}

// TestGranularPolicyShown: a granular policy in thread/start's answer
// reaches the TUI as that policy (its flags), not as on-request.
func TestGranularPolicyShown(t *testing.T) {
	p := newPeer(t, Options{Cwd: "/w", Version: "1.2.3"})
	id, _ := p.expect("initialize")
	p.reply(id, map[string]any{"userAgent": "x"})
	p.recv() // initialized
	id, _ = p.expect("thread/start")
	answer := map[string]any{}
	for k, v := range threadAnswer {
		answer[k] = v
	}
	answer["approvalPolicy"] = map[string]any{"granular": map[string]any{"sandbox_approval": false, "rules": true,
		"mcp_elicitations": true, "skill_approval": false, "request_permissions": false}}
	p.reply(id, answer)
	ev := p.event()
	got, ok := ev.Msg.(protocol.SessionConfiguredMsg)
	if !ok {
		t.Fatalf("event %#v, want session_configured", ev.Msg)
	}
	g, ok := got.ApprovalPolicy.Granular()
	if !ok || !g.Rules || !g.McpElicitations || g.SandboxApproval {
		t.Errorf("approval policy %q, want granular with rules and mcp_elicitations", got.ApprovalPolicy)
	}
}
