package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestTypeScriptMCPClient drives `codex mcp-server` (this test binary
// under the name codex, see TestMain) with the official TypeScript MCP
// SDK client: list tools, codex then codex-reply on one thread with an
// approval elicitation, a cancelled call, and a call after the cancel.
// The commands are ones the in-process execpolicy knows no rule for
// (getconf), so that untrusted asks.
func TestTypeScriptMCPClient(t *testing.T) {
	npmDir, node, dir, bin, work := nodeTestbed(t, "npm-mcp", "@modelcontextprotocol", "sdk")
	marker := fmt.Sprintf("8%d.%d", os.Getpid()%1000, time.Now().UnixNano()%100000)
	srv, err := modelserver.Start(modelserver.Script{Turns: []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "getconf PAGESIZE"})}},
		{Items: []json.RawMessage{modelserver.Message("first answer")}},
		{Items: []json.RawMessage{modelserver.Message("second answer")}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c2", "exec_command", map[string]any{"cmd": "sleep " + marker + " && getconf PAGESIZE"})}},
		{Items: []json.RawMessage{modelserver.Message("fourth answer")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(npmDir, "mcp_run.mjs"))
	cmd.Dir = npmDir
	cmd.Env = append(os.Environ(), "CODEX_BIN="+bin, "WORKDIR="+work, "CODEX_HOME="+filepath.Join(dir, "home"), "HOME="+dir,
		"OPENAI_API_KEY=sk-mcp-test", "OPENAI_BASE_URL="+srv.URL())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	type result struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		StructuredContent struct {
			ThreadID string `json:"threadId"`
			Content  string `json:"content"`
		} `json:"structuredContent"`
		IsError bool `json:"isError"`
	}
	var got struct {
		Server struct {
			Name string `json:"name"`
		} `json:"server"`
		Tools []struct {
			Name           string   `json:"name"`
			Required       []string `json:"required"`
			OutputRequired []string `json:"outputRequired"`
		} `json:"tools"`
		First, Second, Fourth result
		ThreadID              string           `json:"threadId"`
		Progress              []string         `json:"progress"`
		Elicitations          []map[string]any `json:"elicitations"`
		CancelError           string           `json:"cancelError"`
		CancelEvents          []string         `json:"cancelEvents"`
		EventThreads          []string         `json:"eventThreads"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("node output: %v\n%s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if got.Server.Name != "codex-mcp-server" || len(got.Tools) != 2 || got.Tools[0].Name != "codex" || got.Tools[1].Name != "codex-reply" {
		t.Errorf("server %q tools %+v", got.Server.Name, got.Tools)
	}
	for _, tl := range got.Tools {
		if strings.Join(tl.Required, ",") != "prompt" || strings.Join(tl.OutputRequired, ",") != "threadId,content" {
			t.Errorf("tool %s schemas: required %v, output %v", tl.Name, tl.Required, tl.OutputRequired)
		}
	}
	for name, r := range map[string]result{"first": got.First, "second": got.Second, "fourth": got.Fourth} {
		want := name + " answer"
		if r.IsError || r.StructuredContent.Content != want || r.StructuredContent.ThreadID != got.ThreadID || len(r.Content) != 1 || r.Content[0].Text != want {
			t.Errorf("%s call = %+v, want %q on thread %s", name, r, want, got.ThreadID)
		}
	}
	if len(got.Elicitations) != 2 {
		t.Fatalf("elicitations = %v, want two (getconf, sleep)", got.Elicitations)
	}
	e := got.Elicitations[0]
	if e["message"] != fmt.Sprintf("Allow Codex to run `/bin/bash -lc 'getconf PAGESIZE'` in `%s`?", work) {
		t.Errorf("elicitation message = %v", e["message"])
	}
	if !strings.Contains(strings.Join(got.Progress, "|"), "running /bin/bash -lc 'getconf PAGESIZE'") {
		t.Errorf("progress = %v", got.Progress)
	}
	if got.CancelError == "" || !strings.Contains(strings.Join(got.CancelEvents, ","), "exec_command_begin") {
		t.Errorf("cancel: error %q, events %v", got.CancelError, got.CancelEvents)
	}
	if len(got.EventThreads) != 1 || got.EventThreads[0] != got.ThreadID {
		t.Errorf("codex/event threads = %v, want [%s]", got.EventThreads, got.ThreadID)
	}
	if reqs := srv.Requests(); len(reqs) == 0 || !strings.Contains(reqs[0].Header.Get("User-Agent"), "(ts-sdk-test; 1.0.0)") ||
		reqs[0].Header.Get("originator") != "codex_mcp_server" {
		t.Errorf("model request headers = %v, want the MCP client in the User-Agent", reqs[0].Header)
	}
	if left := markedProcesses("sleep " + marker); len(left) > 0 {
		t.Errorf("cancelled command still running: %v", left)
	}
}

// markedProcesses lists live processes whose command line starts with
// prefix.
func markedProcesses(prefix string) []string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if cl := strings.ReplaceAll(string(b), "\x00", " "); strings.HasPrefix(cl, prefix) {
			out = append(out, e.Name()+": "+cl)
		}
	}
	return out
}
