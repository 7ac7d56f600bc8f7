package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The SDK has no API for arbitrary server→client notifications
// (codex/event) nor for an elicitation whose params carry extra fields
// and whose answer may be Codex's {decision} instead of an ElicitResult.
// hookTransport wraps the stdio connection so the server can write those
// messages itself and take the answers to its own requests off the
// input before the SDK sees them.

// ownIDPrefix marks the ids of requests the server sends itself.
const ownIDPrefix = "codex-"

// requestIDKey is the _meta key under which the connection hands a
// tools/call's JSON-RPC id to the tool handler.
const requestIDKey = "codex/requestId"

type hookTransport struct {
	inner mcp.Transport
	// connected is called with the connection before the SDK reads its
	// first message, so that nothing a message starts (an approval to
	// ask) can find the server without it.
	connected func(*hookConn)
	// gone is called once when the client's side of the connection ends.
	gone func()
}

func (t *hookTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	hc := &hookConn{Connection: c, waiting: map[string]chan json.RawMessage{}, gone: t.gone}
	t.connected(hc)
	return hc, nil
}

type hookConn struct {
	mcp.Connection

	mu      sync.Mutex
	next    int
	waiting map[string]chan json.RawMessage
	closed  bool
	gone    func()
	once    sync.Once
	readErr error
	// initialized is set by the first initialize request.
	initialized bool
}

// endedByEOF reports whether the input ended cleanly.
func (c *hookConn) endedByEOF() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return errors.Is(c.readErr, io.EOF)
}

// Read passes messages to the SDK, except answers to our own requests;
// tools/call requests get their id copied into _meta for the handler.
func (c *hookConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	for {
		msg, err := c.Connection.Read(ctx)
		if err != nil {
			c.mu.Lock()
			if c.readErr == nil {
				c.readErr = err
			}
			c.mu.Unlock()
			c.failAll()
			if c.gone != nil {
				c.once.Do(c.gone)
			}
			return nil, err
		}
		switch m := msg.(type) {
		case *jsonrpc.Response:
			if id, ok := m.ID.Raw().(string); ok && strings.HasPrefix(id, ownIDPrefix) {
				c.deliver(id, m)
				continue
			}
		case *jsonrpc.Request:
			if m.Method == "tools/call" && m.ID.IsValid() {
				m.Params = withRequestID(m.Params, m.ID.Raw())
			}
			if m.Method == "initialize" && m.ID.IsValid() {
				c.mu.Lock()
				again := c.initialized
				c.initialized = true
				c.mu.Unlock()
				if again {
					// Answered as the Codex server does, with an invalid-request error.
					_ = c.Write(ctx, &jsonrpc.Response{ID: m.ID, Error: &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest,
						Message: "initialize called more than once"}})
					continue
				}
			}
		}
		return msg, nil
	}
}

func (c *hookConn) Close() error {
	c.failAll()
	return c.Connection.Close()
}

// withRequestID adds _meta["codex/requestId"] to a tools/call's params.
func withRequestID(params json.RawMessage, id any) json.RawMessage {
	var p map[string]json.RawMessage
	if json.Unmarshal(params, &p) != nil || p == nil {
		return params
	}
	meta := map[string]any{}
	if raw, ok := p["_meta"]; ok {
		if json.Unmarshal(raw, &meta) != nil || meta == nil {
			meta = map[string]any{}
		}
	}
	meta[requestIDKey] = id
	b, err := json.Marshal(meta)
	if err != nil {
		return params
	}
	p["_meta"] = b
	out, err := json.Marshal(p)
	if err != nil {
		return params
	}
	return out
}

func (c *hookConn) deliver(id string, r *jsonrpc.Response) {
	c.mu.Lock()
	ch := c.waiting[id]
	delete(c.waiting, id)
	c.mu.Unlock()
	if ch == nil {
		return
	}
	if r.Error != nil {
		// An error answer carries no decision.
		ch <- nil
		return
	}
	ch <- r.Result
}

func (c *hookConn) failAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for id, ch := range c.waiting {
		close(ch)
		delete(c.waiting, id)
	}
}

// notify sends a notification.
func (c *hookConn) notify(ctx context.Context, method string, params any) error {
	b, err := json.Marshal(params)
	if err != nil {
		return err
	}
	return c.Write(ctx, &jsonrpc.Request{Method: method, Params: b})
}

// errNoAnswer is a request the client answered with an error, or not at
// all before the connection closed.
var errNoAnswer = errors.New("no answer")

// call sends a request and waits for its result.
func (c *hookConn) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	b, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	ch := make(chan json.RawMessage, 1)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errNoAnswer
	}
	c.next++
	id := fmt.Sprintf("%s%s-%d", ownIDPrefix, method, c.next)
	c.waiting[id] = ch
	c.mu.Unlock()
	drop := func() {
		c.mu.Lock()
		delete(c.waiting, id)
		c.mu.Unlock()
	}
	rid, err := jsonrpc.MakeID(id)
	if err != nil {
		drop()
		return nil, err
	}
	if err := c.Write(ctx, &jsonrpc.Request{ID: rid, Method: method, Params: b}); err != nil {
		drop()
		return nil, err
	}
	select {
	case res, ok := <-ch:
		if !ok || res == nil {
			return nil, errNoAnswer
		}
		return res, nil
	case <-ctx.Done():
		drop()
		return nil, ctx.Err()
	}
}
