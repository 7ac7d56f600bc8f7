package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/codex-login/authfile"
)

var update = flag.Bool("update", false, "rewrite golden files")

type execRun struct {
	code           int
	stdout, stderr string
	sleeps         []time.Duration
}

type execFixture struct {
	t    *testing.T
	srv  *modelserver.Server
	home string
	repo string
	env  map[string]string
	// stdin is what the run reads on stdin.
	stdin string
}

func newExecFixture(t *testing.T, turns ...modelserver.Turn) *execFixture {
	t.Helper()
	srv, err := modelserver.Start(modelserver.Script{Turns: turns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	root := t.TempDir()
	fx := &execFixture{t: t, srv: srv, home: filepath.Join(root, "home"), repo: filepath.Join(root, "repo")}
	for _, d := range []string{fx.home, filepath.Join(fx.repo, ".git")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fx.env = map[string]string{"CODEX_HOME": fx.home, "MOCK_KEY": "sk-mock-123", "PATH": os.Getenv("PATH"), "HOME": root}
	return fx
}

func (fx *execFixture) providerArgs() []string {
	return []string{"-c", "model_provider=mock", "-c", `model_providers.mock={name="mock",base_url="` + fx.srv.URL() + `",env_key="MOCK_KEY",stream_max_retries=2}`, "-m", "gpt-test"}
}

func (fx *execFixture) run(args ...string) execRun {
	fx.t.Helper()
	var stdout, stderr bytes.Buffer
	var mu sync.Mutex
	var r execRun
	environ := []string{}
	for k, v := range fx.env {
		environ = append(environ, k+"="+v)
	}
	r.code = RunExec(context.Background(), args, ExecEnv{
		Stdin: strings.NewReader(fx.stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return fx.env[k] }, Environ: environ,
		Getwd: func() (string, error) { return fx.repo, nil },
		Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			r.sleeps = append(r.sleeps, d)
			return nil
		},
		StdinIsPipe: func() bool { return false },
	})
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// normalise replaces the varying parts of exec --json output.
func (fx *execFixture) normalise(s string) string {
	var first struct {
		ThreadID string `json:"thread_id"`
	}
	line, _, _ := strings.Cut(s, "\n")
	_ = json.Unmarshal([]byte(line), &first)
	if first.ThreadID != "" {
		s = strings.ReplaceAll(s, first.ThreadID, "THREAD_ID")
	}
	return strings.ReplaceAll(s, fx.repo, "REPO")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s mismatch:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func scenarioTurns() []modelserver.Turn {
	return []modelserver.Turn{
		{Items: []json.RawMessage{
			modelserver.Reasoning("**Step 0**\n\nThinking about step 0.", "enc-0"),
			modelserver.FunctionCall("call_1", "update_plan", map[string]any{"plan": []any{
				map[string]any{"step": "say hello", "status": "in_progress"}, map[string]any{"step": "write file", "status": "pending"}}}),
			modelserver.FunctionCall("call_2", "exec_command", map[string]any{"cmd": "echo hello"}),
		}},
		{Items: []json.RawMessage{modelserver.CustomToolCall("call_3", "apply_patch", "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n")}},
		{Items: []json.RawMessage{
			modelserver.FunctionCall("call_4", "update_plan", map[string]any{"plan": []any{
				map[string]any{"step": "say hello", "status": "completed"}, map[string]any{"step": "write file", "status": "completed"}}}),
			modelserver.FunctionCall("call_5", "exec_command", map[string]any{"cmd": "true && exit 3"}),
		}},
		{Items: []json.RawMessage{modelserver.WebSearchCall("ws_1", "codex cli"), modelserver.Message("done")}},
	}
}

func TestExecJSONScenario(t *testing.T) {
	fx := newExecFixture(t, scenarioTurns()...)
	out := filepath.Join(t.TempDir(), "last.txt")
	r := fx.run(append(fx.providerArgs(), "--json", "-s", "workspace-write", "-o", out, "say hello")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	golden(t, "exec-scenario.jsonl", fx.normalise(r.stdout))
	if b, _ := os.ReadFile(out); string(b) != "done" {
		t.Errorf("last message file = %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(fx.repo, "hello.txt")); string(b) != "hello\n" {
		t.Errorf("hello.txt = %q", b)
	}
	// Headers and body of the first request.
	req := fx.srv.Requests()[0]
	for k, want := range map[string]string{"Authorization": "Bearer sk-mock-123", "Originator": "codex_exec", "Accept": "text/event-stream"} {
		if got := req.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	var body struct {
		Model          string       `json:"model"`
		PromptCacheKey string       `json:"prompt_cache_key"`
		Input          []model.Item `json:"input"`
		Reasoning      map[string]string
		Store          bool
	}
	if err := req.JSON(&body); err != nil {
		t.Fatal(err)
	}
	if body.Model != "gpt-test" || body.PromptCacheKey == "" || req.Header.Get("Session-Id") != body.PromptCacheKey {
		t.Errorf("model %q cache key %q session-id %q", body.Model, body.PromptCacheKey, req.Header.Get("Session-Id"))
	}
	if body.Input[0].Role != "developer" || body.Input[1].Role != "developer" || !strings.Contains(body.Input[2].Text(), "<environment_context>") {
		t.Errorf("input heads: %+v", body.Input[:3])
	}
	// The rollout file was written and replays the history.
	files, _ := filepath.Glob(filepath.Join(fx.home, "sessions", "*", "*", "*", "rollout-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("rollout files = %v", files)
	}
	lr, err := LoadRollout(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if lr.Meta.Cwd != fx.repo || lr.Usage.InputTokens != 400 || lr.LastText != "done" {
		t.Errorf("rollout meta %+v usage %+v last %q", lr.Meta, lr.Usage, lr.LastText)
	}
	// 2 context items + prompt, reasoning + 2 calls + 2 outputs, patch call + output, 2 calls + 2 outputs,
	// web search + message.
	if n := len(lr.History); n != 3+5+2+4+2 {
		t.Errorf("history has %d items", n)
	}
}

func TestExecHumanOutput(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "echo hi"})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("all done")}})
	r := fx.run(append(fx.providerArgs(), "--color", "never", "do it")...)
	if r.code != 0 || r.stdout != "all done\n" {
		t.Fatalf("exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}
	// tokens used: 0.169's count against this model server, 2 turns of
	// 100 input (10 cached) and 20 output tokens: 2 x (100 - 10 + 20).
	for _, want := range []string{"--------\nworkdir: " + fx.repo + "\nmodel: gpt-test\nprovider: mock\napproval: never\nsandbox: read-only",
		"--------\nuser\ndo it\n", "exec\n/bin/bash -lc 'echo hi' in " + fx.repo + "\n succeeded in ", "codex\nall done\n", "tokens used\n220\n"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestExecStreamFailure(t *testing.T) {
	fail := modelserver.Turn{Fail: &modelserver.Fail{Code: "server_error", Message: "mock failure for capture"}}
	fx := newExecFixture(t, fail, fail, fail)
	r := fx.run(append(fx.providerArgs(), "--json", "hi")...)
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	golden(t, "exec-failure.jsonl", fx.normalise(r.stdout))
}

func TestExec429RetryAfter(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Status: 429, RetryAfter: "1"}, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
	r := fx.run(append(fx.providerArgs(), "--json", "hi")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `{"type":"error","message":"Reconnecting... 1/2 (exceeded retry limit, last status: 429 Too Many Requests: scripted status 429)"}`) {
		t.Errorf("stdout = %s", r.stdout)
	}
	if len(r.sleeps) != 1 || r.sleeps[0] != time.Second {
		t.Errorf("sleeps = %v, want [1s]", r.sleeps)
	}
}

func TestExecResume(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("first")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("second")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("third")}})
	r1 := fx.run(append(fx.providerArgs(), "--json", "one")...)
	if r1.code != 0 {
		t.Fatalf("exit %d: %s", r1.code, r1.stderr)
	}
	var started struct {
		ThreadID string `json:"thread_id"`
	}
	line, _, _ := strings.Cut(r1.stdout, "\n")
	if err := json.Unmarshal([]byte(line), &started); err != nil || started.ThreadID == "" {
		t.Fatalf("first line %q", line)
	}
	r2 := fx.run(append(fx.providerArgs(), "--json", "resume", "--last", "two")...)
	if r2.code != 0 || !strings.HasPrefix(r2.stdout, `{"type":"thread.started","thread_id":"`+started.ThreadID+`"}`) {
		t.Fatalf("resume --last: exit %d stdout %s stderr %s", r2.code, r2.stdout, r2.stderr)
	}
	// Usage is the running total of the thread.
	if !strings.Contains(r2.stdout, `"usage":{"input_tokens":200,`) {
		t.Errorf("resume usage: %s", r2.stdout)
	}
	r3 := fx.run(append(fx.providerArgs(), "--json", "resume", started.ThreadID, "three")...)
	if r3.code != 0 || !strings.Contains(r3.stdout, `"text":"third"`) {
		t.Fatalf("resume ID: exit %d stdout %s stderr %s", r3.code, r3.stdout, r3.stderr)
	}
	reqs := fx.srv.Requests()
	var b1, b3 struct {
		Input          []model.Item `json:"input"`
		PromptCacheKey string       `json:"prompt_cache_key"`
	}
	if err := reqs[0].JSON(&b1); err != nil {
		t.Fatal(err)
	}
	if err := reqs[2].JSON(&b3); err != nil {
		t.Fatal(err)
	}
	// The third request resends everything: first turn's input and answer, second's, and the new prompt.
	if len(b3.Input) != len(b1.Input)+4 || b3.Input[len(b3.Input)-1].Text() != "three" || b3.PromptCacheKey != started.ThreadID {
		t.Errorf("resumed input has %d items (first had %d), cache key %q", len(b3.Input), len(b1.Input), b3.PromptCacheKey)
	}
	for i := range b1.Input {
		x, _ := json.Marshal(b1.Input[i])
		y, _ := json.Marshal(b3.Input[i])
		if !bytes.Equal(x, y) {
			t.Errorf("item %d differs after resume: %s vs %s", i, x, y)
		}
	}
}

func TestExecErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		noGit  bool
		code   int
		stderr string
	}{
		{"no git", []string{"hi"}, true, 1, "Not inside a trusted directory and --skip-git-repo-check was not specified."},
		{"bad sandbox", []string{"-s", "nope", "hi"}, false, 2, "unknown sandbox mode"},
		{"bad flag", []string{"--frobnicate", "hi"}, false, 2, "unknown flag --frobnicate"},
		{"misspelt flag", []string{"--skip-git-repo-chek", "hi"}, false, 2, "unknown flag --skip-git-repo-chek (did you mean --skip-git-repo-check?)"},
		{"two prompts", []string{"a", "b"}, false, 2, "unexpected argument"},
		{"empty prompt", []string{}, false, 2, "no prompt provided"},
		{"resume unknown", []string{"resume", "nope", "x"}, false, 1, "no saved session found with id nope"},
		{"bad config", []string{"-c", "model_providers=3", "hi"}, false, 1, "Error: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newExecFixture(t)
			if tt.noGit {
				if err := os.RemoveAll(filepath.Join(fx.repo, ".git")); err != nil {
					t.Fatal(err)
				}
			}
			r := fx.run(tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.stderr)
			}
		})
	}
	fx := newExecFixture(t)
	delete(fx.env, "MOCK_KEY")
	r := fx.run(append(fx.providerArgs(), "hi")...)
	if r.code != 1 || !strings.Contains(r.stderr, "Missing environment variable: `MOCK_KEY`.") {
		t.Errorf("missing key: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestExecChatWireSchemaAndAgentsMD(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "shell", map[string]any{"command": []string{"echo", "chat"}})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message(`{"ok":true}`)}})
	if err := os.WriteFile(filepath.Join(fx.repo, "AGENTS.md"), []byte("Always run the tests."), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fx.home, "AGENTS.md"), []byte("Be terse."), 0o644); err != nil {
		t.Fatal(err)
	}
	schema := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(schema, []byte(`{"type":"object"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-c", "model_provider=mock", "-c", `model_providers.mock={name="mock",base_url="` + fx.srv.URL() + `",env_key="MOCK_KEY",wire_api="chat"}`, "--json", "go"}
	r := fx.run(args...)
	if r.code != 0 || !strings.Contains(r.stdout, `"command":"echo chat","aggregated_output":"chat\n","exit_code":0`) {
		t.Fatalf("exit %d stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	var body struct {
		Messages []struct {
			Role    string  `json:"role"`
			Content *string `json:"content"`
		} `json:"messages"`
	}
	if err := fx.srv.Requests()[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	var all string
	for _, m := range body.Messages {
		if m.Content != nil {
			all += *m.Content + "\n"
		}
	}
	if !strings.Contains(all, "# AGENTS.md instructions for "+fx.repo+"\n\n<INSTRUCTIONS>\nBe terse.\n\n--- project-doc ---\n\nAlways run the tests.\n</INSTRUCTIONS>") {
		t.Errorf("AGENTS.md not sent as expected:\n%s", all)
	}
	if fx.srv.Requests()[0].Path != "/v1/chat/completions" {
		t.Errorf("path %s", fx.srv.Requests()[0].Path)
	}
	// Responses wire with --output-schema sends text.format.
	fx2 := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message(`{"ok":true}`)}})
	r = fx2.run(append(fx2.providerArgs(), "--output-schema", schema, "--ephemeral", "go")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var b2 struct {
		Text struct {
			Format model.TextFormat `json:"format"`
		} `json:"text"`
	}
	if err := fx2.srv.Requests()[0].JSON(&b2); err != nil {
		t.Fatal(err)
	}
	if b2.Text.Format.Name != "codex_output_schema" || !b2.Text.Format.Strict || string(b2.Text.Format.Schema) != `{"type":"object"}` {
		t.Errorf("text.format = %+v", b2.Text.Format)
	}
	if files, _ := filepath.Glob(filepath.Join(fx2.home, "sessions", "*", "*", "*", "*")); len(files) != 0 {
		t.Errorf("--ephemeral wrote %v", files)
	}
}

func TestExecOpenAIProviderWithAPIKey(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
	fx.env["CODEX_API_KEY"] = "sk-codex"
	// The SDK's way: the built-in provider moved with openai_base_url.
	r := fx.run("--experimental-json", "--config", "openai_base_url="+fx.srv.URL(), "hi")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	req := fx.srv.Requests()[0]
	if got := req.Header.Get("Authorization"); got != "Bearer sk-codex" || req.Path != "/v1/responses" {
		t.Errorf("auth %q path %s", got, req.Path)
	}
	// OPENAI_BASE_URL moves it too.
	delete(fx.env, "CODEX_API_KEY")
	fx.env["OPENAI_API_KEY"] = "sk-openai"
	fx.env["OPENAI_BASE_URL"] = fx.srv.URL()
	r = fx.run("--json", "hi")
	if r.code != 0 || fx.srv.Requests()[1].Header.Get("Authorization") != "Bearer sk-openai" {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// Without any credentials: a clear error.
	delete(fx.env, "OPENAI_API_KEY")
	r = fx.run("--json", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, "not logged in") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

// TestExecForcedLoginMethod: credentials forced_login_method does not
// allow stop the run before any request; stored ones are logged out.
func TestExecForcedLoginMethod(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
	key := "sk-stored-1234567890"
	if err := authfile.Save(fx.home, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key}); err != nil {
		t.Fatal(err)
	}
	base := []string{"-c", "openai_base_url=" + strconv.Quote(fx.srv.URL()), "-c", `forced_login_method="chatgpt"`, "--json", "hi"}
	fx.env["OPENAI_API_KEY"] = "sk-env"
	r := fx.run(base...)
	if r.code != 1 || !strings.Contains(r.stderr, "API key login is disabled. Use ChatGPT login instead. (credentials from OPENAI_API_KEY)") {
		t.Errorf("env key: exit %d stderr %q", r.code, r.stderr)
	}
	delete(fx.env, "OPENAI_API_KEY")
	r = fx.run(base...)
	if r.code != 1 || !strings.Contains(r.stderr, "API key login is disabled. Use ChatGPT login instead.; logged out") {
		t.Errorf("stored key: exit %d stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(authfile.Path(fx.home)); !os.IsNotExist(err) {
		t.Errorf("auth.json not removed: %v", err)
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Errorf("%d model requests made with refused credentials", n)
	}
}

func TestExecNotify(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("finished")}})
	out := filepath.Join(t.TempDir(), "notified.json")
	r := fx.run(append(fx.providerArgs(), "-c", `notify=["sh","-c","printf '%s' \"$1\" > `+out+`","notify"]`, "tell me")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("notify payload %q: %v", b, err)
	}
	if got["type"] != "agent-turn-complete" || got["last-assistant-message"] != "finished" || got["cwd"] != fx.repo {
		t.Errorf("payload = %v", got)
	}
}

// TestExecHumanCommandOutput: a command's output as the Codex CLI 0.169
// prints it on stderr (captured from it against this repository's model
// server): the whole output, whatever its length, then a line end, so
// output that ends with one is followed by an empty line; no output,
// nothing between the status line and what follows.
func TestExecHumanCommandOutput(t *testing.T) {
	var thirty strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&thirty, "l%d\n", i)
	}
	for _, tc := range []struct {
		cmd, status, block string
	}{
		{"echo hi; exit 3", "exited 3", "hi\n\n"},
		{"printf abc", "succeeded", "abc\n"},
		{"true", "succeeded", ""},
		{"for i in $(seq 30); do echo l$i; done", "succeeded", thirty.String() + "\n"},
	} {
		fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": tc.cmd})}},
			modelserver.Turn{Items: []json.RawMessage{modelserver.Message("all done")}})
		r := fx.run(append(fx.providerArgs(), "--color", "never", "do it")...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d stderr %s", tc.cmd, r.code, r.stderr)
		}
		re := regexp.MustCompile(`(?s)\n ` + tc.status + ` in [0-9.]+m?s:\n(.*?)codex\nall done\n`)
		m := re.FindStringSubmatch(r.stderr)
		if m == nil || m[1] != tc.block {
			t.Errorf("%s: output block %q, want %q; stderr:\n%s", tc.cmd, m, tc.block, r.stderr)
		}
	}
}

// TestExecBannerAsCodex: the banner's sandbox and reasoning lines as the
// Codex CLI 0.169 prints them for the same command lines (captured from
// its binary): workspace-write's writable roots in its words, --add-dir's
// before config.toml's, the network, and the reasoning settings as
// config.toml has them ("none" when unset).
func TestExecBannerAsCodex(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-s", "read-only"}, "sandbox: read-only\nreasoning effort: none\nreasoning summaries: none\n"},
		{[]string{"-s", "workspace-write"}, "sandbox: workspace-write [workdir, /tmp, $TMPDIR]\nreasoning effort: none\nreasoning summaries: none\n"},
		{[]string{"-s", "workspace-write", "-c", "sandbox_workspace_write.exclude_slash_tmp=true"}, "sandbox: workspace-write [workdir, $TMPDIR]\n"},
		{[]string{"-s", "workspace-write", "-c", "sandbox_workspace_write.exclude_slash_tmp=true", "-c", "sandbox_workspace_write.exclude_tmpdir_env_var=true"},
			"sandbox: workspace-write [workdir]\n"},
		{[]string{"-s", "workspace-write", "-c", `sandbox_workspace_write.writable_roots=["/data"]`, "--add-dir", "/extra"},
			"sandbox: workspace-write [workdir, /tmp, $TMPDIR, /extra, /data]\n"},
		{[]string{"-s", "workspace-write", "-c", "sandbox_workspace_write.network_access=true"},
			"sandbox: workspace-write [workdir, /tmp, $TMPDIR] (network access enabled)\n"},
		{[]string{"-s", "danger-full-access", "-c", "model_reasoning_effort=high"}, "sandbox: danger-full-access\nreasoning effort: high\nreasoning summaries: none\n"},
		{[]string{"-c", "model_reasoning_summary=concise", "-c", "model_reasoning_effort=low"}, "reasoning effort: low\nreasoning summaries: concise\n"},
	} {
		fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("all done")}})
		r := fx.run(append(append(fx.providerArgs(), "--color", "never", "--skip-git-repo-check"), append(tc.args, "do it")...)...)
		if r.code != 0 || !strings.Contains(r.stderr, "\n"+tc.want) {
			t.Errorf("%v: exit %d, banner lacks\n%s\nstderr:\n%s", tc.args, r.code, tc.want, r.stderr)
		}
	}
}

// TestExecHumanReasoning: a reasoning summary is printed as the Codex CLI
// 0.169 prints it (captured from its binary on the demo script): its text
// alone, no heading, before what follows.
func TestExecHumanReasoning(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Reasoning("**Scripted demo**\n\nReplayed.", "enc"), modelserver.Message("all done")}})
	r := fx.run(append(fx.providerArgs(), "--color", "never", "do it")...)
	if r.code != 0 || !strings.Contains(r.stderr, "--------\nuser\ndo it\n**Scripted demo**\n\nReplayed.\ncodex\nall done\n") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
