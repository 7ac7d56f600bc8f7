package appserver_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

func execCall(id, cmd string) json.RawMessage {
	return modelserver.FunctionCall(id, "exec_command", map[string]any{"cmd": cmd, "yield_time_ms": 30000})
}

func turnOf(items ...json.RawMessage) modelserver.Turn { return modelserver.Turn{Items: items} }

func text(s string) []any {
	return []any{map[string]any{"type": "text", "text": s}}
}

type threadResp struct {
	Thread struct {
		ID     string `json:"id"`
		Path   string `json:"path"`
		Status struct {
			Type string `json:"type"`
		} `json:"status"`
		Turns []struct {
			ID     string           `json:"id"`
			Status string           `json:"status"`
			Items  []map[string]any `json:"items"`
		} `json:"turns"`
		ForkedFromID string `json:"forkedFromId"`
		Preview      string `json:"preview"`
	} `json:"thread"`
	Model string `json:"model"`
}

func startThread(t *testing.T, c *client, params map[string]any) threadResp {
	t.Helper()
	var r threadResp
	c.call("thread/start", params).decode(t, &r)
	if r.Thread.ID == "" {
		t.Fatalf("thread/start: no id")
	}
	return r
}

func startTurn(t *testing.T, c *client, thread, prompt string) string {
	t.Helper()
	var r struct {
		Turn struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"turn"`
	}
	c.call("turn/start", map[string]any{"threadId": thread, "input": text(prompt)}).decode(t, &r)
	if r.Turn.ID == "" || r.Turn.Status != "inProgress" {
		t.Fatalf("turn/start = %+v", r)
	}
	return r.Turn.ID
}

type itemNote struct {
	ThreadID string         `json:"threadId"`
	TurnID   string         `json:"turnId"`
	Item     map[string]any `json:"item"`
}

type turnNote struct {
	ThreadID string `json:"threadId"`
	Turn     struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	} `json:"turn"`
}

func completedItems(t *testing.T, ms []msg, typ string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range ms {
		if m.Method != "item/completed" {
			continue
		}
		var n itemNote
		m.decode(t, &n)
		if n.Item["type"] == typ {
			out = append(out, n.Item)
		}
	}
	return out
}

// TestSessionApprovalResumeFork is the main flow of an SDK client: a
// thread, a turn whose command needs approval (approved through the
// server request), a second turn, then the thread resumed by a new
// server process, continued by codex exec resume, and forked.
func TestSessionApprovalResumeFork(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		turnOf(execCall("call-1", "touch approved.txt && echo made-it")),
		turnOf(modelserver.Message("done with the file")),
		turnOf(modelserver.Message("second answer")),
		turnOf(modelserver.Message("after resume")),
		turnOf(modelserver.Message("from exec resume")),
		turnOf(modelserver.Message("in the fork")),
	)
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "untrusted", "sandbox": "workspace-write"})
	if th.Model != "gpt-test" || th.Thread.Status.Type != "idle" || th.Thread.Path == "" {
		t.Errorf("thread/start = %+v", th)
	}
	started, _ := c.until("thread/started")
	var ts struct {
		Thread struct{ ID string } `json:"thread"`
	}
	started.decode(t, &ts)
	if ts.Thread.ID != th.Thread.ID {
		t.Errorf("thread/started for %q", ts.Thread.ID)
	}

	turn1 := startTurn(t, c, th.Thread.ID, "make a file")
	req, seen := c.until("item/commandExecution/requestApproval")
	var ap struct {
		ThreadID, TurnID, ItemID, Command, Cwd string
	}
	req.decode(t, &ap)
	if ap.ThreadID != th.Thread.ID || ap.TurnID != turn1 || ap.ItemID != "call-1" || !strings.Contains(ap.Command, "touch approved.txt") || ap.Cwd != f.work {
		t.Errorf("approval request = %s", req)
	}
	// The command's item/started comes before the approval request.
	var cmdStarted bool
	for _, m := range seen {
		if m.Method == "item/started" && strings.Contains(string(m.Params), `"commandExecution"`) {
			cmdStarted = true
		}
	}
	if !cmdStarted {
		t.Errorf("no item/started for the command before its approval: %s", methods(seen))
	}
	if _, err := os.Stat(filepath.Join(f.work, "approved.txt")); err == nil {
		t.Fatal("the command ran before it was approved")
	}
	c.reply(req, map[string]any{"decision": "accept"})
	before := seen
	done, seen := c.until("turn/completed")
	seen = append(before, seen...)
	var tc turnNote
	done.decode(t, &tc)
	if tc.Turn.ID != turn1 || tc.Turn.Status != "completed" {
		t.Errorf("turn/completed = %s", done)
	}
	if !strings.Contains(methods(seen), "serverRequest/resolved") {
		t.Errorf("no serverRequest/resolved: %s", methods(seen))
	}
	cmds := completedItems(t, seen, "commandExecution")
	if len(cmds) != 1 || cmds[0]["status"] != "completed" || !strings.Contains(cmds[0]["aggregatedOutput"].(string), "made-it") {
		t.Errorf("command items = %v", cmds)
	}
	msgs := completedItems(t, seen, "agentMessage")
	if len(msgs) != 1 || msgs[0]["text"] != "done with the file" {
		t.Errorf("agent messages = %v", msgs)
	}
	if users := completedItems(t, seen, "userMessage"); len(users) != 1 {
		t.Errorf("user message items = %v", users)
	}
	if _, err := os.Stat(filepath.Join(f.work, "approved.txt")); err != nil {
		t.Errorf("the approved command did not run: %v", err)
	}
	for _, want := range []string{"turn/started", "item/agentMessage/delta", "thread/tokenUsage/updated", "thread/status/changed"} {
		if !strings.Contains(methods(seen), want) {
			t.Errorf("no %s in %s", want, methods(seen))
		}
	}

	turn2 := startTurn(t, c, th.Thread.ID, "and again")
	done, seen = c.until("turn/completed")
	done.decode(t, &tc)
	if tc.Turn.ID != turn2 || tc.Turn.Status != "completed" || completedItems(t, seen, "agentMessage")[0]["text"] != "second answer" {
		t.Errorf("second turn: %s", done)
	}
	_ = c.in.Close()
	if err := <-c.exited; err != nil {
		t.Fatalf("server exit: %v", err)
	}
	c.exited <- nil

	// A new process resumes the thread with its turns.
	c2 := f.start(t)
	var rr threadResp
	c2.call("thread/resume", map[string]any{"threadId": th.Thread.ID}).decode(t, &rr)
	if rr.Thread.ID != th.Thread.ID || len(rr.Thread.Turns) != 2 || rr.Thread.Turns[0].ID != turn1 || rr.Thread.Turns[1].ID != turn2 {
		t.Fatalf("thread/resume = %+v", rr)
	}
	first := rr.Thread.Turns[0].Items
	if len(first) < 3 || first[0]["type"] != "userMessage" || first[len(first)-1]["text"] != "done with the file" {
		t.Errorf("resumed first turn items = %v", first)
	}
	turn3 := startTurn(t, c2, th.Thread.ID, "after the restart")
	if turn3 != "turn-3" {
		t.Errorf("third turn id %q", turn3)
	}
	_, seen = c2.until("turn/completed")
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != "after resume" {
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
	if body.PromptCacheKey != th.Thread.ID || !strings.Contains(string(mustJSON(t, body.Input)), "make a file") {
		t.Errorf("resumed request lacks the history: key %q", body.PromptCacheKey)
	}
	_ = c2.in.Close()
	<-c2.exited
	c2.exited <- nil

	// codex exec resume continues the same thread.
	ex := exec.Command(bin(t), "exec", "--skip-git-repo-check", "resume", th.Thread.ID, "from the CLI")
	ex.Env, ex.Dir = f.env, f.work
	out, err := ex.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "from exec resume") {
		t.Fatalf("exec resume: %v\n%s", err, out)
	}

	// A fork starts from the whole conversation under a new id.
	c3 := f.start(t)
	var fr threadResp
	c3.call("thread/fork", map[string]any{"threadId": th.Thread.ID}).decode(t, &fr)
	if fr.Thread.ID == th.Thread.ID || fr.Thread.ForkedFromID != th.Thread.ID || len(fr.Thread.Turns) != 4 {
		t.Fatalf("thread/fork = %+v", fr)
	}
	startTurn(t, c3, fr.Thread.ID, "in the fork")
	_, seen = c3.until("turn/completed")
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != "in the fork" {
		t.Errorf("fork turn: %v", got)
	}
	var read threadResp
	c3.call("thread/read", map[string]any{"threadId": fr.Thread.ID, "includeTurns": true}).decode(t, &read)
	if len(read.Thread.Turns) != 5 {
		t.Errorf("fork has %d turns, want 5", len(read.Thread.Turns))
	}
	c3.call("thread/read", map[string]any{"threadId": th.Thread.ID, "includeTurns": true}).decode(t, &read)
	if len(read.Thread.Turns) != 4 {
		t.Errorf("the original has %d turns after the fork, want 4", len(read.Thread.Turns))
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	c3.call("thread/list", map[string]any{}).decode(t, &list)
	if len(list.Data) != 2 {
		t.Errorf("thread/list = %+v", list)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestExecSessionResumesHere: a session codex exec recorded is listed as
// an exec thread, read with its turn, and continued by thread/resume.
func TestExecSessionResumesHere(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(modelserver.Message("exec answer")), turnOf(modelserver.Message("app-server answer")))
	ex := exec.Command(bin(t), "exec", "--skip-git-repo-check", "--json", "a task from exec")
	ex.Env, ex.Dir = f.env, f.work
	out, err := ex.Output()
	if err != nil {
		t.Fatalf("exec: %v\n%s", err, out)
	}
	var started struct {
		ThreadID string `json:"thread_id"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(string(out), "\n", 2)[0]), &started); err != nil || started.ThreadID == "" {
		t.Fatalf("exec first line: %s (%v)", out, err)
	}
	c := f.start(t)
	var list struct {
		Data []struct {
			ID      string `json:"id"`
			Source  any    `json:"source"`
			Preview string `json:"preview"`
		} `json:"data"`
	}
	c.call("thread/list", map[string]any{"sourceKinds": []string{"exec"}}).decode(t, &list)
	if len(list.Data) != 1 || list.Data[0].ID != started.ThreadID || list.Data[0].Source != "exec" || list.Data[0].Preview != "a task from exec" {
		t.Fatalf("thread/list = %+v", list)
	}
	var rr threadResp
	c.call("thread/resume", map[string]any{"threadId": started.ThreadID}).decode(t, &rr)
	if len(rr.Thread.Turns) != 1 || rr.Thread.Turns[0].Status != "completed" {
		t.Fatalf("resume = %+v", rr)
	}
	turn := startTurn(t, c, started.ThreadID, "continue here")
	if turn != "turn-2" {
		t.Errorf("turn id %q", turn)
	}
	_, seen := c.until("turn/completed")
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != "app-server answer" {
		t.Errorf("turn: %v", got)
	}
}

