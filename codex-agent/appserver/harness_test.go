package appserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/codex-agent/appserver/schematest"
	"github.com/codexgo/codex-agent/modelserver"
	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/proctest"
	"github.com/codexgo/common/selfexec"
)

// TestMain lets the test binary be the real codex-agent binary (arg0
// "codex-agent", or the sandbox helpers it re-executes), so the tests
// drive `codex-agent app-server` over stdio as a client would.
func TestMain(m *testing.M) {
	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	if selfexec.Name(os.Args[0]) == "codex-agent" {
		ctx, cancel := context.WithCancel(context.Background())
		code := agent.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		cancel()
		os.Exit(code)
	}
	code := proctest.Run(m)
	os.Exit(code)
}

var (
	validatorOnce sync.Once
	validator     *schematest.Validator
	validatorErr  error
)

func schema(t testing.TB) *schematest.Validator {
	t.Helper()
	validatorOnce.Do(func() { validator, validatorErr = schematest.Load() })
	if validatorErr != nil {
		t.Fatalf("load schema: %v", validatorErr)
	}
	return validator
}

// msg is one line from the server.
type msg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	raw string
}

func (m msg) String() string { return m.raw }

// decode reads params (or result) into v.
func (m msg) decode(t testing.TB, v any) {
	t.Helper()
	b := m.Params
	if m.Method == "" {
		b = m.Result
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", m.raw, err)
	}
}

// client drives an app server over its stdin/stdout and validates every
// line it writes against the protocol schema.
type client struct {
	t       testing.TB
	in      io.WriteCloser
	lines   chan msg
	mu      sync.Mutex
	methods map[string]string // request id -> method, for response types
	queue   []msg
	nextID  int
	stderr  *strings.Builder
	exited  chan error
	home    string
	work    string
	srv     *modelserver.Server
}

type fixture struct {
	home, work string
	srv        *modelserver.Server
	env        []string
}

