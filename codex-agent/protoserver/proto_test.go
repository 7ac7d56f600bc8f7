package protoserver_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

const addPatch = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n"

// TestEveryOpAndEvent drives one session through every op and checks
// every event type comes out in the wire shape.
func TestEveryOpAndEvent(t *testing.T) {
	t.Parallel()
	c := start(t, []modelserver.Turn{
		// turn 1: reasoning, a command, a plan, a patch (approved), then the answer.
		turnOf(modelserver.Reasoning("thinking hard", "enc"), execCall("c1", "echo out; echo err >&2")),
		turnOf(modelserver.FunctionCall("p1", "update_plan", map[string]any{"plan": []map[string]string{{"step": "write", "status": "in_progress"}}})),
		turnOf(modelserver.CustomToolCall("ap1", "apply_patch", addPatch)),
		turnOf(modelserver.Message("all done now")),
		// turn 2 (user_turn): a dropped stream, then a failing one.
		{Items: []json.RawMessage{modelserver.Message("partial")}, DropAfter: 3},
		{Fail: &modelserver.Fail{Code: "server_error", Message: "boom"}},
		{Fail: &modelserver.Fail{Code: "server_error", Message: "boom"}},
		// compact
		turnOf(modelserver.Message("SUMMARY: wrote hello.txt")),
		// turn 3 after compaction
		turnOf(modelserver.Message("still here")),
	}, func(cfg *agent.SessionConfig) {
		cfg.ApprovalPolicy = protocol.ApprovalOnRequest
		cfg.Sandbox = protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}
		cfg.ContextWindow = 100000
	})

	evs := c.turn("t1", "do everything", func(ev protocol.Event) protocol.Op {
		if m, ok := ev.Msg.(protocol.ApplyPatchApprovalRequestMsg); ok {
			return protocol.PatchApprovalOp{ID: m.CallID, Decision: protocol.DecisionApproved}
		}
		return nil
	})
	for _, want := range []string{"task_started", "agent_reasoning_delta", "agent_reasoning", "exec_command_begin",
		"exec_command_output_delta", "exec_command_end", "plan_update", "apply_patch_approval_request",
		"patch_apply_begin", "patch_apply_end", "turn_diff", "agent_message_delta", "agent_message", "token_count", "task_complete"} {
		if len(filterType(evs, want)) == 0 {
			t.Errorf("turn 1: no %s event; got %s", want, msgTypes(evs))
		}
	}
	for _, ev := range evs {
		if ev.ID != "t1" {
			t.Errorf("event %s has id %q, want t1", ev.Msg.MsgType(), ev.ID)
		}
	}
	if got := find[protocol.TaskCompleteMsg](evs)[0].LastAgentMessage; got != "all done now" {
		t.Errorf("last agent message = %q, want %q", got, "all done now")
	}
	if b, err := os.ReadFile(filepath.Join(c.dir, "hello.txt")); err != nil || string(b) != "hello\n" {
		t.Errorf("hello.txt = %q, %v; want hello", b, err)
	}
	tc := find[protocol.TokenCountMsg](evs)
	if last := tc[len(tc)-1]; last.ModelContextWindow != 100000 || last.ContextWindowRemaining != 100000-120 {
		t.Errorf("token_count = %+v, want window 100000 and 99880 remaining", last)
	}

	// override_turn_context, then user_turn with its own settings.
	c.submit("o1", protocol.OverrideTurnContextOp{Model: "other-model"})
	c.submit("t2", protocol.UserTurnOp{Items: protocol.TextInput("again"), Cwd: c.dir,
		ApprovalPolicy: protocol.ApprovalNever, SandboxPolicy: &protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}})
	evs = c.until(nil, "task_complete", "turn_aborted")
	if len(find[protocol.StreamErrorMsg](evs)) == 0 || len(find[protocol.ErrorMsg](evs)) == 0 {
		t.Errorf("turn 2: want stream_error and error; got %s", msgTypes(evs))
	}
	var body struct {
		Model string `json:"model"`
	}
	reqs := c.srv.Requests()
	if err := reqs[len(reqs)-1].JSON(&body); err != nil || body.Model != "other-model" {
		t.Errorf("model after override = %q, %v; want other-model", body.Model, err)
	}

	// add_to_history, get_history_entry_request.
	c.submit("h1", protocol.AddToHistoryOp{Text: "first prompt"})
	c.submit("h2", protocol.GetHistoryEntryRequestOp{Offset: 0})
	ev := c.next()
	hr, ok := ev.Msg.(protocol.GetHistoryEntryResponseMsg)
	if !ok || ev.ID != "h2" || hr.Entry == nil || *hr.Entry != "first prompt" {
		t.Fatalf("history response = %#v, want entry %q", ev, "first prompt")
	}
	c.submit("h3", protocol.GetHistoryEntryRequestOp{Offset: 5})
	if ev := c.next(); ev.Msg.(protocol.GetHistoryEntryResponseMsg).Entry != nil {
		t.Errorf("history entry 5 = %#v, want none", ev)
	}

	// compact, then a turn on the compacted history.
	c.submit("k1", protocol.CompactOp{})
	evs = c.until(nil, "task_complete", "turn_aborted")
	if got := msgTypes(evs); got != "task_started,token_count,agent_message,task_complete" {
		t.Errorf("compact events = %s", got)
	}
	evs = c.turn("t3", "continue", nil)
	if got := find[protocol.TaskCompleteMsg](evs); len(got) != 1 || got[0].LastAgentMessage != "still here" {
		t.Errorf("turn after compact: %s", msgTypes(evs))
	}
	in := inputText(c.requestInput(len(c.srv.Requests()) - 1))
	if !strings.Contains(in, "SUMMARY: wrote hello.txt") || strings.Contains(in, "all done now") || !strings.Contains(in, "do everything") {
		t.Errorf("history after compaction should hold the summary and user prompts but not old answers:\n%s", in)
	}

	// interrupt with nothing running is harmless; shutdown ends the session.
	c.submit("i1", protocol.InterruptOp{})
	c.submit("s1", protocol.ShutdownOp{})
	ev = c.next()
	if _, ok := ev.Msg.(protocol.ShutdownCompleteMsg); !ok || ev.ID != "s1" {
		t.Fatalf("after shutdown got %#v, want shutdown_complete", ev)
	}
	if err := <-c.done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	c.done <- nil
}

