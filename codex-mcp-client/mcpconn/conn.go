// Package mcpconn connects to one MCP server, stdio or streamable HTTP,
// as configured by an mcpconfig.Server, and owns its lifetime: a stdio
// server is started in its own process group and is always stopped and
// reaped by Close (stdin closed, then SIGTERM, then SIGKILL).
package mcpconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/codexgo/codex-login/mcpauth"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/version"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// DefaultProtocolVersion is offered in initialize. The SDK's newest
// version would first try the stateless server/discover call, an extra
// round trip every server published so far answers with an error.
const DefaultProtocolVersion = "2025-11-25"

// Close waits DefaultGrace after closing a stdio server's stdin before
// sending SIGTERM, then DefaultTermGrace before SIGKILL. Well-behaved
// servers exit at once on end of input; some keep timers alive for
// seconds, and a CLI should not wait on them.
const (
	DefaultGrace     = 500 * time.Millisecond
	DefaultTermGrace = 2 * time.Second
)

// Options tune Dial. The zero value is usable except for Getenv.
type Options struct {
	// ClientName and ClientVersion are sent as clientInfo
	// (defaults "codex-mcp-client" and the build version).
	ClientName, ClientVersion string
	// Getenv reads the parent environment: the whitelisted variables,
	// env_vars, bearer_token_env_var and env_http_headers come from it.
	Getenv func(string) string
	// Environ, when non-nil, is passed to a stdio server whole (then the
	// config's env on top) instead of Codex's whitelist.
	Environ []string
	// Stderr receives the server's stderr lines, each prefixed with
	// StderrPrefix. Nil discards them.
	Stderr       io.Writer
	StderrPrefix string
	// HTTPClient carries streamable HTTP requests (default: a new client).
	HTTPClient *http.Client
	// CodexHome holds the MCP OAuth tokens (.credentials.json) that
	// `codex mcp login` stored; "" means $CODEX_HOME (or ~/.codex) from
	// Getenv. A streamable HTTP server without a configured bearer token
	// or Authorization header gets its stored token, refreshed as needed.
	CodexHome string
	// Grace is the wait after closing stdin before SIGTERM (zero means
	// DefaultGrace, negative no wait); TermGrace the wait after SIGTERM
	// before SIGKILL (default DefaultTermGrace).
	Grace, TermGrace time.Duration
	// ProtocolVersion offered in initialize (default DefaultProtocolVersion).
	ProtocolVersion string
	// Client options (handlers for logging, list changes, elicitation).
	Client *mcp.ClientOptions
}

// Conn is one live MCP session. Use Session for requests; call Close
// exactly when done (it is safe to call more than once).
type Conn struct {
	// Name is the server's name from the config (or as given to Dial).
	Name string
	// Session is the initialized MCP client session.
	Session *mcp.ClientSession

	proc      *process // nil for HTTP
	tap       *tap
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Dial starts or connects to the server and runs the initialize
// handshake; ctx bounds the start-up only (use context.WithTimeout with
// Server.StartupTimeout). On failure nothing is left running.
func Dial(ctx context.Context, name string, srv mcpconfig.Server, opts Options) (*Conn, error) {
	if err := srv.Validate(); err != nil {
		return nil, fmt.Errorf("mcp server %s: %w", name, err)
	}
	if opts.Getenv == nil {
		return nil, errors.New("mcpconn: Options.Getenv is nil")
	}
	if opts.ClientName == "" {
		opts.ClientName = "codex-mcp-client"
	}
	if opts.ClientVersion == "" {
		opts.ClientVersion = version.Version
	}
	if opts.Grace < 0 {
		opts.Grace = 0
	} else if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	if opts.TermGrace <= 0 {
		opts.TermGrace = DefaultTermGrace
	}
	if opts.ProtocolVersion == "" {
		opts.ProtocolVersion = DefaultProtocolVersion
	}
	client := mcp.NewClient(&mcp.Implementation{Name: opts.ClientName, Title: "Codex", Version: opts.ClientVersion}, opts.Client)
	c := &Conn{Name: name, done: make(chan struct{}), tap: newTap()}
	var transport mcp.Transport
	if srv.IsHTTP() {
		transport = &mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: httpClient(name, srv, opts, c.tap)}
	} else {
		cmd := exec.Command(srv.Command, srv.Args...)
		cmd.Env = childEnv(srv, opts)
		cmd.Dir = srv.Cwd
		p, err := startProcess(cmd, opts.Stderr, opts.StderrPrefix, opts.Grace, opts.TermGrace)
		if err != nil {
			return nil, fmt.Errorf("start mcp server %s: %w", name, err)
		}
		c.proc = p
		transport = c.tap.transport(&mcp.IOTransport{Reader: p.stdout, Writer: p.stdin})
	}
	cs, err := client.Connect(ctx, transport, &mcp.ClientSessionOptions{ProtocolVersion: opts.ProtocolVersion})
	if err != nil {
		err = c.startupError(ctx, err)
		if c.proc != nil {
			_ = c.proc.stop()
		}
		return nil, err
	}
	c.Session = cs
	go func() {
		_ = cs.Wait()
		close(c.done)
	}()
	return c, nil
}

