package mcpclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/codex-mcp-client/internal/servertest"
	"github.com/codexgo/common/selfexec"
)

// TestMain lets the test binary act as codex-mcp-client (arg0 trick),
// so the Ctrl-C test can signal a real process.
func TestMain(m *testing.M) {
	if selfexec.Name(os.Args[0]) == "codex-mcp-client" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	code           int
}

func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{out.String(), errb.String(), code}
}

func TestStdio(t *testing.T) {
	ev := servertest.Everything(t)
	// A generous start-up limit: a dozen npm servers start at once here,
	// and on a loaded 2-core machine one can take over the default 10s.
	q := []string{"--server-stderr", "discard", "--startup-timeout", "2m"}
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // exact, when set
		contains []string
	}{
		{name: "describe", args: []string{"--", ev}, contains: []string{`"serverInfo":{"name":"mcp-servers/everything"`, `"name":"echo"`, `"protocolVersion":"2025-11-25"`}},
		{name: "call echo, bytes as sent", args: []string{"call", "--args", `{"message":"hi"}`, "echo", "--", ev},
			stdout: `{"content":[{"type":"text","text":"Echo: hi"}]}` + "\n"},
		{name: "structured content", args: []string{"call", "--args", `{"location":"Chicago"}`, "get-structured-content", "--", ev},
			contains: []string{`"structuredContent":{"temperature":`}},
		{name: "image", args: []string{"call", "get-tiny-image", "--", ev}, contains: []string{`"type":"image"`, `"mimeType":"image/png"`}},
		{name: "tool error exits 1", args: []string{"call", "--args", `{"a":1}`, "get-sum", "--", ev}, code: 1, contains: []string{`"isError":true`}},
		{name: "unknown tool", args: []string{"call", "nosuch", "--", ev}, code: 1, contains: []string{`"isError":true`}},
		{name: "list-resources", args: []string{"list-resources", "--", ev}, contains: []string{`"resources":[`, `architecture.md`}},
		{name: "read-resource", args: []string{"read-resource", "demo://resource/static/document/architecture.md", "--", ev},
			contains: []string{`"contents":[{"uri":"demo://resource/static/document/architecture.md"`}},
		{name: "list-prompts", args: []string{"list-prompts", "--", ev}, contains: []string{`"name":"args-prompt"`}},
		{name: "get-prompt", args: []string{"get-prompt", "--args", `{"city":"Paris"}`, "args-prompt", "--", ev},
			stdout: `{"messages":[{"role":"user","content":{"type":"text","text":"What's weather in Paris?"}}]}` + "\n"},
		{name: "args from a file on stdin", args: []string{"call", "--args-file", "-", "echo", "--", ev},
			stdout: `{"content":[{"type":"text","text":"Echo: from stdin"}]}` + "\n"},
		{name: "list-resource-templates", args: []string{"list-resource-templates", "--", ev}, contains: []string{`"resourceTemplates":[`, `"uriTemplate":`}},
		{name: "server flags after the subcommand", args: []string{"call", "--server-stderr", "discard", "--args", `{"message":"x"}`, "echo", "--", ev},
			stdout: `{"content":[{"type":"text","text":"Echo: x"}]}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, `{"message":"from stdin"}`, append(append([]string{}, q...), tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit code: got %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout:\ngot  %q\nwant %q", r.stdout, tt.stdout)
			}
			for _, c := range tt.contains {
				if !strings.Contains(r.stdout, c) {
					t.Errorf("stdout lacks %q:\n%.600s", c, r.stdout)
				}
			}
			if !json.Valid([]byte(r.stdout)) {
				t.Errorf("stdout is not JSON: %.300s", r.stdout)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"help", []string{"-h"}, 0, ""},
		{"no server", []string{"list-tools"}, 2, "name exactly one server"},
		{"two servers", []string{"--url", "http://127.0.0.1:1/mcp", "--", "x"}, 2, "name exactly one server"},
		{"missing tool", []string{"call", "--", "x"}, 2, "call: missing TOOL"},
		{"extra operand", []string{"list-tools", "x", "--", "y"}, 2, `unexpected argument "x"`},
		{"flag after the tool", []string{"call", "echo", "--args", "{}", "--", "y"}, 2, `unexpected argument "{}"`},
		{"bad args json", []string{"call", "--args", "[1]", "echo", "--", "true"}, 2, "JSON object"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"env for http", []string{"--env", "A=1", "--url", "http://127.0.0.1:1/mcp"}, 2, "--env applies to stdio"},
		{"header for stdio", []string{"--header", "A=1", "--", "x"}, 2, "apply to --url"},
		{"jsonl with a subcommand", []string{"--jsonl", "call", "echo", "--", "/nonexistent"}, 2, "--jsonl takes no subcommand"},
		{"bad prompt args", []string{"get-prompt", "--args", `{"a":1}`, "p", "--", "true"}, 2, "JSON object of strings"},
		{"args and args-file", []string{"call", "--args", "{}", "--args-file", "f", "t", "--", "true"}, 2, "exclusive"},
		{"missing args file", []string{"call", "--args-file", "/nonexistent/args.json", "t", "--", "true"}, 2, "no such file"},
		{"bad flag", []string{"--nope"}, 2, "unknown flag --nope"},
		{"misspelt flag", []string{"--startup-timout", "5s", "--", "x"}, 2, "unknown flag --startup-timout (did you mean --startup-timeout?)"},
		{"duration without unit", []string{"--timeout", "5", "--", "x"}, 2, "--timeout 5: a duration needs a unit: write --timeout 5s"},
		{"bad env", []string{"--env", "novalue", "--", "x"}, 2, "KEY=VALUE"},
		{"bad stderr mode", []string{"--server-stderr", "loud", "--", "x"}, 2, "--server-stderr"},
		{"unknown --server", []string{"--config", "/nonexistent/config.toml", "--server", "zz"}, 2, `no MCP server named "zz"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit code: got %d, want %d; stderr: %s", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.msg)
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("usage error should be one line, got %q", r.stderr)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	ev := servertest.Everything(t)
	tests := []struct {
		name     string
		args     []string
		contains []string
	}{
		{"server exits at start", []string{"--", "sh", "-c", "echo boom >&2; exit 3"}, []string{"exit status 3", "before initialize completed", "boom", "[sh] boom"}},
		{"no such command", []string{"--", "/nonexistent/server"}, []string{"no such file"}},
		{"startup timeout", []string{"--startup-timeout", "300ms", "--", "sleep", "30"}, []string{"MCP server sleep did not answer initialize within 300ms", "--startup-timeout 1m", "it wrote nothing to stderr"}},
		{"startup timeout shows stderr", []string{"--startup-timeout", "3s", "--server-stderr", "discard", "--", "sh", "-c", "echo still downloading >&2; exec sleep 30"},
			[]string{"MCP server sh did not answer initialize within 3s", "its last stderr lines: still downloading"}},
		{"slow tool hits timeout", []string{"--server-stderr", "discard", "--timeout", "500ms", "call", "--args", `{"duration":20,"steps":20}`, "trigger-long-running-operation", "--", ev},
			[]string{"call trigger-long-running-operation: timed out after 500ms"}},
		{"http server unreachable", []string{"--startup-timeout", "2s", "--url", "http://127.0.0.1:1/mcp"}, []string{"codex-mcp-client:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			r := run(t, "", tt.args...)
			if r.code != 1 {
				t.Fatalf("exit code: got %d, want 1; stderr: %s", r.code, r.stderr)
			}
			for _, c := range tt.contains {
				if !strings.Contains(r.stderr, c) {
					t.Errorf("stderr lacks %q:\n%s", c, r.stderr)
				}
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v; the server should have been stopped promptly", d)
			}
		})
	}
}

func TestEnvReachesServer(t *testing.T) {
	r := run(t, "", "--server-stderr", "discard", "--env", "CODEX_TEST_MARK=hello42", "call", "get-env", "--", servertest.Everything(t))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `CODEX_TEST_MARK`) || !strings.Contains(r.stdout, `hello42`) {
		t.Errorf("server env lacks CODEX_TEST_MARK=hello42: %.400s", r.stdout)
	}
}

