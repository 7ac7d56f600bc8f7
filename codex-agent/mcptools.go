package agent

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

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
}

// Specs implements ExternalTool.
func (x MCPTools) Specs() []json.RawMessage {
	var out []json.RawMessage
	for _, t := range x.M.Tools() {
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
		if err == nil {
			out = append(out, b)
		}
	}
	return out
}

// Handle implements ExternalTool.
func (x MCPTools) Handle(ctx context.Context, call model.Item, emit func(protocol.Msg)) (model.Item, bool) {
	if call.Type != "function_call" {
		return model.Item{}, false
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
	args := json.RawMessage(call.Arguments)
	if len(args) == 0 || !json.Valid(args) {
		args = json.RawMessage(`{}`)
	}
	emit(protocol.McpToolCallBeginMsg{CallID: call.CallID, Server: tool.Server, Tool: tool.Name, Arguments: args})
	start := time.Now()
	res, err := x.M.Call(ctx, tool.Server, tool.Name, args)
	dur := time.Since(start)
	if err != nil {
		emit(protocol.McpToolCallEndMsg{CallID: call.CallID, Server: tool.Server, Tool: tool.Name, Error: err.Error(), DurationMS: dur.Milliseconds()})
		return model.FunctionOutput(call.CallID, fmt.Sprintf("tool call error: %v", err)), true
	}
	raw, _ := json.Marshal(res)
	emit(protocol.McpToolCallEndMsg{CallID: call.CallID, Server: tool.Server, Tool: tool.Name, Result: raw, DurationMS: dur.Milliseconds()})
	return mcpOutput(call.CallID, res, dur), true
}

// mcpOutput renders a tool result for the model as the Codex CLI does:
// structured content as one string after "Wall time/Output:", else the
// content parts (text as input_text, images as input_image).
func mcpOutput(callID string, res *mcp.CallToolResult, dur time.Duration) model.Item {
	head := fmt.Sprintf("Wall time: %.4f seconds\nOutput:", dur.Seconds())
	if res.IsError {
		head = fmt.Sprintf("Wall time: %.4f seconds\nTool reported an error:", dur.Seconds())
	}
	if res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err == nil {
			return model.FunctionOutput(callID, head+"\n"+string(b))
		}
	}
	parts := []map[string]string{{"type": "input_text", "text": head}}
	for _, c := range res.Content {
		switch v := c.(type) {
		case *mcp.TextContent:
			parts = append(parts, map[string]string{"type": "input_text", "text": v.Text})
		case *mcp.ImageContent:
			parts = append(parts, map[string]string{"type": "input_image",
				"image_url": "data:" + v.MIMEType + ";base64," + base64.StdEncoding.EncodeToString(v.Data)})
		default:
			if b, err := json.Marshal(c); err == nil {
				parts = append(parts, map[string]string{"type": "input_text", "text": string(b)})
			}
		}
	}
	out, _ := json.Marshal(parts)
	return model.Item{Type: "function_call_output", CallID: callID, Output: out}
}
