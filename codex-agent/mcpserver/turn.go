package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/codexgo/common/protocol"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// runTurn submits a prompt to a thread and relays the turn's events until
// it ends; cancelling ctx (notifications/cancelled, or the client going
// away) interrupts the turn.
func (s *Server) runTurn(ctx context.Context, req *mcp.CallToolRequest, th *thread, prompt string) *mcp.CallToolResult {
	select {
	case th.turn <- struct{}{}:
	case <-ctx.Done():
		return errorResult("Codex runtime error: %v", ctx.Err())
	}
	defer func() { <-th.turn }()
	var reqID any
	if req.Params.Meta != nil {
		reqID = req.Params.Meta[requestIDKey]
		delete(req.Params.Meta, requestIDKey)
	}
	token := req.Params.GetProgressToken()
	subID := fmt.Sprint(reqID)
	if reqID == nil {
		subID = "turn"
	}
	bg := context.WithoutCancel(ctx)
	progress := 0
	relay := func(ev protocol.Event) {
		c := s.connection()
		if c != nil {
			_ = c.notify(bg, "codex/event", eventParams(ev, reqID, th.id))
		}
		if token != nil && !isDelta(ev.Msg) {
			progress++
			_ = req.Session.NotifyProgress(bg, &mcp.ProgressNotificationParams{ProgressToken: token,
				Progress: float64(progress), Message: describe(ev.Msg)})
		}
	}
	if th.configured != nil {
		relay(*th.configured)
		th.configured = nil
	}
	if err := th.sess.Submit(ctx, protocol.Submission{ID: subID, Op: protocol.UserInputOp{Items: protocol.TextInput(prompt)}}); err != nil {
		return errorResult("Codex runtime error: %v", err)
	}
	// Approvals are asked concurrently so that a cancel is still seen
	// while the client thinks; they end with the turn.
	askCtx, stopAsking := context.WithCancel(bg)
	defer stopAsking()
	lastErr := ""
	done := ctx.Done()
	for {
		select {
		case ev, ok := <-th.sess.Events():
			if !ok {
				return errorResult("Codex runtime error: the session ended")
			}
			relay(ev)
			switch m := ev.Msg.(type) {
			case protocol.ExecApprovalRequestMsg:
				go s.askExec(askCtx, th, reqID, ev.ID, m)
			case protocol.ApplyPatchApprovalRequestMsg:
				go s.askPatch(askCtx, th, reqID, ev.ID, m)
			case protocol.ErrorMsg:
				lastErr = m.Message
			case protocol.TaskCompleteMsg:
				if m.LastAgentMessage == "" && lastErr != "" {
					return errorResult("Codex runtime error: %s", lastErr)
				}
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: m.LastAgentMessage}},
					StructuredContent: map[string]any{"threadId": th.id, "content": m.LastAgentMessage}}
			case protocol.TurnAbortedMsg:
				return errorResult("Codex turn aborted: %s", m.Reason)
			}
		case <-done:
			done = nil
			stopAsking()
			_ = th.sess.Submit(bg, protocol.Submission{ID: subID, Op: protocol.InterruptOp{}})
		}
	}
}

// eventParams is a codex/event notification's params: the event with
// _meta naming the tools/call and the thread.
func eventParams(ev protocol.Event, reqID any, threadID string) any {
	b, err := json.Marshal(ev)
	if err != nil {
		return map[string]any{"_meta": map[string]any{"requestId": reqID, "threadId": threadID}}
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		m = map[string]any{}
	}
	m["_meta"] = map[string]any{"requestId": reqID, "threadId": threadID}
	return m
}

func isDelta(m protocol.Msg) bool {
	switch m.(type) {
	case protocol.AgentMessageDeltaMsg, protocol.AgentReasoningDeltaMsg, protocol.ExecCommandOutputDeltaMsg:
		return true
	}
	return false
}

// describe is a progress notification's one-line message.
func describe(m protocol.Msg) string {
	switch e := m.(type) {
	case protocol.ExecCommandBeginMsg:
		return "running " + shellJoin(e.Command)
	case protocol.ExecCommandEndMsg:
		return fmt.Sprintf("command exited with code %d", e.ExitCode)
	case protocol.ExecApprovalRequestMsg:
		return "waiting for approval to run " + shellJoin(e.Command)
	case protocol.ApplyPatchApprovalRequestMsg:
		return "waiting for approval to apply a patch"
	case protocol.PatchApplyEndMsg:
		if e.Success {
			return "patch applied"
		}
		return "patch failed"
	case protocol.AgentMessageMsg:
		return e.Message
	case protocol.AgentReasoningMsg:
		return e.Text
	case protocol.ErrorMsg:
		return "error: " + e.Message
	case protocol.StreamErrorMsg:
		return e.Message
	case protocol.PlanUpdateMsg:
		var steps []string
		for _, p := range e.Plan {
			steps = append(steps, p.Status+": "+p.Step)
		}
		return "plan: " + strings.Join(steps, "; ")
	}
	return strings.ReplaceAll(m.MsgType(), "_", " ")
}

