// Package mcpmanager runs the MCP servers configured in config.toml for
// an agent session: it starts them concurrently (each bounded by its
// startup timeout), reports the ones that fail once and goes on without
// them, offers their tools under model-safe qualified names, routes calls
// with per-call timeouts, restarts a server that died on the next call,
// and stops everything on Close.
//
// Typical use in an agent:
//
//	m := mcpmanager.Start(ctx, cfg.McpServers, mcpmanager.Options{
//		Conn:             mcpconn.Options{Getenv: os.Getenv, Stderr: logw},
//		OnStartupFailure: func(name string, err error) { warn(name, err) },
//	})
//	defer m.Close()
//	for _, t := range m.Tools() { offer(t.QualifiedName, t.Tool.Description, t.Tool.InputSchema) }
//	...
//	t, ok := m.Lookup(call.Name) // model's function name
//	res, err := m.Call(ctx, t.Server, t.Name, json.RawMessage(call.Arguments))
package mcpmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options configure a Manager.
type Options struct {
	// Conn is used for every server (Getenv is required). If
	// Conn.StderrPrefix is empty each server's stderr lines are
	// prefixed "[<name>] ".
	Conn mcpconn.Options
	// OnStartupFailure, if set, is called once for each server that
	// fails to start in Start (from Start's goroutine, before it returns).
	OnStartupFailure func(server string, err error)
	// OnToolsChanged, if set, is called (from the SDK's goroutine) when
	// a server announces notifications/tools/list_changed; call Refresh
	// before offering tools again.
	OnToolsChanged func(server string)
	// OnElicit, if set, answers the servers' elicitation/create
	// requests (server is the config name of the one asking); the
	// client then declares the elicitation capability, form and URL
	// modes (unless Conn.Client.Capabilities sets Elicitation). It runs on the
	// SDK's goroutine and may block until the user answers.
	OnElicit func(ctx context.Context, server string, req *mcp.ElicitRequest) (*mcp.ElicitResult, error)
}

// Tool is one tool offered to the model.
type Tool struct {
	// Server is the config name of the server; Name the tool's own name.
	Server, Name string
	// QualifiedName is the flat function name: mcp__<server>__<tool>,
	// sanitised and at most 64 characters, unique in the Manager.
	QualifiedName string
	// Namespace ("mcp__<server>") and NamespacedName (the tool name with
	// '-' and other odd characters as '_') are the 0.169 namespace form.
	Namespace, NamespacedName string
	// Tool is the server's definition: Description, InputSchema,
	// OutputSchema, Annotations, Title.
	Tool *mcp.Tool
}

// Failure is a server that could not be started.
type Failure struct {
	Server string
	Err    error
	// Config is the server's configuration.
	Config mcpconfig.Server
}

// ErrUnknownServer is returned for calls naming no running server.
var ErrUnknownServer = errors.New("unknown MCP server")

// Manager owns the session's MCP servers. Its methods are safe for
// concurrent use.
type Manager struct {
	opts Options

	mu        sync.RWMutex
	servers   map[string]*server
	failures  []Failure
	tools     []Tool
	qualified map[string]Tool
	closed    atomic.Bool
}

type server struct {
	name string
	cfg  mcpconfig.Server

	mu           sync.Mutex // held while (re)starting
	stale        atomic.Bool
	conn         *mcpconn.Conn
	tools        []*mcp.Tool // after enabled/disabled filtering
	instructions string
	calls        calls // tool calls in flight
}

// Start starts every enabled server in servers concurrently and returns
// when each has either answered initialize and tools/list within its
// startup timeout or failed. ctx bounds the start-up only.
func Start(ctx context.Context, servers map[string]mcpconfig.Server, opts Options) *Manager {
	if opts.Conn.Stderr != nil {
		// Every server's stderr copier writes here; serialise them.
		opts.Conn.Stderr = &lockedWriter{w: opts.Conn.Stderr}
	}
	m := &Manager{opts: opts, servers: map[string]*server{}, qualified: map[string]Tool{}}
	type outcome struct {
		s   *server
		err error
	}
	results := make(chan outcome)
	n := 0
	for name, cfg := range servers {
		if !cfg.IsEnabled() {
			continue
		}
		n++
		go func(s *server) {
			err := error(nil)
			if !mcpconfig.ValidName(s.name) {
				err = fmt.Errorf("invalid server name %q: use letters, digits, '-' and '_'", s.name)
			} else {
				err = m.connect(ctx, s)
			}
			results <- outcome{s, err}
		}(&server{name: name, cfg: cfg})
	}
	for range n {
		o := <-results
		if o.err != nil {
			m.failures = append(m.failures, Failure{Server: o.s.name, Err: o.err, Config: o.s.cfg})
			continue
		}
		m.servers[o.s.name] = o.s
	}
	sort.Slice(m.failures, func(i, j int) bool { return m.failures[i].Server < m.failures[j].Server })
	if opts.OnStartupFailure != nil {
		for _, f := range m.failures {
			opts.OnStartupFailure(f.Server, f.Err)
		}
	}
	m.rebuild()
	return m
}

