package tools

import (
	"context"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MCPElicitations routes the elicitations MCP servers send to the
// session that owns the servers. The manager's OnElicit takes Handle;
// the session attaches itself once it exists. Until then (and with a nil
// router) an elicitation is declined.
type MCPElicitations struct {
	mu sync.Mutex
	f  func(ctx context.Context, server string, p *mcp.ElicitParams) *mcp.ElicitResult
}

// Attach makes f answer the elicitations.
func (e *MCPElicitations) Attach(f func(ctx context.Context, server string, p *mcp.ElicitParams) *mcp.ElicitResult) {
	e.mu.Lock()
	e.f = f
	e.mu.Unlock()
}

// Handle is an mcpmanager.Options.OnElicit.
func (e *MCPElicitations) Handle(ctx context.Context, server string, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	var f func(context.Context, string, *mcp.ElicitParams) *mcp.ElicitResult
	if e != nil {
		e.mu.Lock()
		f = e.f
		e.mu.Unlock()
	}
	if f == nil || req == nil || req.Params == nil {
		return &mcp.ElicitResult{Action: "decline"}, nil
	}
	return f(ctx, server, req.Params), nil
}
