package tools

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/codexgo/codex-agent/model"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The MCP resource tools, as the Codex CLI 0.169 offers them beside the
// servers' own tools: reading is not acting, so they run without asking.
const (
	listMCPResourcesSpec = `{"type":"function","name":"list_mcp_resources","strict":false,"description":"Lists the resources (files, records, documents…) the MCP servers offer for reading with read_mcp_resource. Resources give context; they are not tools.","parameters":{"type":"object","properties":{"server":{"type":"string","description":"Only this MCP server's resources; all servers' when omitted"}},"additionalProperties":false}}`
	listMCPTemplatesSpec = `{"type":"function","name":"list_mcp_resource_templates","strict":false,"description":"Lists the resource templates (parameterised resource URIs) the MCP servers offer; fill one in and read it with read_mcp_resource.","parameters":{"type":"object","properties":{"server":{"type":"string","description":"Only this MCP server's templates; all servers' when omitted"}},"additionalProperties":false}}`
	readMCPResourceSpec  = `{"type":"function","name":"read_mcp_resource","strict":false,"description":"Reads one resource from an MCP server by its URI.","parameters":{"type":"object","properties":{"server":{"type":"string","description":"The MCP server that offers the resource"},"uri":{"type":"string","description":"The resource URI, from list_mcp_resources or a filled-in template"}},"required":["server","uri"],"additionalProperties":false}}`
)

// resourceSpecs are the resource tools' specs, when there are servers.
func (x MCPTools) resourceSpecs() []json.RawMessage {
	if len(x.M.Servers()) == 0 {
		return nil
	}
	return []json.RawMessage{json.RawMessage(listMCPResourcesSpec), json.RawMessage(listMCPTemplatesSpec), json.RawMessage(readMCPResourceSpec)}
}

// handleResources answers the resource tools; ok is false for any other
// call.
func (x MCPTools) handleResources(ctx context.Context, call model.Item) (model.Item, bool) {
	if call.Type != "function_call" || call.Namespace != "" {
		return model.Item{}, false
	}
	var a struct {
		Server string `json:"server"`
		URI    string `json:"uri"`
	}
	switch call.Name {
	case "list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource":
	default:
		return model.Item{}, false
	}
	if call.Arguments != "" {
		if err := json.Unmarshal([]byte(call.Arguments), &a); err != nil {
			return model.FunctionOutput(call.CallID, "failed to parse function arguments: "+err.Error()), true
		}
	}
	reply := func(v any, err error) (model.Item, bool) {
		if err != nil {
			return model.FunctionOutput(call.CallID, fmt.Sprintf("%s failed: %v", call.Name, err)), true
		}
		b, err := json.Marshal(v)
		if err != nil {
			return model.FunctionOutput(call.CallID, fmt.Sprintf("%s failed: %v", call.Name, err)), true
		}
		return model.FunctionOutput(call.CallID, string(b)), true
	}
	servers := x.M.Servers()
	if a.Server != "" {
		servers = []string{a.Server}
	}
	switch call.Name {
	case "read_mcp_resource":
		if a.Server == "" || a.URI == "" {
			return model.FunctionOutput(call.CallID, "failed to parse function arguments: server and uri are required"), true
		}
		return reply(x.M.ReadResource(ctx, a.Server, a.URI))
	case "list_mcp_resources":
		type entry struct {
			Server string `json:"server"`
			*mcp.Resource
		}
		out := struct {
			Resources []entry `json:"resources"`
		}{Resources: []entry{}}
		for _, s := range servers {
			rs, err := x.M.ListResources(ctx, s)
			if err != nil {
				if a.Server != "" {
					return reply(nil, err)
				}
				continue // a server without resources, or down: the others still answer
			}
			for _, r := range rs {
				out.Resources = append(out.Resources, entry{s, r})
			}
		}
		return reply(out, nil)
	default:
		type entry struct {
			Server string `json:"server"`
			*mcp.ResourceTemplate
		}
		out := struct {
			Templates []entry `json:"resourceTemplates"`
		}{Templates: []entry{}}
		for _, s := range servers {
			ts, err := x.M.ListResourceTemplates(ctx, s)
			if err != nil {
				if a.Server != "" {
					return reply(nil, err)
				}
				continue
			}
			for _, t := range ts {
				out.Templates = append(out.Templates, entry{s, t})
			}
		}
		return reply(out, nil)
	}
}
