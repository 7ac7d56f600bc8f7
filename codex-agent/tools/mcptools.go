package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/codexgo/common/protocol"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MCPTools offers the tools of the session's MCP servers (config.toml's
// mcp_servers, started by codex-mcp-client's manager) to the model as
// flat functions named mcp__<server>__<tool>, and routes the model's
// calls back, reporting them as mcp_tool_call_begin/end events. Calls in
// the 0.169 namespace form (namespace "mcp__<server>") are accepted too.
type MCPTools struct {
	M *mcpmanager.Manager
	// Progress routes the servers' progress notifications to the calls
	// (nil: not reported); M's client must send them to Progress.Handle.
	Progress *MCPProgress
}

// Specs implements ExternalTool.
func (x MCPTools) Specs() []json.RawMessage {
	var out []json.RawMessage
	for _, h := range x.Handlers() {
		out = append(out, h.Spec())
	}
	return out
}

// Handlers lists the MCP tools (and the resource tools) as the session's
// tool registry takes them: one ToolHandler per qualified name.
func (x MCPTools) Handlers() []ToolHandler {
	var out []ToolHandler
	for _, t := range x.M.Tools() {
		if b := toolSpec(t); b != nil {
			out = append(out, mcpTool{x: x, tool: t, spec: b})
		}
	}
	for _, sp := range x.resourceSpecs() {
		var n struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(sp, &n) == nil {
			out = append(out, mcpResourceTool{x: x, name: n.Name, spec: sp})
		}
	}
	return out
}

// mcpTool is one MCP tool in the registry.
type mcpTool struct {
	x    MCPTools
	tool mcpmanager.Tool
	spec json.RawMessage
}

func (t mcpTool) Name() string          { return t.tool.QualifiedName }
func (t mcpTool) Spec() json.RawMessage { return t.spec }
func (t mcpTool) Handle(ctx context.Context, inv *Invocation) model.Item {
	return t.x.call(ctx, inv.Call(), t.tool, ToolEnv{Emit: inv.Emit, ApprovalPolicy: inv.ApprovalPolicy(), Cwd: inv.Cwd(),
		Approve: func(key string, h approval.ToolHints, req protocol.ExecApprovalRequestMsg) approval.Outcome {
			return inv.Approve(ctx, key, h, req)
		}})
}

// mcpResourceTool is one of the resource tools in the registry.
type mcpResourceTool struct {
	x    MCPTools
	name string
	spec json.RawMessage
}

func (t mcpResourceTool) Name() string          { return t.name }
func (t mcpResourceTool) Spec() json.RawMessage { return t.spec }
func (t mcpResourceTool) Handle(ctx context.Context, inv *Invocation) model.Item {
	if out, ok := t.x.handleResources(ctx, inv.Call()); ok {
		return out
	}
	return inv.Reply("unsupported call: " + t.name)
}

// toolSpec is an MCP tool's function spec for the model; nil when it
// cannot be encoded.
func toolSpec(t mcpmanager.Tool) json.RawMessage {
	params := json.RawMessage(`{"type":"object","properties":{}}`)
	if t.Tool.InputSchema != nil {
		if b, err := json.Marshal(t.Tool.InputSchema); err == nil {
			params = b
		}
	}
	desc := t.Tool.Description
	if desc == "" {
		desc = t.Tool.Title
	}
	b, err := json.Marshal(map[string]any{"type": "function", "name": t.QualifiedName, "description": desc,
		"strict": false, "parameters": params})
	if err != nil {
		return nil
	}
	return b
}

// ListMCPTools implements MCPLister: every tool by its qualified name,
// and the servers that failed to start.
func (x MCPTools) ListMCPTools() (map[string]json.RawMessage, map[string]string) {
	tools := map[string]json.RawMessage{}
	for _, t := range x.M.Tools() {
		if b, err := json.Marshal(t.Tool); err == nil {
			tools[t.QualifiedName] = b
		}
	}
	var failures map[string]string
	for _, f := range x.M.Failures() {
		if failures == nil {
			failures = map[string]string{}
		}
		failures[f.Server] = f.Err.Error()
	}
	return tools, failures
}

// Handle implements ExternalTool: the call runs without asking anyone.
// A session calls HandleCall instead.
func (x MCPTools) Handle(ctx context.Context, call model.Item, emit func(protocol.Msg)) (model.Item, bool) {
	return x.HandleCall(ctx, call, ToolEnv{Emit: emit, ApprovalPolicy: protocol.ApprovalNever})
}