// connect dials s and lists its tools within its startup timeout. The
// caller holds s.mu or owns s exclusively.
func (m *Manager) connect(ctx context.Context, s *server) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.StartupTimeout())
	defer cancel()
	opts := m.opts.Conn
	if opts.StderrPrefix == "" {
		opts.StderrPrefix = "[" + s.name + "] "
	}
	var co mcp.ClientOptions
	if opts.Client != nil {
		co = *opts.Client
	}
	user := co.ToolListChangedHandler
	co.ToolListChangedHandler = func(ctx context.Context, req *mcp.ToolListChangedRequest) {
		s.stale.Store(true)
		if m.opts.OnToolsChanged != nil {
			m.opts.OnToolsChanged(s.name)
		}
		if user != nil {
			user(ctx, req)
		}
	}
	if m.opts.OnElicit != nil {
		co.ElicitationHandler = func(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			// The user's time to answer is not the tool's.
			defer s.calls.pauseAll()()
			return m.opts.OnElicit(ctx, s.name, req)
		}
		// Both modes, form and URL (the SDK would declare form only);
		// the rest as the SDK's default (roots with listChanged).
		caps := mcp.ClientCapabilities{RootsV2: &mcp.RootCapabilities{ListChanged: true}} //nolint:staticcheck // the SDK's default, kept while servers still ask for roots
		if co.Capabilities != nil {
			caps = *co.Capabilities
		}
		if caps.Elicitation == nil {
			caps.Elicitation = &mcp.ElicitationCapabilities{Form: &mcp.FormElicitationCapabilities{}, URL: &mcp.URLElicitationCapabilities{}}
		}
		co.Capabilities = &caps
	}
	opts.Client = &co
	conn, err := mcpconn.Dial(ctx, s.name, s.cfg, opts)
	if err != nil {
		return startErr(err, ctx, s.cfg.StartupTimeout())
	}
	tools, err := listTools(ctx, s, conn)
	if err != nil {
		_ = conn.Close()
		return startErr(err, ctx, s.cfg.StartupTimeout())
	}
	s.conn, s.tools, s.instructions = conn, tools, conn.Session.InitializeResult().Instructions
	return nil
}

// listTools lists a server's tools (every page), filtered by its config.
func listTools(ctx context.Context, s *server, conn *mcpconn.Conn) ([]*mcp.Tool, error) {
	var tools []*mcp.Tool
	init := conn.Session.InitializeResult()
	if init.Capabilities == nil || init.Capabilities.Tools == nil {
		return nil, nil
	}
	for t, err := range conn.Session.Tools(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("mcp server %s: tools/list: %w", s.name, err)
		}
		if s.cfg.ToolAllowed(t.Name) {
			tools = append(tools, t)
		}
	}
	return tools, nil
}

