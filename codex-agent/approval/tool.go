package approval

import (
	"context"
	"fmt"

	"github.com/codexgo/common/protocol"
)

// ToolHints are what an MCP tool's annotations claim about it, as the
// approval reads them; nil is a hint the tool does not give.
type ToolHints struct {
	// ReadOnly is readOnlyHint; an absent one reads as false (the Codex
	// CLI 0.169 treats the two alike).
	ReadOnly bool
	// Destructive is destructiveHint, OpenWorld openWorldHint.
	Destructive *bool
	OpenWorld   *bool
}

// NeedsApproval reports whether a call of the tool is asked about (or,
// under never, refused), as the Codex CLI 0.169 decides it: not when the
// tool is annotated read-only (whatever else it claims), nor when it is
// annotated both not destructive and not open-world; otherwise, an
// absent hint taken at its MCP default (destructive, open-world), yes.
// A tool without annotations needs approval.
func (h ToolHints) NeedsApproval() bool {
	if h.ReadOnly {
		return false
	}
	return !isFalse(h.Destructive) || !isFalse(h.OpenWorld)
}

func isFalse(b *bool) bool { return b != nil && !*b }

// why is the reason an approval request gives.
func (h ToolHints) why(tool, server string) string {
	if h.Destructive != nil && *h.Destructive {
		return fmt.Sprintf("MCP tool %s of server %s is annotated destructive", tool, server)
	}
	return fmt.Sprintf("MCP tool %s of server %s may change things or reach outside (it is not annotated read-only, nor both not destructive and not open-world)", tool, server)
}

// NeverRefusal is what the model is told of an MCP tool call that needs
// approval under approval_policy never, in the Codex CLI 0.169's words.
const NeverRefusal = "MCP tool call requires approval, but approval policy is never"

// Tool decides about an external (MCP) tool call. key names what an
// approved_for_session answer covers; h is what the tool's annotations
// claim. A call that does not need approval (ToolHints.NeedsApproval)
// runs under every policy; one that does is asked about under untrusted,
// on-request, on-failure and granular (whatever its flags: the Codex
// CLI 0.169 asks there too), and under never refused, unless the
// sandbox is danger-full-access, where it runs.
func (a *Approver) Tool(ctx context.Context, t Turn, key string, h ToolHints, req protocol.ExecApprovalRequestMsg) Outcome {
	out := Outcome{Sandbox: t.Sandbox, Run: true}
	if !h.NeedsApproval() {
		return out
	}
	if t.Approval == protocol.ApprovalNever {
		if t.Sandbox.Mode != protocol.SandboxDangerFullAccess {
			out.Run = false
			out.Refusal = NeverRefusal
		}
		return out
	}
	req.Reason = h.why(req.McpTool, req.McpServer)
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