func newFixture(t testing.TB, turns ...modelserver.Turn) *fixture {
	t.Helper()
	srv, err := modelserver.Start(modelserver.Script{Turns: turns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir := t.TempDir()
	f := &fixture{home: filepath.Join(dir, "home"), work: filepath.Join(dir, "work"), srv: srv}
	for _, d := range []string{f.home, f.work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf("model = \"gpt-test\"\nmodel_provider = \"mock\"\n\n[model_providers.mock]\nname = \"mock\"\nbase_url = %q\nenv_key = \"MOCK_KEY\"\nstream_max_retries = 0\nrequest_max_retries = 0\n", srv.URL())
	if err := os.WriteFile(filepath.Join(f.home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	f.env = append(os.Environ(), "CODEX_HOME="+f.home, "HOME="+dir, "MOCK_KEY=sk-mock", "OPENAI_API_KEY=", "PWD="+f.work)
	return f
}

// bin is this test binary under the name codex-agent.
func bin(t testing.TB) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "codex-agent")
	if err := os.Symlink(self, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs `codex-agent app-server ARGS` and initializes it.
func (f *fixture) start(t testing.TB, args ...string) *client {
	t.Helper()
	c := f.spawn(t, args...)
	c.initialize()
	return c
}

func (f *fixture) spawn(t testing.TB, args ...string) *client {
	t.Helper()
	cmd := exec.Command(bin(t), append([]string{"app-server"}, args...)...)
	cmd.Env = f.env
	cmd.Dir = f.work
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &strings.Builder{}
	cmd.Stderr = &lockedWriter{w: stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return f.attach(t, in, out, stderr, cmd.Wait, func() { _ = cmd.Process.Kill() })
}

// inProcess runs the server in this process (agent.RunAppServer on
// pipes): what it leaves running is not ended by any process exit.
func (f *fixture) inProcess(t testing.TB, args ...string) *client {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	stderr := &strings.Builder{}
	envMap := map[string]string{}
	for _, kv := range f.env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			envMap[k] = v
		}
	}
	done := make(chan error, 1)
	go func() {
		code := agent.RunAppServer(context.Background(), append([]string{}, args...), agent.ServiceEnv{
			Stdin: inR, Stdout: outW, Stderr: &lockedWriter{w: stderr},
			Getenv: func(k string) string { return envMap[k] }, Environ: f.env, Now: time.Now})
		_ = outW.Close()
		if code != 0 {
			done <- fmt.Errorf("exit code %d", code)
			return
		}
		done <- nil
	}()
	c := f.attach(t, inW, outR, stderr, func() error { return <-done }, func() {})
	c.initialize()
	return c
}

func (f *fixture) attach(t testing.TB, in io.WriteCloser, out io.Reader, stderr *strings.Builder, wait func() error, kill func()) *client {
	c := &client{t: t, in: in, lines: make(chan msg, 4096), methods: map[string]string{},
		stderr: stderr, exited: make(chan error, 1), home: f.home, work: f.work, srv: f.srv}
	v := schema(t)
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			line := sc.Text()
			var m msg
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Errorf("server wrote a line that is not JSON: %q", line)
				continue
			}
			m.raw = line
			c.mu.Lock()
			method := c.methods[string(m.ID)]
			c.mu.Unlock()
			if m.Method != "" {
				method = ""
			}
			if err := v.Line([]byte(line), method); err != nil {
				t.Errorf("schema: %v\nline: %s", err, line)
			}
			c.lines <- m
		}
	}()
	go func() { c.exited <- wait() }()
	t.Cleanup(func() {
		_ = c.in.Close()
		select {
		case <-c.exited:
		case <-time.After(60 * time.Second):
			kill()
			t.Errorf("server did not exit after stdin closed")
		}
		if strings.Contains(c.stderr.String(), "DATA RACE") {
			t.Errorf("the server hit a data race")
		}
		if t.Failed() {
			t.Logf("server stderr:\n%s", c.stderr.String())
		}
	})
	return c
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (c *client) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) initialize() {
	c.t.Helper()
	c.call("initialize", map[string]any{"clientInfo": map[string]any{"name": "test_client", "version": "1.0"},
		"capabilities": map[string]any{"experimentalApi": true}})
	c.send(`{"method":"initialized","params":{}}`)
}

// request sends a request and returns its id.
func (c *client) request(method string, params any) string {
	c.t.Helper()
	c.nextID++
	id := fmt.Sprintf("%d", c.nextID)
	if c.nextID%2 == 0 {
		id = fmt.Sprintf("%q", fmt.Sprintf("req-%d", c.nextID)) // string ids too
	}
	c.mu.Lock()
	c.methods[id] = method
	c.mu.Unlock()
	b, err := json.Marshal(map[string]any{"id": json.RawMessage(id), "method": method, "params": params})
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(string(b))
	return id
}

// recv returns the next line, failing after a generous deadline.
func (c *client) recv() msg {
	c.t.Helper()
	select {
	case m, ok := <-c.lines:
		if !ok {
			c.t.Fatalf("server output ended; stderr:\n%s", c.stderr.String())
		}
		return m
	case <-time.After(90 * time.Second):
		c.t.Fatalf("no message from the server; stderr:\n%s", c.stderr.String())
	}
	return msg{}
}

// call sends a request and waits for its answer; other messages are
// queued for next.
func (c *client) call(method string, params any) msg {
	c.t.Helper()
	m := c.callErr(method, params)
	if m.Error != nil {
		c.t.Fatalf("%s: error %d %s", method, m.Error.Code, m.Error.Message)
	}
	return m
}

func (c *client) callErr(method string, params any) msg {
	c.t.Helper()
	id := c.request(method, params)
	return c.answer(id)
}

func (c *client) answer(id string) msg {
	c.t.Helper()
	for {
		m := c.recv()
		if m.Method == "" && string(m.ID) == id {
			return m
		}
		c.queue = append(c.queue, m)
	}
}

// next returns the next notification or server request.
func (c *client) next() msg {
	c.t.Helper()
	if len(c.queue) > 0 {
		m := c.queue[0]
		c.queue = c.queue[1:]
		return m
	}
	return c.recv()
}

// until reads messages until one with method, returning all it read.
func (c *client) until(method string) (msg, []msg) {
	c.t.Helper()
	var seen []msg
	for {
		m := c.next()
		seen = append(seen, m)
		if m.Method == method {
			return m, seen
		}
	}
}

// reply answers a server request.
func (c *client) reply(req msg, result any) {
	c.t.Helper()
	b, err := json.Marshal(map[string]any{"id": req.ID, "result": result})
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(string(b))
}

func methods(ms []msg) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Method)
	}
	return strings.Join(out, ",")
}

// drain returns what is queued and what a round trip brings.
func (c *client) drain() []msg {
	c.t.Helper()
	c.call("thread/loaded/list", map[string]any{})
	out := c.queue
	c.queue = nil
	return out
}
