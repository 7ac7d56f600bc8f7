package appconn

import (
	"encoding/json"
	"testing"

	"github.com/codexgo/common/protocol"
)

func (p *peer) submit(id string, op protocol.Op) {
	p.t.Helper()
	if err := p.conn.Send(protocol.Submission{ID: id, Op: op}); err != nil {
		p.t.Fatal(err)
	}
}

// TestSteer: input sent while a turn runs goes to that turn with
// turn/steer (naming the turn it expects); the server's answer, accepted
// or refused with its reason, is a SteerResultMsg by submission id; with
// no turn running it is refused without asking the server.
func TestSteer(t *testing.T) {
	p := started(t)
	p.submit("s0", protocol.SteerOp{Items: protocol.TextInput("idle")})
	p.wantEvent(SteerResultMsg{SubmissionID: "s0", Reason: "no turn is running"})

	p.turn("go", "turn-1")
	p.submit("s1", protocol.SteerOp{Items: protocol.TextInput("also check the tests")})
	rid, params := p.expect("turn/steer")
	if got := mustJSON(t, params); got != `{"expectedTurnId":"turn-1","input":[{"text":"also check the tests","text_elements":[],"type":"text"}],"threadId":"th-1"}` {
		t.Fatalf("turn/steer params %s", got)
	}
	p.reply(rid, map[string]any{"turnId": "turn-1"})
	p.wantEvent(SteerResultMsg{SubmissionID: "s1", Accepted: true})

	p.submit("s2", protocol.SteerOp{Items: protocol.TextInput("during a review")})
	rid, _ = p.expect("turn/steer")
	p.send(map[string]any{"id": rid, "error": map[string]any{"code": -32600, "message": "turn turn-1 is not steerable"}})
	p.wantEvent(SteerResultMsg{SubmissionID: "s2", Reason: "turn turn-1 is not steerable"})
}

// TestSteerBeforeTheTurnIsKnown: a steer right after a prompt waits for
// the turn's id and then steers that turn; one held while an interrupt
// is pending, or whose turn failed to start, is refused (the TUI queues
// it) instead of being lost with the turn.
func TestSteerBeforeTheTurnIsKnown(t *testing.T) {
	p := started(t)
	p.submit("1", protocol.UserInputOp{Items: protocol.TextInput("go")})
	p.submit("2", protocol.SteerOp{Items: protocol.TextInput("more")})
	rid, _ := p.expect("turn/start")
	p.reply(rid, map[string]any{"turn": map[string]any{"id": "turn-3", "items": []any{}, "status": "inProgress", "error": nil}})
	rid, params := p.expect("turn/steer")
	if params["expectedTurnId"] != "turn-3" {
		t.Fatalf("turn/steer params %v", params)
	}
	p.reply(rid, map[string]any{"turnId": "turn-3"})
	p.wantEvent(SteerResultMsg{SubmissionID: "2", Accepted: true})
	p.completeTurn("turn-3", "completed")
	p.wantEvent(protocol.TaskCompleteMsg{})

	p.submit("3", protocol.UserInputOp{Items: protocol.TextInput("go")})
	p.submit("4", protocol.SteerOp{Items: protocol.TextInput("lost?")})
	p.submit("5", protocol.InterruptOp{})
	rid, _ = p.expect("turn/start")
	p.reply(rid, map[string]any{"turn": map[string]any{"id": "turn-4", "items": []any{}, "status": "inProgress", "error": nil}})
	p.wantEvent(SteerResultMsg{SubmissionID: "4", Reason: "the turn was interrupted"})
	p.expect("turn/interrupt")

	p.submit("6", protocol.UserInputOp{Items: protocol.TextInput("go")})
	p.submit("7", protocol.SteerOp{Items: protocol.TextInput("again")})
	rid, _ = p.expect("turn/start")
	p.send(map[string]any{"id": rid, "error": map[string]any{"code": -32600, "message": "busy"}})
	p.wantEvent(SteerResultMsg{SubmissionID: "7", Reason: "the turn did not start"})
	p.wantEvent(protocol.ErrorMsg{Message: "turn/start: busy"})
}

