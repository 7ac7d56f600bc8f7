package appserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/codexgo/common/skills"
	"io"
	"net/http"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/common/jsonl"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/version"
)

// MaxLine bounds one input line; a longer line is answered with an
// error and skipped.
const MaxLine = 64 << 20

// Options configure a server.
type Options struct {
	Backend   Backend
	CodexHome string
	// Overrides and Profile are the server's -c/--config flags and
	// profile: every config read and every thread sees them.
	Overrides []string
	Profile   string
	Getenv    func(string) string
	Environ   []string
	Now       func() time.Time
	// Stderr receives the server's log lines (one per malformed input
	// line, say); nil discards them.
	Stderr io.Writer
	// HTTP is the client for login flows; nil is http.DefaultClient.
	HTTP *http.Client
	// Issuer is the auth issuer for ChatGPT logins (zero: OpenAI's);
	// tests point it at codex-login's local issuer.
	Issuer oauth.Issuer
	// LoginPorts are the ports the browser login's callback server
	// tries (nil: codex-login's 1455, 1457).
	LoginPorts []int
	// OpenBrowser opens the ChatGPT login URL; nil opens nothing (the
	// client shows authUrl itself, as IDE clients do).
	OpenBrowser func(url string) error
	// Sandboxed runs command/exec under a sandbox policy; nil runs
	// commands directly (tests of the transport only).
	Sandboxed CommandStarter
	// SkillsPoll is how often the skill folders are looked at for
	// skills/changed (zero: DefaultSkillsPoll).
	SkillsPoll time.Duration
}

// DefaultSkillsPoll is how often the skill folders are looked at.
const DefaultSkillsPoll = 500 * time.Millisecond

type handler struct {
	fn func(ctx context.Context, params json.RawMessage) (any, error)
	// async handlers run on their own goroutine (they wait on a
	// process, a login or the model) so the next lines are served.
	async bool
}

// server is one connection's state.
type server struct {
	o    Options
	c    *conn
	ctx  context.Context
	wg   sync.WaitGroup
	h    map[string]handler
	mu   sync.Mutex
	init bool
	// cfgMu serialises config.toml edits.
	cfgMu sync.Mutex
	// initialized: the client sent the initialized notification.
	initialized bool
	client      string
	// experimental: the client asked for the experimental API
	// (capabilities.experimentalApi), which a granular approvalPolicy
	// needs, as in the Codex CLI.
	experimental bool

	threads *threadTable
	procs   *procTable
	logins  *loginTable
	// agents are the access tokens started for account/read.
	agents identities
	mcp    mcpState
	// limits are the rate limits the model API reported last.
	limits *protocol.RateLimitSnapshot
	// skills watches the skill folders; stopSkills ends it.
	skills     skills.Watcher
	stopSkills context.CancelFunc
}

// Serve runs the app-server protocol on in/out until in ends or ctx is
// done. At the end every thread is interrupted and shut down and every
// command/exec process is killed before it returns: nothing is left
// running.
func Serve(ctx context.Context, in io.Reader, out io.Writer, o Options) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.HTTP == nil {
		o.HTTP = http.DefaultClient
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &server{o: o, c: newConn(jsonl.NewWriter(out), o.Now), ctx: ctx}
	s.threads = newThreadTable()
	s.procs = newProcTable()
	s.logins = newLoginTable()
	s.h = s.handlers()
	s.watchSkills()

	lines := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		r := jsonl.NewReader(in, MaxLine)
		for {
			line, err := r.ReadLine()
			if err != nil {
				var le *jsonl.LineError
				if errors.As(err, &le) {
					s.malformed(nil, fmt.Sprintf("line %d: %v", le.Line, le.Err))
					continue
				}
				if errors.Is(err, io.EOF) {
					err = nil
				}
				readErr <- err
				return
			}
			select {
			case lines <- append([]byte(nil), line...):
			case <-ctx.Done():
				readErr <- nil
				return
			}
		}
	}()
	var rerr error
