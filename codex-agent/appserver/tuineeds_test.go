package appserver_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestThreadResumeByPath: thread/resume takes the rollout file (the
// schema's third way; our TUI resumes the file its picker chose), in a
// new process, with the history; a relative path is refused.
func TestThreadResumeByPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(modelserver.Message("first")), turnOf(modelserver.Message("resumed by path")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work})
	startTurn(t, c, th.Thread.ID, "remember the word quince")
	c.until("turn/completed")
	_ = c.in.Close()
	if err := <-c.exited; err != nil {
		t.Fatalf("server exit: %v", err)
	}
	c.exited <- nil

	c2 := f.start(t)
	if e := c2.callErr("thread/resume", map[string]any{"threadId": "", "path": "sessions/x.jsonl"}); e.Error == nil || e.Error.Code != -32602 {
		t.Errorf("relative path: %s", e)
	}
	var rr threadResp
	c2.call("thread/resume", map[string]any{"threadId": "", "path": th.Thread.Path}).decode(t, &rr)
	if rr.Thread.ID != th.Thread.ID || rr.Thread.Path != th.Thread.Path || len(rr.Thread.Turns) != 1 {
		t.Fatalf("thread/resume by path = %+v", rr)
	}
	// Resuming it again by path rejoins the loaded thread.
	var again threadResp
	c2.call("thread/resume", map[string]any{"threadId": "", "path": th.Thread.Path}).decode(t, &again)
	if again.Thread.ID != th.Thread.ID {
		t.Errorf("second resume: %+v", again)
	}
	startTurn(t, c2, th.Thread.ID, "what was the word?")
	_, seen := c2.until("turn/completed")
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != "resumed by path" {
		t.Errorf("resumed turn: %v", got)
	}
	reqs := f.srv.Requests()
	var body struct {
		PromptCacheKey string            `json:"prompt_cache_key"`
		Input          []json.RawMessage `json:"input"`
	}
	if err := reqs[len(reqs)-1].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if body.PromptCacheKey != th.Thread.ID || !strings.Contains(string(mustJSON(t, body.Input)), "quince") {
		t.Errorf("resumed request lacks the history: key %q", body.PromptCacheKey)
	}
}

// TestTerminalInteractionNotified: input the model writes into a running
// exec_command session (write_stdin) is reported as
// item/commandExecution/terminalInteraction, and the session's end comes
// as its item's completion in the turn that waited for it.
func TestTerminalInteractionNotified(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		turnOf(modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "read line; echo got-$line", "yield_time_ms": 300})),
		turnOf(modelserver.Message("left running")),
		turnOf(modelserver.FunctionCall("w1", "write_stdin", map[string]any{"session_id": 1001, "chars": "stop\n", "yield_time_ms": 30000})),
		turnOf(modelserver.Message("stopped")),
	)
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never", "sandbox": "workspace-write"})
	turn1 := startTurn(t, c, th.Thread.ID, "start it")
	_, first := c.until("turn/completed")
	if cmds := completedItems(t, first, "commandExecution"); len(cmds) != 0 {
		t.Errorf("the running session was completed with its turn: %v", cmds)
	}
	startTurn(t, c, th.Thread.ID, "stop it")
	_, seen := c.until("turn/completed")
	var ti struct {
		ItemID    string `json:"itemId"`
		ProcessID string `json:"processId"`
		Stdin     string `json:"stdin"`
	}
	found := false
	for _, m := range seen {
		if m.Method == "item/commandExecution/terminalInteraction" {
			m.decode(t, &ti)
			found = true
		}
	}
	if !found || ti.ItemID != "c1" || ti.Stdin != "stop\n" || ti.ProcessID == "" {
		t.Fatalf("terminalInteraction = %+v (found %v) in %s", ti, found, methods(seen))
	}
	for _, m := range seen {
		if m.Method == "item/completed" && strings.Contains(string(m.Params), `"commandExecution"`) && !strings.Contains(string(m.Params), `"turnId":"`+turn1+`"`) {
			t.Errorf("the session's end is not under the turn that started it: %s", m)
		}
	}
	cmds := completedItems(t, seen, "commandExecution")
	if len(cmds) != 1 || cmds[0]["id"] != "c1" || !strings.Contains(cmds[0]["aggregatedOutput"].(string), "got-stop") {
		t.Errorf("the session's end: %v\n%s", cmds, seen)
	}
}

// TestAppServerTakesTUIFlags: the root flags our TUI passes on (--add-dir,
// --enable, --disable, --oss) are the server's too; --add-dir widens the
// workspace-write sandbox threads get.
func TestAppServerTakesTUIFlags(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	extra := filepath.Join(t.TempDir(), "extra")
	if err := os.Mkdir(extra, 0o755); err != nil {
		t.Fatal(err)
	}
	c := f.start(t, "--add-dir", extra, "--enable", "web_search_request", "--disable", "view_image_tool")
	var r struct {
		Sandbox struct {
			Type          string   `json:"type"`
			WritableRoots []string `json:"writableRoots"`
		} `json:"sandbox"`
	}
	c.call("thread/start", map[string]any{"cwd": f.work, "sandbox": "workspace-write"}).decode(t, &r)
	if r.Sandbox.Type != "workspaceWrite" || !strings.Contains(strings.Join(r.Sandbox.WritableRoots, "\n"), extra) {
		t.Errorf("sandbox with --add-dir = %+v", r.Sandbox)
	}
}

// TestNoticeInsideATurnIsAWarning: a notice the session gives inside a
// turn (here the automatic compaction's) reaches the client as a
// `warning` during the turn, as `codex proto` gave it to the TUI.
func TestNoticeInsideATurnIsAWarning(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		turnOf(execCall("c1", "echo hi")),
		turnOf(modelserver.Message("the summary")),
		turnOf(modelserver.Message("done")),
	)
	c := f.start(t, "-c", "model_auto_compact_token_limit=1")
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never", "sandbox": "workspace-write"})
	startTurn(t, c, th.Thread.ID, "go")
	_, seen := c.until("turn/completed")
	var warned bool
	for _, m := range seen {
		if m.Method == "warning" && strings.Contains(string(m.Params), "Context window nearly full") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning for the automatic compaction in %s", methods(seen))
	}
}