// shellJoin quotes argv for display as a shell command.
func shellJoin(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// decisionSchema lets a standard client show the four decisions as a
// form; a Codex-aware client answers {decision} directly.
func decisionSchema() map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{
		"decision": map[string]any{"type": "string", "title": "Decision",
			"enum": []string{"approved", "approved_for_session", "denied", "abort"}},
	}}
}

func (s *Server) askExec(ctx context.Context, th *thread, reqID any, eventID string, m protocol.ExecApprovalRequestMsg) {
	params := map[string]any{
		"message":                fmt.Sprintf("Allow Codex to run `%s` in `%s`?", shellJoin(m.Command), m.Cwd),
		"requestedSchema":        decisionSchema(),
		"threadId":               th.id,
		"codex_elicitation":      "exec-approval",
		"codex_mcp_tool_call_id": reqID,
		"codex_event_id":         eventID,
		"codex_call_id":          m.CallID,
		"codex_command":          m.Command,
		"codex_cwd":              m.Cwd,
		"codex_parsed_cmd":       m.ParsedCmd,
	}
	if m.Reason != "" {
		params["codex_reason"] = m.Reason
	}
	s.answer(ctx, th, params, func(d protocol.ReviewDecision) protocol.Op {
		return protocol.ExecApprovalOp{ID: m.CallID, Decision: d}
	})
}

func (s *Server) askPatch(ctx context.Context, th *thread, reqID any, eventID string, m protocol.ApplyPatchApprovalRequestMsg) {
	msg := "Allow Codex to apply proposed code changes?"
	if m.Reason != "" {
		msg = m.Reason + "\n" + msg
	}
	params := map[string]any{
		"message":                msg,
		"requestedSchema":        decisionSchema(),
		"threadId":               th.id,
		"codex_elicitation":      "patch-approval",
		"codex_mcp_tool_call_id": reqID,
		"codex_event_id":         eventID,
		"codex_call_id":          m.CallID,
		"codex_reason":           m.Reason,
		"codex_grant_root":       m.GrantRoot,
		"codex_changes":          m.Changes,
	}
	s.answer(ctx, th, params, func(d protocol.ReviewDecision) protocol.Op {
		return protocol.PatchApprovalOp{ID: m.CallID, Decision: d}
	})
}

// answer asks the client and submits its decision; an unanswerable
// elicitation is a denial. Nothing is submitted once the turn is over.
func (s *Server) answer(ctx context.Context, th *thread, params map[string]any, op func(protocol.ReviewDecision) protocol.Op) {
	d := protocol.DecisionDenied
	if c := s.connection(); c != nil {
		res, err := c.call(ctx, "elicitation/create", params)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			d = decisionOf(res)
		}
	}
	_ = th.sess.Submit(ctx, protocol.Submission{ID: "elicitation", Op: op(d)})
}

// decisionOf reads an elicitation answer: Codex's {decision}, or a
// standard ElicitResult (accept → the form's decision or approved,
// decline → denied, cancel → abort). Anything else is a denial.
func decisionOf(raw json.RawMessage) protocol.ReviewDecision {
	var r struct {
		Decision string `json:"decision"`
		Action   string `json:"action"`
		Content  struct {
			Decision string `json:"decision"`
		} `json:"content"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return protocol.DecisionDenied
	}
	valid := func(s string) (protocol.ReviewDecision, bool) {
		switch d := protocol.ReviewDecision(s); d {
		case protocol.DecisionApproved, protocol.DecisionApprovedForSession, protocol.DecisionDenied, protocol.DecisionAbort:
			return d, true
		}
		return "", false
	}
	if d, ok := valid(r.Decision); ok {
		return d
	}
	switch r.Action {
	case "accept":
		if d, ok := valid(r.Content.Decision); ok {
			return d
		}
		return protocol.DecisionApproved
	case "cancel":
		return protocol.DecisionAbort
	}
	return protocol.DecisionDenied
}