// Refresh re-lists the tools of every server that announced a change
// since the last look, and reports whether any list was re-read. On an
// error the server keeps its previous tools (and stays marked stale).
func (m *Manager) Refresh(ctx context.Context) (bool, error) {
	m.mu.RLock()
	servers := make([]*server, 0, len(m.servers))
	for _, s := range m.servers {
		servers = append(servers, s)
	}
	m.mu.RUnlock()
	changed := false
	var firstErr error
	for _, s := range servers {
		if !s.stale.Swap(false) {
			continue
		}
		s.mu.Lock()
		conn := s.conn
		var (
			tools []*mcp.Tool
			err   error
		)
		if conn != nil {
			lctx, cancel := context.WithTimeout(ctx, s.cfg.StartupTimeout())
			tools, err = listTools(lctx, s, conn)
			cancel()
			if err == nil {
				s.tools, changed = tools, true
			}
		}
		s.mu.Unlock()
		if err != nil {
			s.stale.Store(true)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	if changed {
		m.rebuild()
	}
	return changed, firstErr
}

func startErr(err error, ctx context.Context, limit time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (startup timed out after %s)", err, limit)
	}
	return err
}

// rebuild recomputes the qualified tool names from every server's tools,
// deterministically (servers and tools in name order).
func (m *Manager) rebuild() {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.servers))
	for name := range m.servers {
		names = append(names, name)
	}
	sort.Strings(names)
	m.tools = m.tools[:0]
	m.qualified = map[string]Tool{}
	seenRaw := map[string]bool{}
	for _, name := range names {
		s := m.servers[name]
		s.mu.Lock()
		tools := append([]*mcp.Tool(nil), s.tools...)
		s.mu.Unlock()
		sort.Slice(tools, func(i, j int) bool { return tools[i].Name < tools[j].Name })
		for _, t := range tools {
			raw := "mcp" + Delimiter + name + Delimiter + t.Name
			if seenRaw[raw] { // a server listing one name twice
				continue
			}
			seenRaw[raw] = true
			q := QualifyName(name, t.Name)
			if _, taken := m.qualified[q]; taken {
				// Two raw names sanitised alike: disambiguate by hash.
				q = hashed(sanitize(raw, true), raw)
				if _, taken := m.qualified[q]; taken {
					continue
				}
			}
			tool := Tool{Server: name, Name: t.Name, QualifiedName: q,
				Namespace: Namespace(name), NamespacedName: NamespacedName(t.Name), Tool: t}
			m.qualified[q] = tool
			m.tools = append(m.tools, tool)
		}
	}
}

// Tools returns the tools of the running servers, ordered by server and
// tool name.
func (m *Manager) Tools() []Tool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return append([]Tool(nil), m.tools...)
}

// Lookup finds a tool by its qualified (flat) name.
func (m *Manager) Lookup(qualifiedName string) (Tool, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t, ok := m.qualified[qualifiedName]
	return t, ok
}

// LookupNamespaced finds a tool by namespace and namespaced name, the
// form of a 0.169 `function_call{namespace, name}`.
func (m *Manager) LookupNamespaced(namespace, name string) (Tool, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, t := range m.tools {
		if t.Namespace == namespace && t.NamespacedName == name {
			return t, true
		}
	}
	return Tool{}, false
}

// Failures lists the servers that failed to start, by name.
func (m *Manager) Failures() []Failure {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return append([]Failure(nil), m.failures...)
}

// Servers lists the servers that started, by name.
func (m *Manager) Servers() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	names := make([]string, 0, len(m.servers))
	for n := range m.servers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Instructions returns the instructions a server sent in initialize
// (for a namespace description), or "".
func (m *Manager) Instructions(server string) string {
	s, ok := m.server(server)
	if !ok {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.instructions
}

// Pid returns a running stdio server's process id, or 0.
func (m *Manager) Pid(server string) int {
	s, ok := m.server(server)
	if !ok {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return 0
	}
	return s.conn.Pid()
}

// Config returns the configuration of server name (started or failed).
func (m *Manager) Config(name string) (mcpconfig.Server, bool) {
	if s, ok := m.server(name); ok {
		return s.cfg, true
	}
	for _, f := range m.Failures() {
		if f.Server == name {
			return f.Config, true
		}
	}
	return mcpconfig.Server{}, false
}

func (m *Manager) server(name string) (*server, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.servers[name]
	return s, ok
}

// Close stops every server (concurrently) and waits until all are reaped.
func (m *Manager) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	m.mu.Lock()
	servers := make([]*server, 0, len(m.servers))
	for _, s := range m.servers {
		servers = append(servers, s)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.conn != nil {
				_ = s.conn.Close()
				s.conn = nil
			}
		}()
	}
	wg.Wait()
	return nil
}

// lockedWriter makes one writer safe for the servers' stderr copiers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// ContentJSON returns a result's content and structured content as JSON,
// the `result.content` / `result.structured_content` of an mcp_tool_call
// item (structured is nil when the server sent none).
func ContentJSON(res *mcp.CallToolResult) (content, structured json.RawMessage, err error) {
	items := res.Content
	if items == nil {
		items = []mcp.Content{}
	}
	content, err = json.Marshal(items)
	if err != nil {
		return nil, nil, fmt.Errorf("encode content: %w", err)
	}
	if res.StructuredContent != nil {
		structured, err = json.Marshal(res.StructuredContent)
		if err != nil {
			return nil, nil, fmt.Errorf("encode structured content: %w", err)
		}
	}
	return content, structured, nil
}