func filterType(evs []protocol.Event, typ string) []protocol.Event {
	var out []protocol.Event
	for _, e := range evs {
		if e.Msg.MsgType() == typ {
			out = append(out, e)
		}
	}
	return out
}

// TestMalformedInput checks bad lines get error events naming the line
// and the session carries on.
func TestMalformedInput(t *testing.T) {
	t.Parallel()
	c := start(t, []modelserver.Turn{turnOf(modelserver.Message("fine"))}, nil)
	tests := []struct {
		line   string
		id     string
		substr string
	}{
		{`this is not json`, "", "line 1: invalid submission"},
		{`{"id":"a"}`, "a", `line 2: invalid submission: submission "a": missing "op"`},
		{`{"id":"b","op":{"type":"warp_drive"}}`, "b", `line 3: unknown op type "warp_drive"`},
		{`{"id":"c","op":{"type":"exec_approval","decision":5}}`, "c", "line 4: invalid submission"},
		{`{"id":"d","op":{"type":"exec_approval","id":"nope","decision":"approved"}}`, "d", `no pending approval with id "nope"`},
		{`[1,2,3]`, "", "line 6: invalid submission"},
		{`{"id":7,"op":{"type":"interrupt"}}`, "7", "line 7: invalid submission"},
	}
	for _, tt := range tests {
		c.send(tt.line)
		ev := c.next()
		m, ok := ev.Msg.(protocol.ErrorMsg)
		if !ok || ev.ID != tt.id || !strings.Contains(m.Message, tt.substr) {
			t.Errorf("%s: got %#v, want error with id %q containing %q", tt.line, ev, tt.id, tt.substr)
		}
	}
	c.send("") // blank lines are skipped
	evs := c.turn("ok", "still alive?", nil)
	if got := find[protocol.TaskCompleteMsg](evs); len(got) != 1 || got[0].LastAgentMessage != "fine" {
		t.Errorf("turn after bad input: %s", msgTypes(evs))
	}
}

// TestEndOfInputFinishesTurns checks closing stdin after a prompt lets
// the turn finish before the session shuts down.
func TestEndOfInputFinishesTurns(t *testing.T) {
	t.Parallel()
	c := start(t, []modelserver.Turn{turnOf(execCall("c1", "echo slow")), turnOf(modelserver.Message("finished"))}, nil)
	c.submit("t1", protocol.UserInputOp{Items: protocol.TextInput("go")})
	_ = c.in.Close()
	evs := c.until(nil, "shutdown_complete")
	tc := find[protocol.TaskCompleteMsg](evs)
	if len(tc) != 1 || tc[0].LastAgentMessage != "finished" {
		t.Errorf("events before shutdown: %s", msgTypes(evs))
	}
}
