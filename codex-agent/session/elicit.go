package session

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/common/protocol"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// elicitReq is an elicitation to put to the front end; Run emits it
// (only Run may emit once the session ends) and registers its answer
// channel.
type elicitReq struct {
	turnID string
	msg    protocol.ElicitationRequestMsg
	answer chan approval.Answer
}

// elicit answers an MCP server's elicitation/create: approval decides
// whether it is put to the user (an elicitation_request event, answered
// by resolve_elicitation) or declined or accepted without asking. A
// running turn's interrupt cancels it; so does the server withdrawing it
// (ctx) and the session's end.
func (s *Session) elicit(ctx context.Context, server string, p *mcp.ElicitParams) *mcp.ElicitResult {
	cfg := s.settings()
	s.mu.Lock()
	turnID, turnCtx := s.turnID, s.turnCtx
	s.elicitN++
	id := fmt.Sprintf("elicitation-%d", s.elicitN)
	s.mu.Unlock()
	mode := p.Mode
	if mode == "" {
		mode = "form"
	}
	var schema json.RawMessage
	if p.RequestedSchema != nil {
		schema, _ = json.Marshal(p.RequestedSchema)
	}
	var asker approval.Asker = func(context.Context, string, protocol.Msg) approval.Answer { return approval.Answer{} }
	act := approval.Elicitation(approval.Turn{Approval: cfg.ApprovalPolicy, Sandbox: cfg.Sandbox, Cwd: cfg.Cwd, Ask: asker},
		mode == "form" && noFields(schema))
	cfg.Logger.Info("mcp elicitation", "server", server, "id", id, "mode", mode, "action", act.String())
	switch act {
	case approval.ElicitDecline:
		return &mcp.ElicitResult{Action: "decline"}
	case approval.ElicitAccept:
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{}}
	}
	if turnCtx != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(turnCtx, cancel)()
	}
	var meta json.RawMessage
	if len(p.Meta) > 0 {
		meta, _ = json.Marshal(p.Meta)
	}
	r := elicitReq{turnID: turnID, answer: make(chan approval.Answer, 1), msg: protocol.ElicitationRequestMsg{
		ID: id, ServerName: server, TurnID: turnID, Mode: mode, Message: p.Message, RequestedSchema: schema,
		URL: p.URL, ElicitationID: p.ElicitationID, Meta: meta}}
	select {
	case s.elicits <- r:
	case <-ctx.Done():
		return &mcp.ElicitResult{Action: "cancel"}
	case <-s.done:
		return &mcp.ElicitResult{Action: "cancel"}
	}
	var ans approval.Answer
	select {
	case ans = <-r.answer:
	case <-ctx.Done():
		ans.Decision = protocol.DecisionAbort
	case <-s.done:
		ans.Decision = protocol.DecisionAbort
	}
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
	switch ans.Decision {
	case protocol.DecisionApproved, protocol.DecisionApprovedForSession:
		content := map[string]any{}
		if len(ans.Content) > 0 && string(ans.Content) != "null" {
			if err := json.Unmarshal(ans.Content, &content); err != nil {
				// Not an object: the server could not use it.
				return &mcp.ElicitResult{Action: "cancel"}
			}
		}
		return &mcp.ElicitResult{Action: "accept", Content: content}
	case protocol.DecisionAbort:
		return &mcp.ElicitResult{Action: "cancel"}
	}
	return &mcp.ElicitResult{Action: "decline"}
}

// noFields reports a form schema that asks for nothing.
func noFields(schema json.RawMessage) bool {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	return len(schema) == 0 || json.Unmarshal(schema, &s) == nil && len(s.Properties) == 0
}

// elicitDecision reads resolve_elicitation's decision.
func elicitDecision(d string) (protocol.ReviewDecision, error) {
	switch d {
	case "accept":
		return protocol.DecisionApproved, nil
	case "decline":
		return protocol.DecisionDenied, nil
	case "cancel":
		return protocol.DecisionAbort, nil
	}
	return "", fmt.Errorf("resolve_elicitation: unknown decision %q (want accept, decline or cancel)", d)
}