loop:
	for {
		select {
		case line := <-lines:
			s.handleLine(line)
		case rerr = <-readErr:
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	s.shutdown()
	if rerr != nil {
		return fmt.Errorf("read input: %w", rerr)
	}
	return s.c.err()
}

// shutdown ends everything the connection started and waits for it.
func (s *server) shutdown() {
	s.stopSkills()
	s.c.close()
	s.procs.killAll()
	s.logins.cancelAll()
	s.threads.closeAll()
	s.wg.Wait()
	s.mcp.close()
}

// malformed answers a line that is not a JSON-RPC message: with its id
// when one could be read, else (JSON-RPC 2.0 §5.1) with a null id.
func (s *server) malformed(id requestID, msg string) {
	fmt.Fprintf(s.o.Stderr, "codex app-server: %s\n", msg)
	code := codeInvalidRequest
	if id == nil {
		code = codeParse
	}
	s.c.write(errorMsg{ID: id, Error: &rpcError{Code: code, Message: msg}})
}

func (s *server) handleLine(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		// A well-formed object with a bad member still names its id.
		var probe struct {
			ID json.RawMessage `json:"id"`
		}
		var id requestID
		if json.Unmarshal(line, &probe) == nil && probe.ID != nil {
			id, _ = parseID(probe.ID)
		}
		s.malformed(id, "invalid JSON-RPC message: "+err.Error())
		return
	}
	switch {
	case m.Method != "" && m.ID != nil:
		id, err := parseID(m.ID)
		if err != nil {
			s.malformed(nil, "invalid request id: "+err.Error())
			return
		}
		s.request(id, m.Method, m.Params)
	case m.Method != "":
		s.notification(m.Method, m.Params)
	case m.ID != nil && (m.Result != nil || m.Error != nil):
		if !s.c.deliver(m) {
			fmt.Fprintf(s.o.Stderr, "codex app-server: response to unknown request %s\n", m.ID)
		}
	default:
		var id requestID
		if m.ID != nil {
			id, _ = parseID(m.ID)
		}
		s.malformed(id, "invalid JSON-RPC message: neither a request, a notification nor a response")
	}
}

func (s *server) notification(method string, _ json.RawMessage) {
	switch method {
	case "initialized":
		s.mu.Lock()
		s.initialized = true
		s.mu.Unlock()
	default:
		fmt.Fprintf(s.o.Stderr, "codex app-server: ignoring notification %s\n", method)
	}
}

func (s *server) request(id requestID, method string, params json.RawMessage) {
	if method == "initialize" {
		s.c.respondOrFail(id)(s.initialize(params))
		return
	}
	s.mu.Lock()
	ready := s.init
	s.mu.Unlock()
	if !ready {
		s.c.fail(id, invalidRequest("Not initialized"))
		return
	}
	h, ok := s.h[method]
	if !ok {
		s.c.fail(id, &rpcError{Code: codeMethodNotFound, Message: fmt.Sprintf("method not found: %s", method)})
		return
	}
	if !h.async {
		res, err := h.fn(s.ctx, params)
		if l, ok := res.(later); ok && err == nil {
			// Started in order with the lines around it; answered when
			// it is done.
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.c.respondOrFail(id)(l())
			}()
			return
		}
		s.c.respondOrFail(id)(res, err)
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.c.respondOrFail(id)(h.fn(s.ctx, params))
	}()
}

func (c *conn) respondOrFail(id requestID) func(any, error) {
	return func(result any, err error) {
		if err != nil {
			c.fail(id, err)
			return
		}
		c.respond(id, result)
	}
}

// later is a result a request gets once its work, started by the
// handler, is done.
type later func() (any, error)

// decode reads params into v; a type mismatch is -32602.
func decode(params json.RawMessage, v any) error {
	if len(bytes.TrimSpace(params)) == 0 || string(bytes.TrimSpace(params)) == "null" {
		params = []byte("{}")
	}
	if err := json.Unmarshal(params, v); err != nil {
		return invalidParams("invalid params: %v", err)
	}
	return nil
}

type initializeParams struct {
	ClientInfo *struct {
		Name    string `json:"name"`
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"clientInfo"`
	Capabilities *struct {
		OptOutNotificationMethods []string `json:"optOutNotificationMethods"`
		ExperimentalAPI           bool     `json:"experimentalApi"`
	} `json:"capabilities"`
}

func (s *server) initialize(params json.RawMessage) (any, error) {
	var p initializeParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.ClientInfo == nil || p.ClientInfo.Name == "" {
		return nil, invalidParams("initialize: clientInfo.name is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.init {
		return nil, invalidRequest("Already initialized")
	}
	s.init = true
	s.client = p.ClientInfo.Name + "; " + p.ClientInfo.Version
	s.experimental = p.Capabilities != nil && p.Capabilities.ExperimentalAPI
	if p.Capabilities != nil && len(p.Capabilities.OptOutNotificationMethods) > 0 {
		s.c.mu.Lock()
		s.c.optOut = map[string]bool{}
		for _, m := range p.Capabilities.OptOutNotificationMethods {
			s.c.optOut[m] = true
		}
		s.c.mu.Unlock()
	}
	return map[string]any{
		"userAgent":      fmt.Sprintf("%s/%s (%s; %s) (%s)", p.ClientInfo.Name, version.Version, runtime.GOOS, runtime.GOARCH, s.client),
		"codexHome":      s.o.CodexHome,
		"platformFamily": platformFamily(),
		"platformOs":     runtime.GOOS,
	}, nil
}

func platformFamily() string {
	if runtime.GOOS == "windows" {
		return "windows"
	}
	return "unix"
}

func (s *server) clientName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// Methods lists the client requests this server answers, sorted.
func Methods() []string {
	s := &server{}
	names := make([]string, 0, len(s.handlers()))
	for n := range s.handlers() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
