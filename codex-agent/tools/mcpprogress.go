package tools

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MCPProgress routes the progress notifications MCP servers send to the
// tool call whose progress token (its call id) they carry. A manager's
// client options take Handle; MCPTools.Progress registers each call
// while it runs. The zero value is ready; a nil one routes nothing.
type MCPProgress struct {
	mu    sync.Mutex
	calls map[string]func(string)
}

// Handle is an mcp.ClientOptions.ProgressNotificationHandler.
func (p *MCPProgress) Handle(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
	if p == nil || req == nil || req.Params == nil {
		return
	}
	token := fmt.Sprint(req.Params.ProgressToken)
	msg := req.Params.Message
	if msg == "" {
		msg = strconv.FormatFloat(req.Params.Progress, 'f', -1, 64)
		if req.Params.Total > 0 {
			msg += "/" + strconv.FormatFloat(req.Params.Total, 'f', -1, 64)
		}
	}
	// The report runs under the lock, so none follows stop.
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.calls[token]; f != nil {
		f(msg)
	}
}

// watch sends the progress of the call with token to f until stop.
func (p *MCPProgress) watch(token string, f func(string)) (stop func()) {
	if p == nil {
		return func() {}
	}
	p.mu.Lock()
	if p.calls == nil {
		p.calls = map[string]func(string){}
	}
	p.calls[token] = f
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.calls, token)
		p.mu.Unlock()
	}
}
