package mcpmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Call runs one tool on one server, bounded by the server's
// tool_timeout_sec (or ctx's own deadline, if sooner). args is the
// arguments object: a json.RawMessage (the model's arguments string), a
// map, or nil for {}. A tool failure comes back as a result with IsError;
// an error means the call did not complete: timeout, unknown or disabled
// tool, or the server died (it is restarted on the next call).
func (m *Manager) Call(ctx context.Context, server, tool string, args any) (*mcp.CallToolResult, error) {
	return m.CallMeta(ctx, server, tool, args, nil)
}

// CallMeta is Call with a request _meta (e.g. Codex's callId, threadId,
// or a progressToken; progress then reaches
// Options.Conn.Client.ProgressNotificationHandler).
func (m *Manager) CallMeta(ctx context.Context, server, tool string, args any, meta mcp.Meta) (*mcp.CallToolResult, error) {
	s, ok := m.server(server)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownServer, server)
	}
	if !s.cfg.ToolAllowed(tool) {
		return nil, fmt.Errorf("tool %q of mcp server %s is disabled in config", tool, server)
	}
	args, err := normaliseArgs(args)
	if err != nil {
		return nil, err
	}
	conn, err := m.live(ctx, s)
	if err != nil {
		return nil, err
	}
	limit := s.cfg.ToolTimeout()
	// The time the server's elicitations wait for the user does not
	// count (budget.go).
	cctx, b := newBudget(ctx, limit)
	s.calls.add(b)
	defer func() { s.calls.remove(b); b.stop() }()
	res, err := conn.Session.CallTool(cctx, &mcp.CallToolParams{Meta: meta, Name: tool, Arguments: args})
	if err == nil {
		return res, nil
	}
	var rpcErr *jsonrpc.Error
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("call %s/%s: %w", server, tool, ctx.Err())
	case diedSoon(conn):
		return nil, fmt.Errorf("call %s/%s: mcp server %s stopped during the call (%v); it will be restarted on the next call",
			server, tool, server, exitReason(conn))
	case context.Cause(cctx) == errToolTimeout:
		return nil, fmt.Errorf("call %s/%s: timed out after %s", server, tool, limit)
	case s.cfg.IsHTTP() && (!errors.As(err, &rpcErr) || rpcErr.Code == codeRejectedByTransport):
		// The server did not answer at all (refused, reset, gone):
		// drop the session so the next call starts a fresh one.
		m.drop(s, conn)
		return nil, fmt.Errorf("call %s/%s: %w; the connection will be re-established on the next call", server, tool, err)
	}
	return nil, fmt.Errorf("call %s/%s: %w", server, tool, err)
}

// codeRejectedByTransport is the SDK's local error for a message the
// transport could not deliver (it is not an answer from the server).
const codeRejectedByTransport = -32005

// drop closes conn if it is still s's connection, so live reconnects.
func (m *Manager) drop(s *server, conn *mcpconn.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == conn {
		_ = conn.Close()
		s.conn = nil
	}
}

// CallQualified looks the tool up by its qualified name and calls it.
func (m *Manager) CallQualified(ctx context.Context, qualifiedName string, args any) (Tool, *mcp.CallToolResult, error) {
	t, ok := m.Lookup(qualifiedName)
	if !ok {
		return Tool{}, nil, fmt.Errorf("unknown MCP tool %q", qualifiedName)
	}
	res, err := m.Call(ctx, t.Server, t.Name, args)
	return t, res, err
}

// ListResources lists all of a server's resources (every page).
func (m *Manager) ListResources(ctx context.Context, server string) ([]*mcp.Resource, error) {
	conn, limit, err := m.request(ctx, server)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var out []*mcp.Resource
	for r, err := range conn.Session.Resources(cctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("list resources of %s: %w", server, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ListResourceTemplates lists all of a server's resource templates.
func (m *Manager) ListResourceTemplates(ctx context.Context, server string) ([]*mcp.ResourceTemplate, error) {
	conn, limit, err := m.request(ctx, server)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var out []*mcp.ResourceTemplate
	for r, err := range conn.Session.ResourceTemplates(cctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("list resource templates of %s: %w", server, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadResource reads one resource from a server.
func (m *Manager) ReadResource(ctx context.Context, server, uri string) (*mcp.ReadResourceResult, error) {
	conn, limit, err := m.request(ctx, server)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	res, err := conn.Session.ReadResource(cctx, &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		return nil, fmt.Errorf("read resource %s from %s: %w", uri, server, err)
	}
	return res, nil
}

func (m *Manager) request(ctx context.Context, server string) (*mcpconn.Conn, time.Duration, error) {
	s, ok := m.server(server)
	if !ok {
		return nil, 0, fmt.Errorf("%w %q", ErrUnknownServer, server)
	}
	conn, err := m.live(ctx, s)
	return conn, s.cfg.ToolTimeout(), err
}

// live returns s's connection, restarting the server first if it died.
func (m *Manager) live(ctx context.Context, s *server) (*mcpconn.Conn, error) {
	s.mu.Lock()
	if s.conn != nil && !dead(s.conn) {
		c := s.conn
		s.mu.Unlock()
		return c, nil
	}
	if m.closed.Load() {
		s.mu.Unlock()
		return nil, fmt.Errorf("mcp server %s: manager is closed", s.name)
	}
	if s.conn != nil {
		_ = s.conn.Close() // reap the dead one
		s.conn = nil
	}
	err := m.connect(ctx, s)
	c := s.conn
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("restart mcp server %s: %w", s.name, err)
	}
	m.rebuild()
	return c, nil
}

// diedSoon reports whether the session ends within a moment: a failed
// call may return just before the session notices the closed pipe.
func diedSoon(c *mcpconn.Conn) bool {
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	select {
	case <-c.Done():
		return true
	case <-t.C:
		return false
	}
}

func dead(c *mcpconn.Conn) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

// exitReason says how a dead server ended, if its exit was collected.
func exitReason(c *mcpconn.Conn) error {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-c.Exited():
		return c.ExitError()
	case <-t.C:
		return errors.New("connection lost")
	}
}

func normaliseArgs(args any) (any, error) {
	switch a := args.(type) {
	case nil:
		return map[string]any{}, nil
	case json.RawMessage:
		if len(a) == 0 || string(a) == "null" {
			return map[string]any{}, nil
		}
		var obj map[string]any
		if err := json.Unmarshal(a, &obj); err != nil || obj == nil {
			return nil, fmt.Errorf("tool arguments must be a JSON object")
		}
		return a, nil
	}
	return args, nil
}