// TestThreadResumesInTheTUIPath: the TUI resumes a session by running
// codex proto with experimental_resume set to its rollout; a thread
// started here continues that way with its history.
func TestThreadResumesInTheTUIPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(modelserver.Message("first, here")), turnOf(modelserver.Message("second, in proto")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work})
	startTurn(t, c, th.Thread.ID, "remember the word tangerine")
	c.until("turn/completed")
	_ = c.in.Close()
	<-c.exited
	c.exited <- nil

	proto := exec.Command(bin(t), "proto", "-c", "experimental_resume="+strconv.Quote(th.Thread.Path))
	proto.Env, proto.Dir = f.env, f.work
	proto.Stdin = strings.NewReader(`{"id":"s1","op":{"type":"user_input","items":[{"type":"text","text":"what was the word?"}]}}` + "\n")
	out, err := proto.Output()
	if err != nil || !strings.Contains(string(out), "second, in proto") {
		t.Fatalf("proto: %v\n%s", err, out)
	}
	reqs := f.srv.Requests()
	var body struct {
		PromptCacheKey string            `json:"prompt_cache_key"`
		Input          []json.RawMessage `json:"input"`
	}
	if err := reqs[len(reqs)-1].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if body.PromptCacheKey != th.Thread.ID || !strings.Contains(string(mustJSON(t, body.Input)), "tangerine") {
		t.Errorf("proto's request: key %q, history kept %v", body.PromptCacheKey, strings.Contains(string(mustJSON(t, body.Input)), "tangerine"))
	}
	// And the thread, read back here, has both turns.
	c2 := f.start(t)
	var read threadResp
	c2.call("thread/read", map[string]any{"threadId": th.Thread.ID, "includeTurns": true}).decode(t, &read)
	if len(read.Thread.Turns) != 2 {
		t.Errorf("turns after proto = %d", len(read.Thread.Turns))
	}
}
