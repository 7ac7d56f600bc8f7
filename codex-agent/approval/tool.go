package approval

import (
	"context"
	"fmt"

	"github.com/codexgo/common/protocol"
)

// ToolHints are what an MCP tool's annotations claim about it, as the
// approval reads them; nil is a hint the tool does not give.
type ToolHints struct {
	// ReadOnly is readOnlyHint (absent reads as false).
	ReadOnly bool
	// Destructive is destructiveHint, OpenWorld openWorldHint.
	Destructive *bool
	OpenWorld   *bool
}

// NeedsApproval reports whether a call of the tool is asked about
// under a policy that asks: one not annotated read-only (readOnlyHint
// true and not destructiveHint).
func (h ToolHints) NeedsApproval() bool {
	return !h.ReadOnly || (h.Destructive != nil && *h.Destructive)
}

// Tool decides about an external (MCP) tool call. key names what an
// approved_for_session answer covers; h is what the tool's annotations
// claim. Under untrusted every call asks, under never none does,
// otherwise those that need approval (ToolHints.NeedsApproval) ask.
func (a *Approver) Tool(ctx context.Context, t Turn, key string, h ToolHints, req protocol.ExecApprovalRequestMsg) Outcome {
	readOnly := !h.NeedsApproval()
	out := Outcome{Sandbox: t.Sandbox, Run: true}
	g, granular := t.Approval.Granular()
	switch {
	case granular:
		if readOnly {
			return out
		}
		if !g.McpElicitations {
			out.Run = false
			out.Refusal = fmt.Sprintf("MCP tool call needs approval, but %s: %s (server %s) was not run",
				refusedByGranular(FlagMcpElicitations), req.McpTool, req.McpServer)
			return out
		}
	case t.Approval == protocol.ApprovalNever:
		return out
	case t.Approval == protocol.ApprovalUntrusted:
		req.Reason = "untrusted: every MCP tool call needs approval"
	default:
		if readOnly {
			return out
		}
	}
	a.mu.Lock()
	known := a.tools[key]
	a.mu.Unlock()
	if known {
		return out
	}
	if t.Ask == nil {
		out.Run = false
		out.Refusal = fmt.Sprintf("MCP tool call needs approval, but nobody can be asked: %s (server %s) was not run", req.McpTool, req.McpServer)
		return out
	}
	ans := t.Ask(ctx, req.CallID, req)
	out.Asked = true
	switch ans.Decision {
	case protocol.DecisionApproved:
	case protocol.DecisionApprovedForSession:
		a.mu.Lock()
		a.tools[key] = true
		a.mu.Unlock()
	case protocol.DecisionAbort:
		out.Run, out.Abort = false, true
		out.Refusal = fmt.Sprintf("MCP tool call aborted by user: %s (server %s) was not run", req.McpTool, req.McpServer)
	default:
		out.Run = false
		out.Refusal = fmt.Sprintf("MCP tool call rejected by user: %s (server %s) was not run", req.McpTool, req.McpServer)
	}
	return out
}
