package agent

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

type harness struct {
	t   *testing.T
	srv *modelserver.Server
	s   *Session
	dir string
}

func noSleep(context.Context, time.Duration) error { return nil }

func newHarness(t *testing.T, turns []modelserver.Turn, mutate func(*SessionConfig)) *harness {
	t.Helper()
	srv, err := modelserver.Start(modelserver.Script{Turns: turns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir := t.TempDir()
	cfg := SessionConfig{
		Model:          "mock-model",
		Client:         &model.Responses{HTTP: model.HTTP{BaseURL: srv.URL(), Sleep: noSleep}},
		Retry:          model.StreamRetry{Max: 2, Sleep: noSleep},
		Cwd:            dir,
		ApprovalPolicy: protocol.ApprovalNever,
		Sandbox:        protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite},
		Tools:          ToolSet{Shell: ShellExecCommand, FreeformPatch: true, Plan: true},
		Instructions:   "base instructions",
		Env:            map[string]string{"PATH": os.Getenv("PATH"), "HOME": dir},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		for range s.Events() {
		}
		<-done
	})
	first := <-s.Events()
	if _, ok := first.Msg.(protocol.SessionConfiguredMsg); !ok {
		t.Fatalf("first event = %#v", first)
	}
	return &harness{t: t, srv: srv, s: s, dir: dir}
}

// turn submits a prompt and collects events up to the turn's end; answer,
// if set, answers approval requests.
func (h *harness) turn(prompt string, answer func(protocol.Msg) protocol.Op) []protocol.Msg {
	h.t.Helper()
	ctx := context.Background()
	if err := h.s.Submit(ctx, protocol.Submission{ID: "t1", Op: protocol.UserInputOp{Items: protocol.TextInput(prompt)}}); err != nil {
		h.t.Fatal(err)
	}
	return h.collect(answer)
}

func (h *harness) collect(answer func(protocol.Msg) protocol.Op) []protocol.Msg {
	h.t.Helper()
	var out []protocol.Msg
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-h.s.Events():
			if !ok {
				h.t.Fatal("events closed")
			}
			out = append(out, ev.Msg)
			switch ev.Msg.(type) {
			case protocol.TaskCompleteMsg, protocol.TurnAbortedMsg:
				return out
			case protocol.ExecApprovalRequestMsg, protocol.ApplyPatchApprovalRequestMsg:
				if answer != nil {
					if op := answer(ev.Msg); op != nil {
						go func() { _ = h.s.Submit(context.Background(), protocol.Submission{ID: "a", Op: op}) }()
					}
				}
			}
		case <-timeout:
			h.t.Fatalf("turn did not end; events so far: %s", types(out))
		}
	}
}

func types(ms []protocol.Msg) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.MsgType())
	}
	return strings.Join(s, ",")
}

func find[T protocol.Msg](ms []protocol.Msg) []T {
	var out []T
	for _, m := range ms {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// requestInput returns the input items of the n-th model request.
func (h *harness) requestInput(n int) []model.Item {
	h.t.Helper()
	reqs := h.srv.Requests()
	if n >= len(reqs) {
		h.t.Fatalf("only %d requests", len(reqs))
	}
	var body struct {
		Input []model.Item `json:"input"`
	}
	if err := reqs[n].JSON(&body); err != nil {
		h.t.Fatal(err)
	}
	return body.Input
}

func outputOf(t *testing.T, items []model.Item, callID string) string {
	t.Helper()
	for _, it := range items {
		if (it.Type == "function_call_output" || it.Type == "custom_tool_call_output") && it.CallID == callID {
			return it.OutputText()
		}
	}
	t.Fatalf("no output for %s", callID)
	return ""
}

func TestExecCommandTurn(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "echo out; echo err >&2; exit 3"})}},
		{Items: []json.RawMessage{modelserver.Message("done")}},
	}, nil)
	msgs := h.turn("run it", nil)
	want := "task_started,token_count,exec_command_begin,exec_command_output_delta"
	if got := types(msgs); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "agent_message,token_count,task_complete") {
		t.Errorf("events = %s", got)
	}
	ends := find[protocol.ExecCommandEndMsg](msgs)
	if len(ends) != 1 || ends[0].ExitCode != 3 || ends[0].Status != protocol.ExecFailed || ends[0].Stdout != "out\n" || ends[0].Stderr != "err\n" {
		t.Fatalf("end = %+v", ends)
	}
	begin := find[protocol.ExecCommandBeginMsg](msgs)[0]
	if strings.Join(begin.Command, " ") != "/bin/bash -lc echo out; echo err >&2; exit 3" || begin.Cwd != h.dir {
		t.Errorf("begin = %+v", begin)
	}
	out := outputOf(t, h.requestInput(1), "c1")
	for _, frag := range []string{"Chunk ID: ", "\nWall time: ", "\nProcess exited with code 3\n", "Original token count: ", "\nOutput:\n"} {
		if !strings.Contains(out, frag) {
			t.Errorf("output %q lacks %q", out, frag)
		}
	}
	if !strings.Contains(out, "out\n") || !strings.Contains(out, "err\n") {
		t.Errorf("output %q lacks the command output", out)
	}
	tc := find[protocol.TaskCompleteMsg](msgs)[0]
	if tc.LastAgentMessage != "done" {
		t.Errorf("last = %q", tc.LastAgentMessage)
	}
	// The first request: developer base instructions, then the prompt.
	in := h.requestInput(0)
	if in[0].Role != "developer" || in[0].Text() != "base instructions" || in[len(in)-1].Text() != "run it" {
		t.Errorf("first input = %+v", in)
	}
	// The second request resends the history: call and output included.
	in2 := h.requestInput(1)
	if len(in2) != len(in)+2 || in2[len(in)].Type != "function_call" {
		t.Errorf("second input has %d items", len(in2))
	}
}

