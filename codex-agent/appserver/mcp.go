package appserver

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"sync"

	"github.com/codexgo/codex-login/mcpauth"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MCPStarter starts config.toml's MCP servers: the agent's own start-up
// (the one every session uses), so a status list or a client's tool call
// sees the servers a thread would.
// onElicit answers the servers' elicitations (the servers declare the
// capability).
type MCPStarter interface {
	StartMCP(ctx context.Context, onElicit func(ctx context.Context, server string, req *mcp.ElicitRequest) (*mcp.ElicitResult, error)) (*mcpmanager.Manager, error)
}

// mcpState is the server's own MCP connections, started on first use
// and dropped by config/mcpServer/reload.
type mcpState struct {
	mu  sync.Mutex
	mgr *mcpmanager.Manager

	// callers are, per MCP server, the threads whose client calls run
	// on these connections now (mcpServer/tool/call): the one an
	// elicitation of that server is put to.
	cmu     sync.Mutex
	callers map[string][]*thread
}

// calling records a client's call to server for th until done is called.
func (m *mcpState) calling(server string, th *thread) (done func()) {
	m.cmu.Lock()
	if m.callers == nil {
		m.callers = map[string][]*thread{}
	}
	m.callers[server] = append(m.callers[server], th)
	m.cmu.Unlock()
	return func() {
		m.cmu.Lock()
		defer m.cmu.Unlock()
		l := m.callers[server]
		if i := slices.Index(l, th); i >= 0 {
			m.callers[server] = slices.Delete(l, i, i+1)
		}
	}
}

// elicit routes an elicitation of one of the server-wide MCP servers to
// the thread whose client call to that server is running: an MCP
// elicitation does not say which request it belongs to, so it is put
// to the client only when the calls to that server in flight are all
// one thread's; otherwise (none: the server asks on its own, or while
// being listed; several threads' calls at once) it is declined.
func (m *mcpState) elicit(ctx context.Context, server string, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	m.cmu.Lock()
	l := m.callers[server]
	var th *thread
	if len(l) > 0 {
		th = l[0]
		for _, o := range l[1:] {
			if o != th {
				th = nil
				break
			}
		}
	}
	m.cmu.Unlock()
	if th == nil || th.opened.Elicit == nil {
		return &mcp.ElicitResult{Action: "decline"}, nil
	}
	return th.opened.Elicit(ctx, server, req)
}

func (m *mcpState) close() {
	m.mu.Lock()
	mgr := m.mgr
	m.mgr = nil
	m.mu.Unlock()
	if mgr != nil {
		_ = mgr.Close()
	}
}

func (s *server) mcpManager(ctx context.Context) (*mcpmanager.Manager, error) {
	starter, ok := s.o.Backend.(MCPStarter)
	if !ok || s.o.Backend == nil {
		return nil, invalidRequest("MCP servers are not available in this build")
	}
	s.mcp.mu.Lock()
	defer s.mcp.mu.Unlock()
	if s.mcp.mgr != nil {
		return s.mcp.mgr, nil
	}
	mgr, err := starter.StartMCP(s.ctx, s.mcp.elicit)
	if err != nil {
		return nil, invalidRequest("%v", err)
	}
	s.mcp.mgr = mgr
	return mgr, nil
}

