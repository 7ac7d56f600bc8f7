package appserver_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// a 1x1 PNG
const pngB64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

// TestSeveralThreads runs two threads in one server, a turn in each at
// the same time, and manages them: list with paging and filters, name,
// archive, unarchive, unsubscribe, delete.
func TestSeveralThreads(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		turnOf(modelserver.Message("answer one")),
		turnOf(modelserver.Message("answer two")),
	)
	other := filepath.Join(f.work, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	c := f.start(t)
	a := startThread(t, c, map[string]any{"cwd": f.work})
	b := startThread(t, c, map[string]any{"cwd": other})
	ta := startTurn(t, c, a.Thread.ID, "first thread")
	tb := startTurn(t, c, b.Thread.ID, "second thread")
	done := map[string]string{}
	answers := map[string]string{}
	for len(done) < 2 {
		m := c.next()
		switch m.Method {
		case "turn/completed":
			var tc turnNote
			m.decode(t, &tc)
			done[tc.ThreadID] = tc.Turn.ID
		case "item/completed":
			var n itemNote
			m.decode(t, &n)
			if n.Item["type"] == "agentMessage" {
				answers[n.ThreadID] += n.Item["text"].(string)
			}
		}
	}
	if done[a.Thread.ID] != ta || done[b.Thread.ID] != tb || len(answers) != 2 ||
		!strings.HasPrefix(answers[a.Thread.ID], "answer") || !strings.HasPrefix(answers[b.Thread.ID], "answer") {
		t.Errorf("turns %v answers %v", done, answers)
	}
	var loaded struct {
		Data       []string `json:"data"`
		NextCursor *string  `json:"nextCursor"`
	}
	c.call("thread/loaded/list", map[string]any{"limit": 1}).decode(t, &loaded)
	if len(loaded.Data) != 1 || loaded.NextCursor == nil {
		t.Fatalf("loaded/list page 1 = %+v", loaded)
	}
	first := loaded.Data[0]
	c.call("thread/loaded/list", map[string]any{"limit": 1, "cursor": *loaded.NextCursor}).decode(t, &loaded)
	if len(loaded.Data) != 1 || loaded.Data[0] == first || loaded.NextCursor != nil {
		t.Errorf("loaded/list page 2 = %+v", loaded)
	}

	type listed struct {
		Data []struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Cwd     string `json:"cwd"`
			Preview string `json:"preview"`
			Status  struct {
				Type string `json:"type"`
			} `json:"status"`
		} `json:"data"`
		NextCursor *string `json:"nextCursor"`
	}
	var l listed
	c.call("thread/list", map[string]any{"limit": 1}).decode(t, &l)
	if len(l.Data) != 1 || l.NextCursor == nil {
		t.Fatalf("thread/list page 1 = %+v", l)
	}
	c.call("thread/list", map[string]any{"cwd": other}).decode(t, &l)
	if len(l.Data) != 1 || l.Data[0].ID != b.Thread.ID || l.Data[0].Status.Type != "idle" || l.Data[0].Preview != "second thread" {
		t.Errorf("thread/list cwd filter = %+v", l)
	}
	c.call("thread/list", map[string]any{"searchTerm": "FIRST THREAD"}).decode(t, &l)
	if len(l.Data) != 1 || l.Data[0].ID != a.Thread.ID {
		t.Errorf("thread/list search = %+v", l)
	}
	c.call("thread/list", map[string]any{"sourceKinds": []string{"exec"}}).decode(t, &l)
	if len(l.Data) != 0 {
		t.Errorf("thread/list sourceKinds exec = %+v", l)
	}

	c.call("thread/name/set", map[string]any{"threadId": a.Thread.ID, "name": "My thread"})
	n, _ := c.until("thread/name/updated")
	if !strings.Contains(string(n.Params), `"threadName":"My thread"`) {
		t.Errorf("name/updated = %s", n)
	}
	c.call("thread/archive", map[string]any{"threadId": a.Thread.ID})
	_, seen := c.until("thread/archived")
	if !strings.Contains(methods(seen), "thread/closed") {
		t.Errorf("archive did not close the loaded thread: %s", methods(seen))
	}
	c.call("thread/list", map[string]any{}).decode(t, &l)
	if len(l.Data) != 1 || l.Data[0].ID != b.Thread.ID {
		t.Errorf("after archive = %+v", l)
	}
	c.call("thread/list", map[string]any{"archived": true}).decode(t, &l)
	if len(l.Data) != 1 || l.Data[0].ID != a.Thread.ID || l.Data[0].Name != "My thread" {
		t.Errorf("archived list = %+v", l)
	}
	if m := c.callErr("turn/start", map[string]any{"threadId": a.Thread.ID, "input": text("x")}); m.Error == nil {
		t.Errorf("turn on an archived thread: %s", m)
	}
	var un threadResp
	c.call("thread/unarchive", map[string]any{"threadId": a.Thread.ID}).decode(t, &un)
	if un.Thread.ID != a.Thread.ID {
		t.Errorf("unarchive = %+v", un)
	}
	c.until("thread/unarchived")
	var read threadResp
	c.call("thread/read", map[string]any{"threadId": a.Thread.ID, "includeTurns": true}).decode(t, &read)
	if len(read.Thread.Turns) != 1 || read.Thread.Status.Type != "notLoaded" {
		t.Errorf("read after unarchive = %+v", read)
	}
	var turns struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	c.call("thread/turns/list", map[string]any{"threadId": a.Thread.ID}).decode(t, &turns)
	if len(turns.Data) != 1 || turns.Data[0].ID != ta {
		t.Errorf("turns/list = %+v", turns)
	}

	var us struct{ Status string }
	c.call("thread/unsubscribe", map[string]any{"threadId": b.Thread.ID}).decode(t, &us)
	if us.Status != "unsubscribed" {
		t.Errorf("unsubscribe = %+v", us)
	}
	c.until("thread/closed")
	c.call("thread/unsubscribe", map[string]any{"threadId": b.Thread.ID}).decode(t, &us)
	if us.Status != "notLoaded" {
		t.Errorf("second unsubscribe = %+v", us)
	}
	c.call("thread/delete", map[string]any{"threadId": b.Thread.ID})
	c.until("thread/deleted")
	if _, err := os.Stat(b.Thread.Path); err == nil {
		t.Errorf("rollout %s still there", b.Thread.Path)
	}
	if m := c.callErr("thread/read", map[string]any{"threadId": b.Thread.ID}); m.Error == nil {
		t.Errorf("read of a deleted thread: %s", m)
	}
}

