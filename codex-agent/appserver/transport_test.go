package appserver_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

func TestTransport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.spawn(t)

	// Before initialize every request is refused, and the server goes on.
	m := c.callErr("thread/list", map[string]any{})
	if m.Error == nil || m.Error.Code != -32600 || !strings.Contains(m.Error.Message, "Not initialized") {
		t.Fatalf("before initialize: %s", m)
	}
	init := c.call("initialize", map[string]any{"clientInfo": map[string]any{"name": "ide", "version": "2.0"}})
	var ir struct {
		UserAgent, CodexHome, PlatformOs string
	}
	init.decode(t, &ir)
	if ir.CodexHome != f.home || ir.PlatformOs != "linux" || !strings.Contains(ir.UserAgent, "ide; 2.0") {
		t.Errorf("initialize = %s", init)
	}
	// IDE clients send initialized without params.
	c.send(`{"method":"initialized"}`)
	if m := c.callErr("initialize", map[string]any{"clientInfo": map[string]any{"name": "ide", "version": "2.0"}}); m.Error == nil || m.Error.Code != -32600 {
		t.Errorf("second initialize: %s", m)
	}

	tests := []struct {
		line string
		id   string
		code int
	}{
		{`{"id":41,"method":"no/such/method","params":{}}`, "41", -32601},
		{`{"id":"s-42","method":"thread/list","params":{"limit":"ten"}}`, `"s-42"`, -32602},
		{`{"id":43,"method":"fs/readFile","params":{"path":"relative/path"}}`, "43", -32602},
		{`{"id":44,"method":"turn/start","params":{"threadId":"nope","input":[]}}`, "44", -32600},
		{`this is not json`, "null", -32700},
		{`{"id":{"x":1},"method":"thread/list"}`, "null", -32700},
		{`{"id":45}`, "45", -32600},
		{`[1,2,3]`, "null", -32700},
	}
	for _, tt := range tests {
		c.send(tt.line)
		m := c.next()
		if string(m.ID) != tt.id || m.Error == nil || m.Error.Code != tt.code {
			t.Errorf("%s -> %s, want id %s code %d", tt.line, m, tt.id, tt.code)
		}
	}
	// Still serving: a request with a string id and one with an integer.
	for _, id := range []string{`"abc-def"`, `7`} {
		c.mu.Lock()
		c.methods[id] = "thread/loaded/list"
		c.mu.Unlock()
		c.send(`{"id":` + id + `,"method":"thread/loaded/list","params":{}}`)
		m := c.answer(id)
		var r struct {
			Data []string `json:"data"`
		}
		m.decode(t, &r)
		if m.Error != nil || r.Data == nil {
			t.Errorf("loaded/list %s: %s", id, m)
		}
	}
	// A line longer than any message ends in an error, not a crash.
	c.mu.Lock()
	c.methods["46"] = "thread/list"
	c.mu.Unlock()
	c.send(`{"id":46,"method":"thread/list","params":{"searchTerm":"` + strings.Repeat("x", 1<<16) + `"}}`)
	if m := c.answer("46"); m.Error != nil {
		t.Errorf("long line: %s", m)
	}

	// stdin EOF: exit 0.
	_ = c.in.Close()
	if err := <-c.exited; err != nil {
		t.Errorf("exit after EOF: %v", err)
	}
	c.exited <- nil
}

func TestLaunchFlags(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t, "-c", `model="from-flag"`, "--listen", "stdio://")
	m := c.call("config/read", map[string]any{"includeLayers": true})
	var r struct {
		Config  map[string]any `json:"config"`
		Origins map[string]struct {
			Name struct {
				Type string `json:"type"`
			} `json:"name"`
		} `json:"origins"`
	}
	m.decode(t, &r)
	if r.Config["model"] != "from-flag" || r.Origins["model"].Name.Type != "sessionFlags" || r.Origins["model_provider"].Name.Type != "user" {
		t.Errorf("config/read = %s", m)
	}
	// An unsupported transport is a usage error.
	bad := f.spawn(t, "--listen", "ws://127.0.0.1:1")
	_ = bad.in.Close()
	err := <-bad.exited
	bad.exited <- nil
	if err == nil || !strings.Contains(bad.stderr.String(), "only stdio://") {
		t.Errorf("--listen ws: err %v stderr %q", err, bad.stderr.String())
	}
}

// TestPipelinedRequests writes many requests at once without waiting:
// every one is answered, in order, each with its own id.
func TestPipelinedRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t)
	var b strings.Builder
	const n = 300
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf(`"p-%d"`, i)
		if i%2 == 1 {
			id = fmt.Sprintf("%d", 1000+i)
		}
		ids = append(ids, id)
		c.mu.Lock()
		c.methods[id] = "fs/getMetadata"
		c.mu.Unlock()
		fmt.Fprintf(&b, `{"id":%s,"method":"fs/getMetadata","params":{"path":%q}}`+"\n", id, f.work)
	}
	if _, err := io.WriteString(c.in, b.String()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		m := c.next()
		if string(m.ID) != ids[i] || m.Error != nil {
			t.Fatalf("answer %d = %s, want id %s", i, m, ids[i])
		}
	}
}

// TestModelFailureFailsTheTurn: a model error ends the turn failed with
// an error notification, and the thread goes on.
func TestModelFailureFailsTheTurn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, modelserver.Turn{Status: 400, Body: `{"error":{"message":"bad request from the test"}}`}, turnOf(modelserver.Message("fine now")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work})
	startTurn(t, c, th.Thread.ID, "fail please")
	done, seen := c.until("turn/completed")
	var tc turnNote
	done.decode(t, &tc)
	if tc.Turn.Status != "failed" || tc.Turn.Error == nil || !strings.Contains(methods(seen), "error") {
		t.Errorf("failed turn = %s (%s)", done, methods(seen))
	}
	startTurn(t, c, th.Thread.ID, "again")
	_, seen = c.until("turn/completed")
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != "fine now" {
		t.Errorf("next turn = %v", got)
	}
}