func TestClassicShellAndLocalShell(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{
			modelserver.FunctionCall("c1", "shell", map[string]any{"command": []string{"printf", "%s", "hi"}}),
			modelserver.LocalShellCall("c2", []string{"sh", "-c", "echo local"}),
		}},
		{Items: []json.RawMessage{modelserver.Message("ok")}},
	}, func(c *SessionConfig) { c.Tools = ToolSet{Shell: ShellClassic} })
	h.turn("go", nil)
	in := h.requestInput(1)
	var got struct {
		Output   string `json:"output"`
		Metadata struct {
			ExitCode int `json:"exit_code"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(outputOf(t, in, "c1")), &got); err != nil || got.Output != "hi" || got.Metadata.ExitCode != 0 {
		t.Errorf("shell output = %+v (%v)", got, err)
	}
	if err := json.Unmarshal([]byte(outputOf(t, in, "c2")), &got); err != nil || got.Output != "local\n" {
		t.Errorf("local_shell output = %+v (%v)", got, err)
	}
	// The tools offered: shell (classic) and apply_patch as a function.
	var body struct {
		Tools []struct {
			Type, Name string
		} `json:"tools"`
	}
	if err := h.srv.Requests()[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if len(body.Tools) != 2 || body.Tools[0].Name != "shell" || body.Tools[1].Name != "apply_patch" || body.Tools[1].Type != "function" {
		t.Errorf("tools = %+v", body.Tools)
	}
}

func TestUpdatePlanAndUnknownTool(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{
			modelserver.FunctionCall("c1", "update_plan", map[string]any{"plan": []any{map[string]any{"step": "a", "status": "in_progress"}}}),
			modelserver.FunctionCall("c2", "frobnicate", map[string]any{}),
		}},
		{Items: []json.RawMessage{modelserver.Message("ok")}},
	}, nil)
	msgs := h.turn("plan", nil)
	plans := find[protocol.PlanUpdateMsg](msgs)
	if len(plans) != 1 || plans[0].Plan[0].Step != "a" {
		t.Errorf("plans = %+v", plans)
	}
	in := h.requestInput(1)
	if out := outputOf(t, in, "c1"); out != "Plan updated" {
		t.Errorf("c1 = %q", out)
	}
	if out := outputOf(t, in, "c2"); out != "unsupported call: frobnicate" {
		t.Errorf("c2 = %q", out)
	}
}

func TestStreamRetryAndFailure(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{
		{Fail: &modelserver.Fail{Code: "server_error", Message: "boom"}},
		{Items: []json.RawMessage{modelserver.Message("partial")}, DropAfter: 4},
		{Items: []json.RawMessage{modelserver.Message("fine")}},
		{Status: 400, Body: `{"error":{"message":"bad request"}}`},
	}, nil)
	msgs := h.turn("one", nil)
	se := find[protocol.StreamErrorMsg](msgs)
	if len(se) != 2 || se[0].Message != "Reconnecting... 1/2 (stream disconnected before completion: boom)" {
		t.Errorf("stream errors = %+v", se)
	}
	if tc := find[protocol.TaskCompleteMsg](msgs); tc[0].LastAgentMessage != "fine" {
		t.Errorf("last = %q", tc[0].LastAgentMessage)
	}
	msgs = h.turn("two", nil)
	errs := find[protocol.ErrorMsg](msgs)
	if len(errs) != 1 || errs[0].Message != `{"error":{"message":"bad request"}}` {
		t.Errorf("errors = %+v", errs)
	}
}

func TestInterruptDuringCommand(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "echo started; sleep 30"})}},
		{Items: []json.RawMessage{modelserver.Message("after")}},
	}, nil)
	ctx := context.Background()
	if err := h.s.Submit(ctx, protocol.Submission{ID: "t1", Op: protocol.UserInputOp{Items: protocol.TextInput("go")}}); err != nil {
		t.Fatal(err)
	}
	// Wait for the command's first output, then interrupt.
	for ev := range h.s.Events() {
		if d, ok := ev.Msg.(protocol.ExecCommandOutputDeltaMsg); ok && strings.Contains(string(d.Chunk), "started") {
			break
		}
	}
	start := time.Now()
	if err := h.s.Submit(ctx, protocol.Submission{ID: "i", Op: protocol.InterruptOp{}}); err != nil {
		t.Fatal(err)
	}
	msgs := h.collect(nil)
	if _, ok := msgs[len(msgs)-1].(protocol.TurnAbortedMsg); !ok {
		t.Fatalf("events = %s", types(msgs))
	}
	// The command would run for minutes: a bound far above any load
	// tells "interrupted" from "waited for it" without timing the machine.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("interrupt took %v", d)
	}
	// The session stays usable, and the history holds an output for c1.
	msgs = h.turn("again", nil)
	if tc := find[protocol.TaskCompleteMsg](msgs); len(tc) != 1 || tc[0].LastAgentMessage != "after" {
		t.Errorf("second turn = %s", types(msgs))
	}
	outputOf(t, h.requestInput(1), "c1")
}

// echoTool is an ExternalTool answering calls to "echo".
type echoTool struct{}

func (echoTool) Specs() []json.RawMessage {
	return []json.RawMessage{json.RawMessage(`{"type":"function","name":"echo","parameters":{"type":"object"}}`)}
}

func (echoTool) Handle(_ context.Context, c model.Item, emit func(protocol.Msg)) (model.Item, bool) {
	if c.Name != "echo" {
		return model.Item{}, false
	}
	emit(protocol.McpToolCallBeginMsg{CallID: c.CallID, Server: "test", Tool: "echo", Arguments: json.RawMessage(c.Arguments)})
	emit(protocol.McpToolCallEndMsg{CallID: c.CallID, Server: "test", Tool: "echo", Result: json.RawMessage(`{"content":[{"type":"text","text":"echoed"}]}`)})
	return model.FunctionOutput(c.CallID, "echoed: "+c.Arguments), true
}

func TestExternalTools(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "echo", map[string]any{"x": 1})}},
		{Items: []json.RawMessage{modelserver.Message("ok")}},
	}, func(c *SessionConfig) { c.External = []ExternalTool{echoTool{}} })
	msgs := h.turn("go", nil)
	if out := outputOf(t, h.requestInput(1), "c1"); out != `echoed: {"x":1}` {
		t.Errorf("output = %q", out)
	}
	if len(find[protocol.McpToolCallEndMsg](msgs)) != 1 {
		t.Errorf("events = %s", types(msgs))
	}
	var body struct {
		Tools []struct{ Name string } `json:"tools"`
	}
	if err := h.srv.Requests()[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if body.Tools[len(body.Tools)-1].Name != "echo" {
		t.Errorf("tools = %+v", body.Tools)
	}
}

func TestInterruptDuringModelStream(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.Message("thinking out loud")}, Hang: true},
		{Items: []json.RawMessage{modelserver.Message("after")}},
	}, nil)
	ctx := context.Background()
	if err := h.s.Submit(ctx, protocol.Submission{ID: "t1", Op: protocol.UserInputOp{Items: protocol.TextInput("go")}}); err != nil {
		t.Fatal(err)
	}
	for ev := range h.s.Events() {
		if _, ok := ev.Msg.(protocol.AgentMessageDeltaMsg); ok {
			break
		}
	}
	start := time.Now()
	if err := h.s.Submit(ctx, protocol.Submission{ID: "i", Op: protocol.InterruptOp{}}); err != nil {
		t.Fatal(err)
	}
	msgs := h.collect(nil)
	if _, ok := msgs[len(msgs)-1].(protocol.TurnAbortedMsg); !ok {
		t.Fatalf("events = %s", types(msgs))
	}
	// The stream hangs forever: any bound tells "interrupted" from
	// "waited", so it is far above what a loaded machine needs.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("interrupt took %v", d)
	}
	if tc := find[protocol.TaskCompleteMsg](h.turn("again", nil)); len(tc) != 1 || tc[0].LastAgentMessage != "after" {
		t.Errorf("second turn failed")
	}
}

func TestUnknownOpAndApproval(t *testing.T) {
	h := newHarness(t, nil, nil)
	ctx := context.Background()
	for _, op := range []protocol.Op{protocol.UnknownOp{Type: "frob"}, protocol.ExecApprovalOp{ID: "nope", Decision: protocol.DecisionApproved}} {
		if err := h.s.Submit(ctx, protocol.Submission{ID: "x", Op: op}); err != nil {
			t.Fatal(err)
		}
		ev := <-h.s.Events()
		if e, ok := ev.Msg.(protocol.ErrorMsg); !ok || ev.ID != "x" {
			t.Errorf("event = %#v", ev)
		} else if e.Message == "" {
			t.Errorf("empty error")
		}
	}
	if err := h.s.Submit(ctx, protocol.Submission{ID: "s", Op: protocol.ShutdownOp{}}); err != nil {
		t.Fatal(err)
	}
	if ev := <-h.s.Events(); ev.Msg.MsgType() != "shutdown_complete" {
		t.Errorf("event = %#v", ev)
	}
	if _, ok := <-h.s.Events(); ok {
		t.Errorf("events not closed after shutdown")
	}
}
