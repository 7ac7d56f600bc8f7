package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/selfexec"
)

// TestMain lets the test binary act as the sandbox helpers (the real
// sandbox re-executes the running binary), as fake external policy and
// sandbox programs, and as the codex binary (arg0 "codex"), so the SDK
// test drives the real exec front end without a build step.
func TestMain(m *testing.M) {
	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	if code := fakeTool(selfexec.Name(os.Args[0]), os.Stdin, os.Stdout); code >= 0 {
		os.Exit(code)
	}
	if selfexec.Name(os.Args[0]) == "codex" {
		ctx, cancel := context.WithCancel(context.Background())
		code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		cancel()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestTypeScriptSDKDrivesExec(t *testing.T) {
	npmDir, node, dir, bin, work := nodeTestbed(t, "npm", "@openai", "codex-sdk")
	srv, err := modelserver.Start(modelserver.Script{Turns: []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "echo from-sdk"})}},
		{Items: []json.RawMessage{modelserver.Message("first answer")}},
		{Items: []json.RawMessage{modelserver.Message("second answer")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(npmDir, "sdk_run.mjs"))
	cmd.Dir = npmDir
	cmd.Env = append(os.Environ(), "CODEX_BIN="+bin, "BASE_URL="+srv.URL(), "WORKDIR="+work,
		"CODEX_HOME="+filepath.Join(dir, "home"), "HOME="+dir, "OPENAI_API_KEY=", "OPENAI_BASE_URL=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var got struct {
		ID, ResumedID string
		First         struct {
			FinalResponse string `json:"finalResponse"`
			Items         []map[string]any
			Usage         map[string]int
		}
		Events []string
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", stdout.String(), err)
	}
	if got.ID == "" || got.ResumedID != got.ID {
		t.Errorf("thread ids %q / %q", got.ID, got.ResumedID)
	}
	if got.First.FinalResponse != "first answer" || len(got.First.Items) != 2 || got.First.Items[0]["type"] != "command_execution" ||
		got.First.Items[0]["aggregated_output"] != "from-sdk\n" || got.First.Usage["input_tokens"] != 200 {
		t.Errorf("first turn = %+v", got.First)
	}
	if strings.Join(got.Events, ",") != "thread.started,turn.started,item.completed,turn.completed" {
		t.Errorf("resumed events = %v", got.Events)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("requests = %d", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("Authorization") != "Bearer sk-sdk-test" || r.Header.Get("Originator") != "codex_sdk_ts" {
			t.Errorf("headers: auth %q originator %q", r.Header.Get("Authorization"), r.Header.Get("Originator"))
		}
	}
	var body struct {
		Input []struct {
			Type string `json:"type"`
		} `json:"input"`
		PromptCacheKey string `json:"prompt_cache_key"`
	}
	if err := reqs[2].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if body.PromptCacheKey != got.ID || len(body.Input) < 8 {
		t.Errorf("resumed request: cache key %q, %d items", body.PromptCacheKey, len(body.Input))
	}
}

// nodeTestbed prepares a test that drives our binary from a Node.js
// script: the npm folder testdata/<npm> with pkg installed, node on PATH,
// and a temp dir holding a link named codex to this test binary (which
// TestMain turns into the codex CLI) and an empty work folder.
func nodeTestbed(t *testing.T, npm string, pkg ...string) (npmDir, node, dir, bin, work string) {
	t.Helper()
	npmDir, err := filepath.Abs(filepath.Join("testdata", npm))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(append([]string{npmDir, "node_modules"}, pkg...)...)); err != nil {
		t.Fatalf("%s is not installed: run `npm ci` in %s (%v)", strings.Join(pkg, "/"), npmDir, err)
	}
	if node, err = exec.LookPath("node"); err != nil {
		t.Fatalf("node is required for this test: %v", err)
	}
	dir = t.TempDir()
	bin = filepath.Join(dir, "codex")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	work = filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	return npmDir, node, dir, bin, work
}