// TestTurnInputsAndOverrides sends an image, a local image and per-turn
// overrides, then compacts and reviews.
func TestTurnInputsAndOverrides(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		turnOf(modelserver.Message("I see two images")),
		turnOf(modelserver.Message("SUMMARY: images were discussed")),
		turnOf(modelserver.Message("no findings")),
	)
	img := filepath.Join(f.work, "dot.png")
	data, _ := base64.StdEncoding.DecodeString(pngB64)
	if err := os.WriteFile(img, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(f.work, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work})
	c.call("turn/start", map[string]any{"threadId": th.Thread.ID, "input": []any{
		map[string]any{"type": "text", "text": "look"},
		map[string]any{"type": "image", "url": "data:image/png;base64," + pngB64},
		map[string]any{"type": "localImage", "path": img},
	}, "model": "gpt-other", "effort": "high", "cwd": sub, "approvalPolicy": "never",
		"sandboxPolicy": map[string]any{"type": "readOnly"}})
	c.until("turn/completed")
	var body struct {
		Model     string `json:"model"`
		Reasoning struct {
			Effort string `json:"effort"`
		} `json:"reasoning"`
		Input []json.RawMessage `json:"input"`
	}
	reqs := f.srv.Requests()
	if err := reqs[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	in := string(mustJSON(t, body.Input))
	if body.Model != "gpt-other" || body.Reasoning.Effort != "high" || strings.Count(in, "input_image") != 2 {
		t.Errorf("request: model %q effort %q, %d images", body.Model, body.Reasoning.Effort, strings.Count(in, "input_image"))
	}
	// The turn ran in the cwd, policies and sandbox it asked for.
	rec, err := os.ReadFile(th.Thread.Path)
	if err != nil {
		t.Fatal(err)
	}
	var ctxLine struct {
		Payload struct {
			Cwd            string `json:"cwd"`
			ApprovalPolicy string `json:"approval_policy"`
			SandboxPolicy  struct {
				Mode string `json:"mode"`
			} `json:"sandbox_policy"`
		} `json:"payload"`
	}
	for _, line := range strings.Split(string(rec), "\n") {
		if strings.Contains(line, `"type":"turn_context"`) {
			if err := json.Unmarshal([]byte(line), &ctxLine); err != nil {
				t.Fatal(err)
			}
		}
	}
	if p := ctxLine.Payload; p.Cwd != sub || p.ApprovalPolicy != "never" || p.SandboxPolicy.Mode != "read-only" {
		t.Errorf("turn context = %+v", p)
	}
	if m := c.callErr("turn/start", map[string]any{"threadId": th.Thread.ID, "input": []any{map[string]any{"type": "localImage", "path": "rel.png"}}}); m.Error == nil || m.Error.Code != -32602 {
		t.Errorf("relative localImage: %s", m)
	}

	c.call("thread/compact/start", map[string]any{"threadId": th.Thread.ID})
	_, seen := c.until("turn/completed")
	if !strings.Contains(methods(seen), "thread/compacted") || len(completedItems(t, seen, "contextCompaction")) != 1 {
		t.Errorf("compaction: %s", methods(seen))
	}

	var rv struct {
		ReviewThreadID string `json:"reviewThreadId"`
		Turn           struct {
			ID string `json:"id"`
		} `json:"turn"`
	}
	c.call("review/start", map[string]any{"threadId": th.Thread.ID, "target": map[string]any{"type": "baseBranch", "branch": "main"}}).decode(t, &rv)
	if rv.ReviewThreadID != th.Thread.ID || rv.Turn.ID != "turn-3" {
		t.Errorf("review/start = %+v", rv)
	}
	_, seen = c.until("turn/completed")
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != "no findings" {
		t.Errorf("review turn: %v", got)
	}
	reqs = f.srv.Requests()
	if err := reqs[len(reqs)-1].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if in := string(mustJSON(t, body.Input)); !strings.Contains(in, "main") {
		t.Errorf("review request does not name the base branch")
	}
	if m := c.callErr("review/start", map[string]any{"threadId": th.Thread.ID, "target": map[string]any{"type": "commit"}}); m.Error == nil || m.Error.Code != -32600 {
		t.Errorf("commit without sha: %s", m)
	}
}
