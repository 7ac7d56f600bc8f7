package mcpconn

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// tap is a transport that remembers, per method, the raw result of the
// latest answered request, so results can be shown exactly as sent.
type tap struct {
	inner mcp.Transport

	mu      sync.Mutex
	pending map[jsonrpc.ID]string // request id -> method
	latest  map[string]jsonrpc.ID // method -> id of the newest request
	results map[string]json.RawMessage
}

func newTap(inner mcp.Transport) *tap {
	return &tap{inner: inner, pending: map[jsonrpc.ID]string{}, latest: map[string]jsonrpc.ID{}, results: map[string]json.RawMessage{}}
}

func (t *tap) last(method string) json.RawMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.results[method]
}

// Connect implements mcp.Transport.
func (t *tap) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &tapConn{Connection: c, t: t}, nil
}

type tapConn struct {
	mcp.Connection
	t *tap
}

func (c *tapConn) Write(ctx context.Context, m jsonrpc.Message) error {
	if req, ok := m.(*jsonrpc.Request); ok && req.IsCall() {
		c.t.mu.Lock()
		c.t.pending[req.ID] = req.Method
		c.t.latest[req.Method] = req.ID
		delete(c.t.results, req.Method)
		c.t.mu.Unlock()
	}
	return c.Connection.Write(ctx, m)
}

func (c *tapConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	m, err := c.Connection.Read(ctx)
	if resp, ok := m.(*jsonrpc.Response); ok && err == nil {
		c.t.mu.Lock()
		if method, ok := c.t.pending[resp.ID]; ok {
			delete(c.t.pending, resp.ID)
			// A late answer to an abandoned (timed-out) request must not
			// pass for the answer to the newest one.
			if resp.Error == nil && c.t.latest[method] == resp.ID {
				c.t.results[method] = append(json.RawMessage(nil), resp.Result...)
			}
		}
		c.t.mu.Unlock()
	}
	return m, err
}