// HandleCall implements ApprovingTool. Each call goes through the
// session's approval flow with the tool's annotations (the approver
// decides: approval.ToolHints); a question is an exec_approval_request
// whose command is the tool's qualified name and its arguments; a call
// refused or denied is told to the model and shows as a failed
// mcp_tool_call.
func (x MCPTools) HandleCall(ctx context.Context, call model.Item, env ToolEnv) (model.Item, bool) {
	if call.Type != "function_call" {
		return model.Item{}, false
	}
	if out, ok := x.handleResources(ctx, call); ok {
		return out, true
	}
	var (
		tool mcpmanager.Tool
		ok   bool
	)
	if call.Namespace != "" {
		tool, ok = x.M.LookupNamespaced(call.Namespace, call.Name)
	} else {
		tool, ok = x.M.Lookup(call.Name)
	}
	if !ok {
		return model.Item{}, false
	}
	return x.call(ctx, call, tool, env), true
}

// call runs one MCP tool call, asking first when the approval flow says
// so.
func (x MCPTools) call(ctx context.Context, call model.Item, tool mcpmanager.Tool, env ToolEnv) model.Item {
	args := json.RawMessage(call.Arguments)
	if len(args) == 0 || !json.Valid(args) {
		args = json.RawMessage(`{}`)
	}
	emit := env.Emit
	if env.Approve != nil {
		o := env.Approve("mcp\x00"+tool.Server+"\x00"+tool.Name, hints(tool.Tool), protocol.ExecApprovalRequestMsg{CallID: call.CallID,
			Command: []string{tool.QualifiedName, string(args)}, Cwd: env.Cwd, McpServer: tool.Server, McpTool: tool.Name})
		if !o.Run {
			emit(protocol.McpToolCallBeginMsg{CallID: call.CallID, Server: tool.Server, Tool: tool.Name, Arguments: args})
			emit(protocol.McpToolCallEndMsg{CallID: call.CallID, Server: tool.Server, Tool: tool.Name, Error: o.Refusal})
			return model.FunctionOutput(call.CallID, o.Refusal)
		}
	}
	emit(protocol.McpToolCallBeginMsg{CallID: call.CallID, Server: tool.Server, Tool: tool.Name, Arguments: args})
	start := time.Now()
	// The call id is the progress token, as the Codex CLI sends one.
	stop := x.Progress.watch(call.CallID, func(msg string) {
		emit(protocol.McpToolCallProgressMsg{CallID: call.CallID, Message: msg})
	})
	res, err := x.M.CallMeta(ctx, tool.Server, tool.Name, args, mcp.Meta{"progressToken": call.CallID})
	stop()
	dur := time.Since(start)
	if err != nil {
		emit(protocol.McpToolCallEndMsg{CallID: call.CallID, Server: tool.Server, Tool: tool.Name, Error: err.Error(), DurationMS: dur.Milliseconds()})
		return model.FunctionOutput(call.CallID, fmt.Sprintf("tool call error: %v", err))
	}
	raw, err := json.Marshal(res)
	if err != nil {
		raw = nil
	}
	emit(protocol.McpToolCallEndMsg{CallID: call.CallID, Server: tool.Server, Tool: tool.Name, Result: raw, DurationMS: dur.Milliseconds()})
	return mcpOutput(call.CallID, res, dur)
}

// hints are a tool's annotations for the approver (none: all absent).
func hints(t *mcp.Tool) approval.ToolHints {
	if t == nil || t.Annotations == nil {
		return approval.ToolHints{}
	}
	a := t.Annotations
	return approval.ToolHints{ReadOnly: a.ReadOnlyHint, Destructive: a.DestructiveHint, OpenWorld: a.OpenWorldHint}
}

// mcpOutput renders a tool result for the model as the Codex CLI does
// (mcpmanager.ModelOutput): structured content as one string after
// "Wall time/Output:", else the content parts.
func mcpOutput(callID string, res *mcp.CallToolResult, dur time.Duration) model.Item {
	text, items := mcpmanager.ModelOutput(res, dur)
	if items == nil {
		return model.FunctionOutput(callID, text)
	}
	out, err := json.Marshal(items)
	if err != nil {
		return model.FunctionOutput(callID, fmt.Sprintf("encode tool output: %v", err))
	}
	return model.Item{Type: "function_call_output", CallID: callID, Output: out}
}
