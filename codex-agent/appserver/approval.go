package appserver

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/codexgo/common/protocol"
)

// askCommand sends item/commandExecution/requestApproval for a command
// (its item/started first, as the Codex CLI orders them) and answers
// the session with the client's decision.
func (th *thread) askCommand(t *turnState, turnID string, m protocol.ExecApprovalRequestMsg, started func(map[string]any)) {
	if m.McpServer != "" {
		th.askMCP(turnID, m)
		return
	}
	if _, ok := t.open[m.CallID]; !ok {
		started(commandItem(m.CallID, m.Command, m.Cwd, m.ParsedCmd))
	}
	params := map[string]any{
		"threadId": th.id, "turnId": turnID, "itemId": m.CallID, "startedAtMs": t.itemStart[m.CallID],
		"command": displayCommand(m.Command), "cwd": m.Cwd, "reason": nilIfEmpty(m.Reason),
		"commandActions": commandActions(m.Command, m.ParsedCmd),
	}
	th.ask(turnID, m.CallID, "item/commandExecution/requestApproval", params, func(raw json.RawMessage) protocol.Op {
		var r struct {
			Decision json.RawMessage `json:"decision"`
		}
		_ = json.Unmarshal(raw, &r)
		d, remember := commandDecision(r.Decision)
		return protocol.ExecApprovalOp{ID: m.CallID, Decision: d, Remember: remember}
	}, func() protocol.Op {
		return protocol.ExecApprovalOp{ID: m.CallID, Decision: protocol.DecisionAbort}
	})
}

// askMCP asks whether an MCP tool may run as the Codex CLI does, with
// mcpServer/elicitation/request (a form with no fields: accept, decline
// or cancel).
func (th *thread) askMCP(turnID string, m protocol.ExecApprovalRequestMsg) {
	msg := fmt.Sprintf("Allow the %s MCP server to run tool %q?", m.McpServer, m.McpTool)
	if len(m.Command) > 1 && m.Command[1] != "" && m.Command[1] != "{}" {
		msg += " Arguments: " + m.Command[1]
	}
	if m.Reason != "" {
		msg += " " + m.Reason
	}
	params := map[string]any{"threadId": th.id, "turnId": turnID, "serverName": m.McpServer, "mode": "form",
		"message": msg, "requestedSchema": map[string]any{"type": "object", "properties": map[string]any{}}}
	th.ask(turnID, m.CallID, "mcpServer/elicitation/request", params, func(raw json.RawMessage) protocol.Op {
		var r struct {
			Action string `json:"action"`
		}
		_ = json.Unmarshal(raw, &r)
		d := protocol.DecisionDenied
		switch r.Action {
		case "accept":
			d = protocol.DecisionApproved
		case "cancel":
			d = protocol.DecisionAbort
		}
		return protocol.ExecApprovalOp{ID: m.CallID, Decision: d}
	}, func() protocol.Op {
		return protocol.ExecApprovalOp{ID: m.CallID, Decision: protocol.DecisionAbort}
	})
}