// TestReviewStart: a review is review/start with its target (inline);
// its turn is learnt from the answer like turn/start's, so Esc
// interrupts it; the review-mode items become ReviewModeMsg.
func TestReviewStart(t *testing.T) {
	p := started(t)
	for _, tc := range []struct {
		target ReviewTarget
		want   string
	}{
		{ReviewTarget{Type: "uncommittedChanges"}, `{"type":"uncommittedChanges"}`},
		{ReviewTarget{Type: "baseBranch", Branch: "main"}, `{"branch":"main","type":"baseBranch"}`},
		{ReviewTarget{Type: "commit", Sha: "abc1234", Title: "fix parser"}, `{"sha":"abc1234","title":"fix parser","type":"commit"}`},
		{ReviewTarget{Type: "custom", Instructions: "look at parse.go"}, `{"instructions":"look at parse.go","type":"custom"}`},
	} {
		p.submit("r", ReviewOp{Target: tc.target})
		p.submit("i", protocol.InterruptOp{})
		rid, params := p.expect("review/start")
		if got := mustJSON(t, params["target"]); got != tc.want || params["delivery"] != "inline" || params["threadId"] != "th-1" {
			t.Errorf("review/start params %v, target %s, want %s", params, got, tc.want)
		}
		p.reply(rid, map[string]any{"reviewThreadId": "th-1", "turn": map[string]any{"id": "rev-1", "items": []any{}, "status": "inProgress", "error": nil}})
		if _, params := p.expect("turn/interrupt"); params["turnId"] != "rev-1" {
			t.Errorf("turn/interrupt params %v", params)
		}
		p.completeTurn("rev-1", "interrupted")
		p.wantEvent(protocol.TurnAbortedMsg{Reason: "interrupted"})
	}
	p.turn("review", "turn-2")
	p.notify("item/started", map[string]any{"turnId": "turn-2", "item": map[string]any{"type": "enteredReviewMode", "id": "e", "review": "current changes"}})
	p.notify("item/completed", map[string]any{"turnId": "turn-2", "item": map[string]any{"type": "enteredReviewMode", "id": "e", "review": "current changes"}})
	p.wantEvent(ReviewModeMsg{Entered: true, Review: "current changes"})
	p.notify("item/completed", map[string]any{"turnId": "turn-2", "item": map[string]any{"type": "exitedReviewMode", "id": "x", "review": "No issues found."}})
	p.wantEvent(ReviewModeMsg{Review: "No issues found."})
}

// TestElicitationForm: an MCP server's form with fields reaches the TUI
// with its schema; the form view's answer is the response: accept with
// the content, decline or cancel without.
func TestElicitationForm(t *testing.T) {
	p := started(t)
	schema := map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}, "required": []any{"name"}}
	for i, tc := range []struct {
		op   protocol.ResolveElicitationOp
		want string
	}{
		{protocol.ResolveElicitationOp{Decision: "accept", Content: json.RawMessage(`{"name":"Ada"}`)}, `"result":{"action":"accept","content":{"name":"Ada"}}`},
		{protocol.ResolveElicitationOp{Decision: "decline"}, `"result":{"action":"decline","content":null}`},
		{protocol.ResolveElicitationOp{Decision: "cancel"}, `"result":{"action":"cancel","content":null}`},
	} {
		p.send(map[string]any{"id": i, "method": "mcpServer/elicitation/request", "params": map[string]any{"threadId": "th-1", "turnId": "turn-1",
			"serverName": "docs", "mode": "form", "message": "Your name?", "requestedSchema": schema}})
		ev := p.event()
		req, ok := ev.Msg.(protocol.ElicitationRequestMsg)
		if !ok || req.ServerName != "docs" || req.Message != "Your name?" || req.Mode != "form" || req.TurnID != "turn-1" ||
			mustJSON(t, req.RequestedSchema) != mustJSON(t, schema) {
			t.Fatalf("event %#v", ev.Msg)
		}
		tc.op.RequestID = req.ID
		p.submit("e", tc.op)
		got := mustJSON(t, p.recv())
		if want := `{"id":` + mustJSON(t, i) + `,` + tc.want + `}`; got != want {
			t.Errorf("answer %s, want %s", got, want)
		}
	}
}

// TestElicitationOutlivesOtherTurns: an elicitation that came between
// turns (no turn id) can still be answered after a turn ends; one of the
// ended turn is withdrawn with it.
func TestElicitationOutlivesOtherTurns(t *testing.T) {
	p := started(t)
	schema := map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}}
	p.send(map[string]any{"id": "free", "method": "mcpServer/elicitation/request", "params": map[string]any{"threadId": "th-1", "turnId": nil,
		"serverName": "docs", "mode": "form", "message": "Name?", "requestedSchema": schema}})
	free := p.event().Msg.(protocol.ElicitationRequestMsg)
	p.turn("go", "turn-1")
	p.send(map[string]any{"id": "bound", "method": "mcpServer/elicitation/request", "params": map[string]any{"threadId": "th-1", "turnId": "turn-1",
		"serverName": "docs", "mode": "form", "message": "Name?", "requestedSchema": schema}})
	bound := p.event().Msg.(protocol.ElicitationRequestMsg)
	p.completeTurn("turn-1", "completed")
	p.wantEvent(protocol.TaskCompleteMsg{})
	p.submit("b", protocol.ResolveElicitationOp{RequestID: bound.ID, Decision: "accept", Content: json.RawMessage(`{"name":"x"}`)})
	p.submit("f", protocol.ResolveElicitationOp{RequestID: free.ID, Decision: "accept", Content: json.RawMessage(`{"name":"Ada"}`)})
	if got := mustJSON(t, p.recv()); got != `{"id":"free","result":{"action":"accept","content":{"name":"Ada"}}}` {
		t.Errorf("answer %s, want only the free elicitation's", got)
	}
}