func TestStderrPrefixed(t *testing.T) {
	r := run(t, "", "call", "--args", `{"message":"x"}`, "echo", "--", servertest.Everything(t))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "[mcp-server-everything] Starting default (STDIO) server...") {
		t.Errorf("server stderr not passed through with prefix: %q", r.stderr)
	}
	log := filepath.Join(t.TempDir(), "server.log")
	r = run(t, "", "--server-stderr-file", log, "call", "--args", `{"message":"x"}`, "echo", "--", servertest.Everything(t))
	b, err := os.ReadFile(log)
	if err != nil || !strings.Contains(string(b), "Starting default") || strings.Contains(r.stderr, "Starting") {
		t.Errorf("stderr not captured to file: file %q (%v), stderr %q", b, err, r.stderr)
	}
}

func TestJSONL(t *testing.T) {
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"one"}}}`,
		`not json`,
		`{"id":"two","method":"no/such"}`,
		``,
		`{"id":3,"method":"tools/call","params":{"name":"get-sum","arguments":{"a":2,"b":3}}}`,
		`{"id":4,"method":"tools/call","params":"bad"}`,
		`{"id":5,"method":"prompts/get","params":{"name":"simple-prompt"}}`,
		`{"id":6,"method":"resources/read","params":{"uri":"demo://nope"}}`,
	}, "\n")
	want := []string{
		`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"Echo: one"}]}}`,
		`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,`,
		`{"jsonrpc":"2.0","id":"two","error":{"code":-32601,"message":"method not found: no/such"}}`,
		`{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"The sum of 2 and 3 is 5."}]}}`,
		`{"jsonrpc":"2.0","id":4,"error":{"code":-32602,`,
		`{"jsonrpc":"2.0","id":5,"result":{"messages":[`,
		`{"jsonrpc":"2.0","id":6,"error":{"code":`,
	}
	check := func(t *testing.T, r result) {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		got := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(got) != len(want) {
			t.Fatalf("got %d lines, want %d:\n%s", len(got), len(want), r.stdout)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("line %d:\ngot  %s\nwant %s...", i, got[i], want[i])
			}
		}
	}
	t.Run("stdio", func(t *testing.T) {
		t.Parallel()
		check(t, run(t, in, "--jsonl", "--server-stderr", "discard", "--", servertest.Everything(t)))
	})
	t.Run("http", func(t *testing.T) {
		t.Parallel()
		check(t, run(t, in, "--jsonl", "--url", servertest.EverythingHTTP(t)))
	})
}

func TestHTTP(t *testing.T) {
	url := servertest.EverythingHTTP(t)
	r := run(t, "", "--url", url)
	if r.code != 0 || !strings.Contains(r.stdout, `"name":"mcp-servers/everything"`) || !strings.Contains(r.stdout, `"name":"echo"`) {
		t.Fatalf("describe over HTTP: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "", "call", "--url", url, "--args", `{"message":"over http"}`, "echo")
	if want := `{"content":[{"type":"text","text":"Echo: over http"}]}` + "\n"; r.code != 0 || r.stdout != want {
		t.Errorf("call over HTTP: exit %d, got %q, want %q (%s)", r.code, r.stdout, want, r.stderr)
	}
	// Bytes as the server sent them over SSE (a re-encoded map would sort
	// the keys: conditions, humidity, temperature).
	r = run(t, "", "call", "--url", url, "--args", `{"location":"Chicago"}`, "get-structured-content")
	if r.code != 0 || !strings.Contains(r.stdout, `"structuredContent":{"temperature":`) {
		t.Errorf("structured content over HTTP not as sent: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "", "--url", url, "list-resources")
	if r.code != 0 || !strings.Contains(r.stdout, "architecture.md") {
		t.Errorf("list-resources over HTTP: exit %d %.300s %s", r.code, r.stdout, r.stderr)
	}
}

func TestFilesystemServer(t *testing.T) {
	fs := servertest.Filesystem(t)
	dir := t.TempDir()
	big := strings.Repeat("0123456789abcdef", 1<<18) // 4 MiB
	if err := os.WriteFile(filepath.Join(dir, "big.txt"), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small.txt"), []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := []string{"--", fs, dir}
	// A generous start-up limit: a dozen npm servers start at once here,
	// and on a loaded 2-core machine one can take over the default 10s.
	q := []string{"--server-stderr", "discard", "--startup-timeout", "2m"}

	r := run(t, "", append(append(q, "call", "--args", `{"path":"`+dir+`"}`, "list_directory"), cmd...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "[FILE] big.txt") || !strings.Contains(r.stdout, "[FILE] small.txt") {
		t.Errorf("list_directory: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "", append(append(q, "call", "--args", `{"path":"`+filepath.Join(dir, "big.txt")+`"}`, "read_text_file"), cmd...)...)
	var res struct {
		Content []struct{ Text string } `json:"content"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil || len(res.Content) == 0 || res.Content[0].Text != big {
		t.Errorf("read_text_file of 4 MiB: exit %d, decode %v, stderr %s", r.code, err, r.stderr)
	}
	r = run(t, "", append(append(q, "call", "--args", `{"path":"/etc/passwd"}`, "read_text_file"), cmd...)...)
	if r.code != 1 || !strings.Contains(r.stdout, `"isError":true`) || !strings.Contains(r.stdout, "denied") {
		t.Errorf("read outside allowed dirs: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// TestInterruptReapsServer sends SIGINT to a real codex-mcp-client while
// its server runs and checks that the server process is gone afterwards.
func TestInterruptReapsServer(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pid")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The wrapper reports the server's pid, then becomes the server.
	script := `echo $$ > "$0"; exec "$1" stdio`
	cmd := exec.Command(self, "call", "--args", `{"duration":30,"steps":30}`, "trigger-long-running-operation",
		"--", "sh", "-c", script, fifo, servertest.Everything(t))
	cmd.Args[0] = "codex-mcp-client"
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	f, err := os.Open(fifo)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	_ = f.Close()
	pid, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		t.Fatalf("read server pid: %q %v %v", line, err, perr)
	}
	// Wait until the server is up (it logs at start), so the interrupt
	// lands on a running session.
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "Starting default") {
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("exit: got %v, want status 1", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("codex-mcp-client did not exit after SIGINT")
	}
	if servertest.Alive(pid) {
		t.Errorf("server pid %d still exists after codex-mcp-client exited", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

func TestConfiguredServer(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	doc := "[mcp_servers.ev]\ncommand = " + strconv.Quote(servertest.Everything(t)) +
		"\ntool_timeout_sec = 0.4\n\n[mcp_servers.ev.env]\nFROM_CONFIG = \"cfg-value\"\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CODEX_MCP_TEST_SECRET", "must-not-leak")
	r := run(t, "", "--config", cfg, "--server", "ev", "--server-stderr", "discard", "call", "get-env")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "cfg-value") {
		t.Errorf("config env not passed: %.300s", r.stdout)
	}
	if strings.Contains(r.stdout, "must-not-leak") {
		t.Error("a configured server got a variable outside Codex's whitelist")
	}
	// tool_timeout_sec from the config applies when --timeout is not given.
	r = run(t, "", "--config", cfg, "--server", "ev", "--server-stderr", "discard", "call", "--args", `{"duration":10,"steps":10}`, "trigger-long-running-operation")
	if r.code != 1 || !strings.Contains(r.stderr, "timed out after 400ms") {
		t.Errorf("config tool timeout: exit %d, stderr %s", r.code, r.stderr)
	}
}

// TestJSONLServerKilledMidCall: the request in flight when the server
// dies is answered with an error naming the exit, and the run fails.
func TestJSONLServerKilledMidCall(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var errb bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- Main(context.Background(), []string{"--jsonl", "--server-stderr", "discard", "--",
			"sh", "-c", `echo $$ > "$0"; exec "$1"`, pidFile, servertest.Everything(t)}, inR, outW, &errb)
		_ = outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	if _, err := io.WriteString(inW, `{"id":1,"method":"ping"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	if !lines.Scan() || !strings.Contains(lines.Text(), `"id":1,"result":{}`) {
		t.Fatalf("ping: %q", lines.Text())
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(inW, `{"id":2,"method":"tools/call","params":{"name":"trigger-long-running-operation","arguments":{"duration":30,"steps":30}}}`+"\n"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !lines.Scan() {
		t.Fatal("no answer for the call in flight")
	}
	if got := lines.Text(); !strings.Contains(got, `"id":2,"error":{"code":-32000`) || !strings.Contains(got, "signal: killed") {
		t.Errorf("answer: %s", got)
	}
	_ = inW.Close()
	if c := <-code; c != 1 || !strings.Contains(errb.String(), "server ended the session") {
		t.Errorf("exit %d, stderr %q; want 1 and the server's end reported", c, errb.String())
	}
}
