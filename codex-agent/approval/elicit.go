package approval

import "github.com/codexgo/common/protocol"

// ElicitAction is what happens to an elicitation an MCP server sends
// (elicitation/create) while a session runs.
type ElicitAction int

// The elicitation actions.
const (
	// ElicitAsk puts it to the user.
	ElicitAsk ElicitAction = iota
	// ElicitDecline answers decline without asking.
	ElicitDecline
	// ElicitAccept answers accept, with empty content, without asking.
	ElicitAccept
)

func (a ElicitAction) String() string {
	switch a {
	case ElicitAsk:
		return "ask"
	case ElicitAccept:
		return "accept"
	}
	return "decline"
}

// Elicitation decides about an MCP server's elicitation, as the Codex
// CLI 0.169 does: under never it is declined without asking — but under
// never with danger-full-access a form that asks for nothing (a bare
// confirmation) is accepted, as every other prompt is there; under a
// granular policy it is asked when mcp_elicitations allows, else
// declined; under the other policies it is asked. emptyForm says the
// elicitation is a form with no fields. Nobody to ask (t.Ask nil)
// declines.
func Elicitation(t Turn, emptyForm bool) ElicitAction {
	if g, ok := t.Approval.Granular(); ok && !g.McpElicitations {
		return ElicitDecline
	}
	if t.Approval == protocol.ApprovalNever {
		if emptyForm && t.Sandbox.Mode == protocol.SandboxDangerFullAccess {
			return ElicitAccept
		}
		return ElicitDecline
	}
	if t.Ask == nil {
		return ElicitDecline
	}
	return ElicitAsk
}