// startupError explains a failed handshake: a timeout, or the server's
// exit status and last stderr lines when it died.
func (c *Conn) startupError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		se := &StartError{Name: c.Name, Err: ctx.Err()}
		if c.proc != nil {
			se.StderrTail = c.proc.stderrTail()
		}
		return se
	}
	if c.proc != nil {
		// The handshake failed because the pipe closed: wait briefly for
		// the exit status so the message can say what happened.
		if c.proc.waitFor(c.proc.term) {
			msg := fmt.Sprintf("mcp server %s: %v before initialize completed", c.Name, c.proc.exitError())
			if t := c.proc.stderrTailAfterExit(); t != "" {
				msg += "; stderr: " + t
			}
			return errors.New(msg)
		}
	}
	return fmt.Errorf("mcp server %s: initialize: %w", c.Name, err)
}

// StartError is a server that did not complete initialize in time, with
// the last lines it wrote to stderr (what it was busy with: a download, a
// prompt for credentials, a crash loop).
type StartError struct {
	Name       string
	StderrTail string // last stderr lines joined with "; "
	Err        error  // the context's error
}

// Error names the server and shows its stderr tail.
func (e *StartError) Error() string {
	msg := fmt.Sprintf("mcp server %s: initialize: %v", e.Name, e.Err)
	if e.StderrTail != "" {
		msg += "; stderr: " + e.StderrTail
	}
	return msg
}

// Unwrap is the context's error.
func (e *StartError) Unwrap() error { return e.Err }

// Done is closed when the session has ended: the server exited, the
// connection broke, or Close was called.
func (c *Conn) Done() <-chan struct{} { return c.done }

// ExitError describes how a stdio server ended, or nil while it runs (and
// always for HTTP servers).
func (c *Conn) ExitError() error {
	if c.proc == nil {
		return nil
	}
	return c.proc.exitError()
}

// Exited is closed when a stdio server's process has exited; it is nil
// (never ready) for HTTP servers.
func (c *Conn) Exited() <-chan struct{} {
	if c.proc == nil {
		return nil
	}
	return c.proc.exited
}

// Pid is the stdio server's process id (0 for HTTP).
func (c *Conn) Pid() int {
	if c.proc == nil || c.proc.cmd.Process == nil {
		return 0
	}
	return c.proc.cmd.Process.Pid
}

// Raw returns the result JSON of the newest request with this method
// exactly as the server sent it, or nil if that request has not been
// answered successfully. Callers that issue one request per method at a
// time use it to print results byte for byte.
func (c *Conn) Raw(method string) json.RawMessage { return c.tap.last(method) }

// Close ends the session and, for stdio, stops and reaps the server. The
// error reports how the server process ended when that was abnormal.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		if c.proc == nil {
			c.closeErr = c.Session.Close()
			<-c.done
			return
		}
		// Close stdin first while the session still drains stdout, so a
		// server that writes on its way out sees no broken pipe.
		_ = c.proc.stdin.Close()
		c.proc.waitFor(c.proc.grace)
		_ = c.Session.Close() // stdio: only pipe errors, the exit says more
		// Status 0, or the SIGTERM we sent, is a clean stop.
		if perr := c.proc.terminate(); perr != nil && !isCleanStop(c.proc) {
			c.closeErr = perr
		}
		<-c.done
	})
	return c.closeErr
}

func isCleanStop(p *process) bool {
	st := p.cmd.ProcessState
	if st == nil {
		return false
	}
	if st.Success() {
		return true
	}
	ws, ok := st.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM
}

// childEnv builds a stdio server's environment: Codex's whitelist plus
// env_vars from the parent (or the whole Environ when given), then env.
func childEnv(srv mcpconfig.Server, opts Options) []string {
	vals := map[string]string{}
	if opts.Environ != nil {
		for _, kv := range opts.Environ {
			if k, v, ok := strings.Cut(kv, "="); ok {
				vals[k] = v
			}
		}
	} else {
		for _, k := range append(mcpconfig.DefaultEnvVars(), srv.EnvVars...) {
			if v := opts.Getenv(k); v != "" {
				vals[k] = v
			}
		}
	}
	for k, v := range srv.Env {
		vals[k] = v
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	env := make([]string, 0, len(keys))
	for _, k := range keys {
		env = append(env, k+"="+vals[k])
	}
	return env
}

// httpClient adds the configured headers to every request.
func httpClient(name string, srv mcpconfig.Server, opts Options, t *tap) *http.Client {
	h := http.Header{}
	for k, v := range srv.HTTPHeaders {
		h.Set(k, v)
	}
	for k, env := range srv.EnvHTTPHeaders {
		if v := opts.Getenv(env); v != "" {
			h.Set(k, v)
		}
	}
	if srv.BearerTokenEnvVar != "" {
		if tok := opts.Getenv(srv.BearerTokenEnvVar); tok != "" {
			h.Set("Authorization", "Bearer "+tok)
		}
	}
	base := opts.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	var inner http.RoundTripper = headerTransport{base: rt, headers: h}
	if srv.UsesOAuth() {
		home := opts.CodexHome
		if home == "" {
			home, _ = codexhome.Dir(opts.Getenv) // no home: no stored tokens either
		}
		if home != "" {
			src := &mcpauth.Source{Store: mcpauth.Store{Home: home}, Server: srv.AuthServer(name, mcpconfig.OAuthSettings{}),
				HTTP: &http.Client{Transport: rt}}
			inner = &mcpauth.Transport{Source: src, Base: inner}
		}
	}
	cl := *base
	cl.Transport = roundTripper{base: inner, t: t}
	return &cl
}

type headerTransport struct {
	base    http.RoundTripper
	headers http.Header
}

func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(t.headers) == 0 {
		return t.base.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	for k, vs := range t.headers {
		r.Header[k] = vs
	}
	return t.base.RoundTrip(r)
}
