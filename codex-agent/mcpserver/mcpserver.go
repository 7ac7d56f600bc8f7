// Package mcpserver exposes the agent to any MCP client over stdio: the
// tools codex (start a thread with a prompt) and codex-reply (continue a
// thread), each call running one turn and answering with the last agent
// message and structuredContent {threadId, content}.
//
// While a call runs, every agent event goes to the client as a
// codex/event notification, and as a progress notification when the call
// carried a progress token. Approvals are asked with elicitation/create,
// in Codex's shape (codex_elicitation, codex_command, …), and either a
// standard ElicitResult or Codex's {decision} answer is accepted.
// notifications/cancelled interrupts the turn. Threads are independent
// sessions; when the client goes away every thread is shut down and its
// commands killed.
package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/codexgo/common/protocol"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Session is an agent session (agent.Session).
type Session interface {
	Run(ctx context.Context) error
	Submit(ctx context.Context, sub protocol.Submission) error
	Events() <-chan protocol.Event
	ThreadID() string
}

// NewSessionFunc starts nothing: it builds a session for a codex call;
// close is called after the session's Run returns.
type NewSessionFunc func(ctx context.Context, s Settings) (sess Session, close func() error, err error)

// Options configure the server.
type Options struct {
	NewSession NewSessionFunc
	// Version is reported in serverInfo.
	Version string
}

// Server is the MCP server; one Server serves one connection.
type Server struct {
	opts Options

	mu      sync.Mutex
	threads map[string]*thread
	conn    *hookConn
	// threadsCtx parents every thread; it ends when the client goes.
	threadsCtx context.Context
	wg         sync.WaitGroup
}

// thread is one conversation: a session running in its own goroutine.
type thread struct {
	id     string
	sess   Session
	cancel context.CancelFunc
	// turn admits one call at a time.
	turn chan struct{}
	// configured is the session_configured event, sent with the first
	// call's events.
	configured *protocol.Event
}

// Serve speaks MCP on in/out until the client disconnects or ctx ends,
// then shuts every thread down.
func Serve(ctx context.Context, in io.Reader, out io.Writer, opts Options) error {
	if opts.NewSession == nil {
		return errors.New("mcpserver: no session factory")
	}
	if opts.Version == "" {
		opts.Version = "0.0.0"
	}
	s := &Server{opts: opts, threads: map[string]*thread{}}
	srv := mcp.NewServer(&mcp.Implementation{Name: "codex-mcp-server", Title: "Codex", Version: opts.Version},
		&mcp.ServerOptions{Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{ListChanged: true}}})
	srv.AddTool(&mcp.Tool{Name: "codex", Title: "Codex",
		Description:  "Run a Codex session. Accepts configuration parameters matching the Codex Config struct.",
		InputSchema:  json.RawMessage(codexInputSchema),
		OutputSchema: json.RawMessage(outputSchema)}, s.codex)
	srv.AddTool(&mcp.Tool{Name: "codex-reply", Title: "Codex Reply",
		Description:  "Continue a Codex conversation by providing the thread id and prompt.",
		InputSchema:  json.RawMessage(replyInputSchema),
		OutputSchema: json.RawMessage(outputSchema)}, s.reply)

	threadsCtx, stopThreads := context.WithCancel(context.WithoutCancel(ctx))
	s.mu.Lock()
	s.threadsCtx = threadsCtx
	s.mu.Unlock()
	// When the client goes, the SDK waits for the calls in flight; ending
	// the threads first makes those calls return (and kills commands).
	// The connection is recorded before the first message is read: it
	// used to be handed over by a goroutine, and a call that asked for an
	// approval before that goroutine ran found none and was denied
	// without asking (TestElicitationAnswers, once in CI at high load).
	tr := &hookTransport{inner: &mcp.IOTransport{Reader: io.NopCloser(in), Writer: nopWriteCloser{out}},
		connected: func(c *hookConn) {
			s.mu.Lock()
			s.conn = c
			s.mu.Unlock()
		}, gone: stopThreads}
	err := srv.Run(ctx, tr)
	// The client is gone: end every thread, killing what runs.
	stopThreads()
	s.wg.Wait()
	// A client that closes its end is the normal way to finish.
	if c := s.connection(); c != nil && c.endedByEOF() {
		err = nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

func (s *Server) connection() *hookConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

// newThread builds and starts a session.
func (s *Server) newThread(ctx context.Context, st Settings) (*thread, error) {
	sess, closeFn, err := s.opts.NewSession(ctx, st)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	base := s.threadsCtx
	s.mu.Unlock()
	tctx, cancel := context.WithCancel(base)
	th := &thread{id: sess.ThreadID(), sess: sess, cancel: cancel, turn: make(chan struct{}, 1)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = sess.Run(tctx)
		if closeFn != nil {
			_ = closeFn()
		}
	}()
	select {
	case ev, ok := <-sess.Events():
		if !ok {
			cancel()
			return nil, errors.New("session ended before it started")
		}
		th.configured = &ev
	case <-ctx.Done():
		cancel()
		return nil, ctx.Err()
	}
	s.mu.Lock()
	s.threads[th.id] = th
	s.mu.Unlock()
	return th, nil
}

func errorResult(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}

// codex handles the codex tool: a new thread and its first turn.
func (s *Server) codex(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	a, st, err := parseCodexArgs(req.Params.Arguments)
	if err != nil {
		return errorResult("Failed to start Codex session: %v", err), nil
	}
	if ip := req.Session.InitializeParams(); ip != nil && ip.ClientInfo != nil {
		st.Client = ip.ClientInfo.Name + "; " + ip.ClientInfo.Version
	}
	th, err := s.newThread(ctx, st)
	if err != nil {
		return errorResult("Failed to start Codex session: %v", err), nil
	}
	return s.runTurn(ctx, req, th, a.Prompt), nil
}

// reply handles codex-reply: the next turn of a thread.
func (s *Server) reply(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var a ReplyArgs
	raw := req.Params.Arguments
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return errorResult("invalid arguments: %v", err), nil
	}
	id := a.ThreadID
	if id == "" {
		id = a.ConversationID
	}
	if id == "" {
		return errorResult("missing threadId"), nil
	}
	if a.Prompt == "" {
		return errorResult("missing prompt"), nil
	}
	s.mu.Lock()
	th := s.threads[id]
	s.mu.Unlock()
	if th == nil {
		return errorResult("Session not found for thread_id: %s", id), nil
	}
	return s.runTurn(ctx, req, th, a.Prompt), nil
}