// askElicitation forwards an MCP server's own elicitation as
// mcpServer/elicitation/request (turnId: the turn running when it came,
// else null) and returns the client's action and content to the server.
func (th *thread) askElicitation(m protocol.ElicitationRequestMsg) {
	params := map[string]any{"threadId": th.id, "turnId": nilIfEmpty(m.TurnID), "serverName": m.ServerName,
		"mode": m.Mode, "message": m.Message}
	if m.Mode == "url" {
		params["url"], params["elicitationId"] = m.URL, m.ElicitationID
	} else {
		schema := m.RequestedSchema
		if len(schema) == 0 {
			schema = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		params["requestedSchema"] = schema
	}
	if len(m.Meta) > 0 {
		params["_meta"] = m.Meta
	}
	th.ask(m.TurnID, m.ID, "mcpServer/elicitation/request", params, func(raw json.RawMessage) protocol.Op {
		var r struct {
			Action  string          `json:"action"`
			Content json.RawMessage `json:"content"`
		}
		_ = json.Unmarshal(raw, &r)
		switch r.Action {
		case "accept", "decline", "cancel":
		default:
			r.Action = "cancel"
		}
		return protocol.ResolveElicitationOp{ServerName: m.ServerName, RequestID: m.ID, Decision: r.Action, Content: r.Content}
	}, func() protocol.Op {
		return protocol.ResolveElicitationOp{ServerName: m.ServerName, RequestID: m.ID, Decision: "cancel"}
	})
}

// askPatch sends item/fileChange/requestApproval.
func (th *thread) askPatch(t *turnState, turnID string, m protocol.ApplyPatchApprovalRequestMsg) {
	params := map[string]any{
		"threadId": th.id, "turnId": turnID, "itemId": m.CallID, "startedAtMs": t.itemStart[m.CallID],
		"reason": nilIfEmpty(m.Reason), "grantRoot": nilIfEmpty(m.GrantRoot),
	}
	th.ask(turnID, m.CallID, "item/fileChange/requestApproval", params, func(raw json.RawMessage) protocol.Op {
		var r struct {
			Decision string `json:"decision"`
		}
		_ = json.Unmarshal(raw, &r)
		return protocol.PatchApprovalOp{ID: m.CallID, Decision: simpleDecision(r.Decision)}
	}, func() protocol.Op {
		return protocol.PatchApprovalOp{ID: m.CallID, Decision: protocol.DecisionAbort}
	})
}

// ask sends a server request and submits the op made from the answer.
// A turn that ends first (an interrupt) withdraws the request: the
// client is told with serverRequest/resolved and the answer is ignored.
func (th *thread) ask(turnID, callID, method string, params map[string]any, answer func(json.RawMessage) protocol.Op, abort func() protocol.Op) {
	ctx, cancel := context.WithCancel(th.s.ctx)
	id, ch := th.s.c.request(method, params)
	th.mu.Lock()
	th.waiting[callID] = pendingApproval{requestID: id, turnID: turnID, cancel: cancel}
	th.mu.Unlock()
	if turnID != "" {
		th.setStatus("active")
	}
	th.s.wg.Add(1)
	go func() {
		defer th.s.wg.Done()
		defer cancel()
		var op protocol.Op
		select {
		case m, ok := <-ch:
			switch {
			case !ok:
				op = abort()
			case m.Error != nil:
				fmt.Fprintf(th.s.o.Stderr, "codex app-server: approval request %d failed: %s\n", id, m.Error.Message)
				op = abort()
			default:
				op = answer(m.Result)
			}
		case <-ctx.Done():
			th.s.c.forget(id)
		}
		th.mu.Lock()
		_, still := th.waiting[callID]
		delete(th.waiting, callID)
		th.mu.Unlock()
		th.s.c.notify("serverRequest/resolved", map[string]any{"threadId": th.id, "requestId": id})
		if op != nil && still {
			if d := decisionOf(op); d == protocol.DecisionDenied || d == protocol.DecisionAbort {
				th.mu.Lock()
				th.declined[callID] = true
				th.mu.Unlock()
			}
			_ = th.submit(turnID, op)
			if turnID != "" {
				th.setStatus("active")
			}
		}
	}()
}

// commandDecision maps a CommandExecutionApprovalDecision onto the
// agent's decision; an execpolicy amendment also remembers the command.
func commandDecision(raw json.RawMessage) (protocol.ReviewDecision, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return simpleDecision(s), false
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		if _, ok := obj["acceptWithExecpolicyAmendment"]; ok {
			return protocol.DecisionApprovedForSession, true
		}
		if _, ok := obj["applyNetworkPolicyAmendment"]; ok {
			return protocol.DecisionApproved, false
		}
	}
	return protocol.DecisionDenied, false
}

func simpleDecision(s string) protocol.ReviewDecision {
	switch s {
	case "accept":
		return protocol.DecisionApproved
	case "acceptForSession":
		return protocol.DecisionApprovedForSession
	case "cancel":
		return protocol.DecisionAbort
	}
	return protocol.DecisionDenied
}

func decisionOf(op protocol.Op) protocol.ReviewDecision {
	switch o := op.(type) {
	case protocol.ExecApprovalOp:
		return o.Decision
	case protocol.PatchApprovalOp:
		return o.Decision
	}
	return ""
}
