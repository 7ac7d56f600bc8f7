package mcpconn

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/codex-mcp-client/internal/servertest"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/common/selfexec"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMain turns the test binary into a stubborn MCP server when run as
// "stubborn-mcp-server": it ignores SIGTERM and does not exit at the end
// of its input, the worst case for shutdown.
func TestMain(m *testing.M) {
	if selfexec.Name(os.Args[0]) == "stubborn-mcp-server" {
		signal.Ignore(syscall.SIGTERM)
		s := mcp.NewServer(&mcp.Implementation{Name: "stubborn", Version: "1"}, nil)
		_ = s.Run(context.Background(), &mcp.StdioTransport{})
		select {} // stay alive after stdin closes
	}
	os.Exit(m.Run())
}

func opts() Options {
	return Options{Getenv: os.Getenv, Grace: 100 * time.Millisecond, TermGrace: 300 * time.Millisecond}
}

func TestCloseEscalatesToSIGKILL(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// exec -a sets argv[0] so the child acts as the stubborn server.
	srv := mcpconfig.Server{Command: "bash", Args: []string{"-c", `exec -a stubborn-mcp-server "$0"`, self}}
	c, err := Dial(context.Background(), "stubborn", srv, opts())
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Session.InitializeResult().ServerInfo.Name; got != "stubborn" {
		t.Fatalf("server name %q", got)
	}
	pid := c.Pid()
	start := time.Now()
	err = c.Close()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Close: got %v, want the SIGKILL reported", err)
	}
	// The server ignores SIGTERM for ever: the bound tells "escalated to
	// SIGKILL" from "waited", far above the 0.4 s it takes unloaded.
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Close took %v", d)
	}
	if servertest.Alive(pid) {
		t.Errorf("stubborn server %d survived Close", pid)
	}
	if err2 := c.Close(); err2 != err {
		t.Errorf("second Close: %v, want the same %v", err2, err)
	}
}

func TestCloseStopsProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "bg.pid")
	// A wrapper leaves a background child holding stderr, as npx-style
	// launchers do; it must not outlive the session.
	script := `sleep 1000 & echo $! > "$0"; exec "$1"`
	srv := mcpconfig.Server{Command: "sh", Args: []string{"-c", script, pidFile, servertest.Everything(t)}}
	c, err := Dial(context.Background(), "wrapped", srv, opts())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	bg, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	pid := c.Pid()
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for _, p := range []int{pid, bg} {
		if servertest.Alive(p) {
			st, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
			t.Errorf("pid %d (server %d, bg %d) alive after Close: %s", p, pid, bg, st)
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
}

func TestEnvironment(t *testing.T) {
	env := map[string]string{"PATH": "/usr/bin:/bin", "HOME": "/home/u", "SECRET_TOKEN": "x", "EXTRA": "e"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name string
		srv  mcpconfig.Server
		opts Options
		want string
	}{
		{"whitelist", mcpconfig.Server{Command: "x"}, Options{Getenv: getenv}, "HOME=/home/u,PATH=/usr/bin:/bin"},
		{"env_vars and env", mcpconfig.Server{Command: "x", EnvVars: []string{"EXTRA", "MISSING"}, Env: map[string]string{"HOME": "/h2", "K": "v"}},
			Options{Getenv: getenv}, "EXTRA=e,HOME=/h2,K=v,PATH=/usr/bin:/bin"},
		{"whole environ", mcpconfig.Server{Command: "x", Env: map[string]string{"K": "v"}},
			Options{Getenv: getenv, Environ: []string{"A=1", "SECRET_TOKEN=x"}}, "A=1,K=v,SECRET_TOKEN=x"},
	}
	for _, tt := range tests {
		if got := strings.Join(childEnv(tt.srv, tt.opts), ","); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestStartupFailures(t *testing.T) {
	tests := []struct {
		name string
		srv  mcpconfig.Server
		want string
	}{
		{"invalid", mcpconfig.Server{}, "needs either command or url"},
		// Which comes first depends on timing: the exit with its stderr
		// ("oops"), or the garbage line read as JSON-RPC ("hello").
		{"not an MCP server", mcpconfig.Server{Command: "sh", Args: []string{"-c", "echo hello; echo oops >&2"}}, "oops|invalid|hello"},
		{"missing binary", mcpconfig.Server{Command: "/nonexistent/x"}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, err := Dial(ctx, tt.name, tt.srv, opts())
			if err == nil {
				_ = c.Close()
				t.Fatal("Dial succeeded")
			}
			if !containsAny(err.Error(), strings.Split(tt.want, "|")) {
				t.Errorf("got %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestHeaders checks bearer_token_env_var, http_headers and
// env_http_headers reach an HTTP server.
func TestHeaders(t *testing.T) {
	got := make(chan [3]string, 16)
	handler := mcp.NewStreamableHTTPHandler(func(r *http.Request) *mcp.Server {
		got <- [3]string{r.Header.Get("Authorization"), r.Header.Get("X-Static"), r.Header.Get("X-From-Env")}
		return mcp.NewServer(&mcp.Implementation{Name: "h", Version: "1"}, nil)
	}, nil)
	ts := httptest.NewServer(handler)
	defer ts.Close()
	env := map[string]string{"TOK": "sekrit", "HV": "from-env"}
	o := opts()
	o.Getenv = func(k string) string { return env[k] }
	srv := mcpconfig.Server{URL: ts.URL, BearerTokenEnvVar: "TOK", HTTPHeaders: map[string]string{"X-Static": "s"},
		EnvHTTPHeaders: map[string]string{"X-From-Env": "HV"}}
	c, err := Dial(context.Background(), "h", srv, o)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	h := <-got
	if h != [3]string{"Bearer sekrit", "s", "from-env"} {
		t.Errorf("headers: got %q", h)
	}
}

func FuzzSSETee(f *testing.F) {
	f.Add([]byte("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1}}\n\n"), uint8(3))
	f.Add([]byte("data: {\"jsonrpc\":\"2.0\",\r\ndata: \"id\":1,\"result\":{}}\r\n\r\n"), uint8(1))
	f.Add([]byte(": comment\n\ndata:\n\n"), uint8(7))
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8) {
		tp := newTap()
		req, err := jsonrpcCall(1, "tools/call")
		if err != nil {
			t.Fatal(err)
		}
		tp.sent(req)
		s := &sseTee{ReadCloser: io.NopCloser(&chunked{b: stream, n: int(chunk%16) + 1}), t: tp}
		if _, err := io.ReadAll(s); err != nil {
			t.Fatal(err)
		}
		if raw := tp.last("tools/call"); raw != nil && !json.Valid(raw) {
			t.Fatalf("recorded invalid JSON %q", raw)
		}
	})
}

// jsonrpcCall builds a request message.
func jsonrpcCall(id int64, method string) (*jsonrpc.Request, error) {
	rid, err := jsonrpc.MakeID(float64(id))
	if err != nil {
		return nil, err
	}
	return &jsonrpc.Request{ID: rid, Method: method}, nil
}

// chunked reads b at most n bytes at a time, as a network would.
type chunked struct {
	b []byte
	n int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	k := min(c.n, len(p), len(c.b))
	copy(p, c.b[:k])
	c.b = c.b[k:]
	return k, nil
}

func TestSSETeeRecords(t *testing.T) {
	tp := newTap()
	req, _ := jsonrpcCall(7, "tools/call")
	tp.sent(req)
	stream := "id: 1\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"z\":1,\"a\":2}}\n\n"
	s := &sseTee{ReadCloser: io.NopCloser(&chunked{b: []byte(stream), n: 5}), t: tp}
	if _, err := io.ReadAll(bufio.NewReader(s)); err != nil {
		t.Fatal(err)
	}
	if got, want := string(tp.last("tools/call")), `{"z":1,"a":2}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