func (s *server) mcpStatusList(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Cursor     *string `json:"cursor"`
		Limit      *int    `json:"limit"`
		ServerName *string `json:"serverName"`
		Detail     *string `json:"detail"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	mgr, err := s.mcpManager(ctx)
	if err != nil {
		return nil, err
	}
	tools := map[string]map[string]any{}
	for _, t := range mgr.Tools() {
		if tools[t.Server] == nil {
			tools[t.Server] = map[string]any{}
		}
		entry := map[string]any{"name": t.Name, "inputSchema": t.Tool.InputSchema}
		if entry["inputSchema"] == nil {
			entry["inputSchema"] = map[string]any{"type": "object"}
		}
		if t.Tool.Description != "" {
			entry["description"] = t.Tool.Description
		}
		if t.Tool.Title != "" {
			entry["title"] = t.Tool.Title
		}
		if t.Tool.Annotations != nil {
			entry["annotations"] = t.Tool.Annotations
		}
		if t.Tool.OutputSchema != nil {
			entry["outputSchema"] = t.Tool.OutputSchema
		}
		tools[t.Server][t.Name] = entry
	}
	failed := map[string]string{}
	for _, f := range mgr.Failures() {
		failed[f.Server] = f.Err.Error()
	}
	names := mgr.Servers()
	for n := range failed {
		if !contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	full := p.Detail == nil || *p.Detail == "full"
	var list []any
	for _, n := range names {
		if p.ServerName != nil && *p.ServerName != n {
			continue
		}
		t := tools[n]
		if t == nil {
			t = map[string]any{}
		}
		st := map[string]any{"name": n, "tools": t, "resources": []any{}, "resourceTemplates": []any{},
			"authStatus": s.mcpAuthStatus(ctx, mgr, n), "runtimeStatus": "connected", "toolsError": nil}
		if msg, bad := failed[n]; bad {
			st["runtimeStatus"], st["toolsError"] = "failed", msg
		} else if full {
			if rs, err := mgr.ListResources(ctx, n); err == nil && rs != nil {
				st["resources"] = rs
			}
			if rt, err := mgr.ListResourceTemplates(ctx, n); err == nil && rt != nil {
				st["resourceTemplates"] = rt
			}
		}
		list = append(list, st)
	}
	start, end, next, err := page(len(list), p.Cursor, p.Limit)
	if err != nil {
		return nil, err
	}
	data := []any{}
	data = append(data, list[start:end]...)
	return map[string]any{"data": data, "nextCursor": next}, nil
}

// mcpAuthStatus is the server's auth status as `codex mcp list` decides
// it (mcpconfig.AuthStatus), in the protocol's spelling.
func (s *server) mcpAuthStatus(ctx context.Context, mgr *mcpmanager.Manager, name string) string {
	cfg, ok := mgr.Config(name)
	if !ok {
		return "unknown"
	}
	switch mcpconfig.AuthStatus(ctx, s.o.CodexHome, name, cfg) {
	case mcpauth.StatusUnsupported:
		return "unsupported"
	case mcpauth.StatusNotLoggedIn:
		return "notLoggedIn"
	case mcpauth.StatusBearerToken:
		return "bearerToken"
	case mcpauth.StatusOAuth:
		return "oAuth"
	}
	return "unknown"
}

func (s *server) mcpReload(_ context.Context, _ json.RawMessage) (any, error) {
	// The next use starts the servers config.toml names now. Threads
	// already loaded keep the servers they started with.
	s.mcp.close()
	return map[string]any{}, nil
}

func (s *server) mcpToolCall(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID  string          `json:"threadId"`
		Server    string          `json:"server"`
		Tool      string          `json:"tool"`
		Arguments json.RawMessage `json:"arguments"`
		Meta      map[string]any  `json:"_meta"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.Server == "" || p.Tool == "" {
		return nil, invalidParams("server and tool are required")
	}
	th, err := s.loaded(p.ThreadID)
	if err != nil {
		return nil, err
	}
	// The thread's own servers when it has this one (an elicitation
	// during the call then reaches the client as the thread's, as in the
	// Codex CLI), else the server's.
	mgr := th.opened.MCP
	if mgr == nil || !slices.Contains(mgr.Servers(), p.Server) {
		if mgr, err = s.mcpManager(ctx); err != nil {
			return nil, err
		}
		// Its elicitations go to this thread's client (mcpState.elicit).
		defer s.mcp.calling(p.Server, th)()
	}
	var args any = map[string]any{}
	if len(p.Arguments) > 0 && string(p.Arguments) != "null" {
		args = p.Arguments
	}
	res, err := mgr.CallMeta(ctx, p.Server, p.Tool, args, p.Meta)
	if err != nil {
		return nil, invalidRequest("mcpServer/tool/call: %v", err)
	}
	content, structured, err := mcpmanager.ContentJSON(res)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"content": content, "isError": res.IsError}
	if len(content) == 0 || string(content) == "null" {
		out["content"] = []any{}
	}
	if len(structured) > 0 && string(structured) != "null" {
		out["structuredContent"] = structured
	}
	return out, nil
}
