package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
)

// ShellTool names the shell tool offered to the model.
type ShellTool string

// The shell tool forms.
const (
	// ShellExecCommand is the newer string form: {cmd, workdir, …}.
	ShellExecCommand ShellTool = "exec_command"
	// ShellClassic is the classic argv form: {command: [...], workdir, timeout_ms}.
	ShellClassic ShellTool = "shell"
)

// ToolSet says which tools the model is offered.
type ToolSet struct {
	Shell ShellTool
	// FreeformPatch offers apply_patch as a custom (grammar) tool; else as
	// a function taking {input}. Chat Completions only has functions.
	FreeformPatch bool
	Plan          bool
	// WebSearch offers the Responses API's own web_search tool (the
	// server searches; the model's web_search_call items only report it).
	WebSearch bool
	// WebSearchSpec is the web_search tool sent (cached or live, from
	// common/models); nil sends the live tool.
	WebSearchSpec json.RawMessage
	// ViewImage offers view_image, which shows the model a local image.
	ViewImage bool
	// Extra are further tool specs (e.g. MCP tools, issue 8).
	Extra []json.RawMessage
}

// Specs returns the tool specs in the order they are sent (the
// registry's, without external tools).
func (t ToolSet) Specs() []json.RawMessage {
	return newRegistry(t, nil).specs()
}

// ExternalTool is a set of tools served outside the agent (an MCP server
// manager, say). Handle returns the output item for a call it owns
// (matching call's type and call_id) and ok=false for a call that is not
// its own. It may emit events for the turn (mcp_tool_call_begin/end) and
// should honour ctx, which an interrupt cancels.
type ExternalTool interface {
	Specs() []json.RawMessage
	Handle(ctx context.Context, call model.Item, emit func(protocol.Msg)) (output model.Item, ok bool)
}

// ToolEnv is what the session lends an ApprovingTool for one call.
type ToolEnv struct {
	// Emit sends an event of the turn.
	Emit func(protocol.Msg)
	// ApprovalPolicy and Cwd are the turn's settings.
	ApprovalPolicy protocol.AskForApproval
	Cwd            string
	// Approve runs the session's approval flow for the call
	// (approval.Approver.Tool): key names what an approved_for_session
	// answer covers, the hints are what the tool's annotations claim
	// (the approver alone decides what they mean). An abort answer has
	// already ended the turn when it returns. Nil means no approval is
	// needed.
	Approve func(key string, h approval.ToolHints, req protocol.ExecApprovalRequestMsg) approval.Outcome
}

// MCPLister is an ExternalTool that can list its MCP tools for
// list_mcp_tools: by qualified name, with the servers that failed.
type MCPLister interface {
	ListMCPTools() (tools map[string]json.RawMessage, failures map[string]string)
}

// ApprovingTool is an ExternalTool whose calls may need the user's
// approval (MCP tools): the session calls HandleCall, not Handle.
type ApprovingTool interface {
	ExternalTool
	HandleCall(ctx context.Context, call model.Item, env ToolEnv) (output model.Item, ok bool)
}
