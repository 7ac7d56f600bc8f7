package appserver_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// elicitCall is the model calling server-everything's tool that elicits
// a form from the user (a real MCP elicitation/create).
func elicitCall(id string) modelserver.Turn {
	return turnOf(modelserver.FunctionCall(id, "mcp__everything__trigger-elicitation-request", map[string]any{}))
}

type elicitParams struct {
	ThreadID        string          `json:"threadId"`
	TurnID          *string         `json:"turnId"`
	ServerName      string          `json:"serverName"`
	Mode            string          `json:"mode"`
	Message         string          `json:"message"`
	RequestedSchema json.RawMessage `json:"requestedSchema"`
}

// ownElicitation tells the server's own elicitation (a form with fields)
// from the tool-call approval (a form with none).
func ownElicitation(t *testing.T, m msg) (elicitParams, bool) {
	var p elicitParams
	m.decode(t, &p)
	var s struct {
		Properties map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(p.RequestedSchema, &s)
	return p, len(s.Properties) > 0
}

// TestMCPServerElicitation: an MCP server's elicitation during the
// model's tool call reaches the client as mcpServer/elicitation/request
// (the server's name, message and form, the thread and turn), and the
// client's answer goes back to the server: accept with content, decline,
// cancel — each followed by serverRequest/resolved — and the tool's
// result shows what the server got.
func TestMCPServerElicitation(t *testing.T) {
	t.Parallel()
	bin := everything(t)
	f := newFixture(t, elicitCall("e1"), elicitCall("e2"), elicitCall("e3"), turnOf(modelserver.Message("done")))
	c := f.start(t, "-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "on-request"})
	turn := startTurn(t, c, th.Thread.ID, "ask me three times")
	answers := []map[string]any{
		{"action": "accept", "content": map[string]any{"name": "Ada Lovelace", "check": true}},
		{"action": "decline"},
		{"action": "cancel"},
	}
	var seen []msg
	asked := 0
	pending := map[string]bool{}
	for {
		m := c.next()
		seen = append(seen, m)
		if m.Method == "serverRequest/resolved" {
			var r struct {
				RequestID json.RawMessage `json:"requestId"`
			}
			m.decode(t, &r)
			delete(pending, string(r.RequestID))
		}
		if m.Method == "turn/completed" {
			break
		}
		if m.Method != "mcpServer/elicitation/request" {
			continue
		}
		pending[string(m.ID)] = true
		p, own := ownElicitation(t, m)
		if !own {
			c.reply(m, map[string]any{"action": "accept"}) // the tool call's approval
			continue
		}
		if p.ServerName != "everything" || p.ThreadID != th.Thread.ID || p.TurnID == nil || *p.TurnID != turn ||
			p.Mode != "form" || !strings.Contains(p.Message, "Please provide") {
			t.Errorf("elicitation = %s", m)
		}
		if asked < len(answers) {
			c.reply(m, answers[asked])
		}
		asked++
	}
	if asked != 3 {
		t.Fatalf("the server elicited %d times, want 3: %s", asked, methods(seen))
	}
	if len(pending) != 0 {
		t.Errorf("requests never resolved: %v", pending)
	}
	calls := completedItems(t, seen, "mcpToolCall")
	if len(calls) != 3 {
		t.Fatalf("mcpToolCall items = %v", calls)
	}
	for i, want := range []string{"Name: Ada Lovelace", "declined", "cancelled"} {
		if res := string(mustJSON(t, calls[i]["result"])); calls[i]["status"] != "completed" || !strings.Contains(res, want) {
			t.Errorf("call %d: %s %s, want %q", i, calls[i]["status"], res, want)
		}
	}
}

// TestMCPServerElicitationPolicy: what the approval policy does with an
// MCP server's elicitation (approval.Elicitation, as the Codex CLI 0.169):
// never declines it without asking the client; a granular policy asks
// it only when mcp_elicitations is true. The tool that elicits is
// annotated neither read-only, destructive nor open-world, so its call
// needs no approval under any policy, and a read-only one runs too.
func TestMCPServerElicitationPolicy(t *testing.T) {
	t.Parallel()
	bin := everything(t)
	granular := func(mcp bool) map[string]any {
		return map[string]any{"granular": map[string]any{"sandbox_approval": true, "rules": true, "mcp_elicitations": mcp}}
	}
	for _, tc := range []struct {
		name   string
		policy any
		// asked is how many requests reach the client; result what the
		// tool call's item shows.
		asked  int
		status string
		result string
	}{
		{"never", "never", 0, "completed", "declined"},
		{"granular-mcp", granular(true), 1, "completed", "Name: Grace"},
		{"granular-no-mcp", granular(false), 0, "completed", "declined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, elicitCall("e1"),
				turnOf(modelserver.FunctionCall("r1", "mcp__everything__get-sum", map[string]any{"a": 1, "b": 2})),
				turnOf(modelserver.Message("done")))
			c := f.start(t, "-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`)
			th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": tc.policy})
			startTurn(t, c, th.Thread.ID, "elicit")
			var seen []msg
			asked := 0
			for {
				m := c.next()
				seen = append(seen, m)
				if m.Method == "turn/completed" {
					break
				}
				if m.Method == "mcpServer/elicitation/request" {
					asked++
					c.reply(m, map[string]any{"action": "accept", "content": map[string]any{"name": "Grace"}})
				}
			}
			if asked != tc.asked {
				t.Errorf("%d requests reached the client, want %d: %s", asked, tc.asked, methods(seen))
			}
			calls := completedItems(t, seen, "mcpToolCall")
			if len(calls) != 2 {
				t.Fatalf("mcpToolCall items = %v", calls)
			}
			got := string(mustJSON(t, calls[0]))
			if calls[0]["status"] != tc.status || !strings.Contains(got, tc.result) {
				t.Errorf("elicitation call: %s, want %s with %q", got, tc.status, tc.result)
			}
			if calls[1]["status"] != "completed" {
				t.Errorf("read-only get-sum: %v", calls[1])
			}
		})
	}
}

// TestMCPServerElicitationInterrupt: interrupting the turn while the
// server's elicitation waits on the client withdraws it
// (serverRequest/resolved), ends the turn interrupted, and a late answer
// changes nothing; the server is told cancel and the thread goes on.
func TestMCPServerElicitationInterrupt(t *testing.T) {
	t.Parallel()
	bin := everything(t)
	f := newFixture(t, elicitCall("e1"),
		turnOf(modelserver.FunctionCall("m2", "mcp__everything__echo", map[string]any{"message": "still here"})),
		turnOf(modelserver.Message("done")))
	c := f.start(t, "-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "on-request"})
	turn := startTurn(t, c, th.Thread.ID, "elicit")
	var req msg
	for {
		m, _ := c.until("mcpServer/elicitation/request")
		if _, own := ownElicitation(t, m); own {
			req = m
			break
		}
		c.reply(m, map[string]any{"action": "accept"})
	}
	c.call("turn/interrupt", map[string]any{"threadId": th.Thread.ID, "turnId": turn})
	var seen []msg
	resolved := false
	var status string
	for {
		m := c.next()
		seen = append(seen, m)
		if m.Method == "serverRequest/resolved" && strings.Contains(string(m.Params), `"requestId":`+string(req.ID)) {
			resolved = true
		}
		if m.Method == "turn/completed" {
			var p struct {
				Turn struct{ Status string } `json:"turn"`
			}
			m.decode(t, &p)
			status = p.Turn.Status
			break
		}
	}
	c.reply(req, map[string]any{"action": "accept", "content": map[string]any{"name": "too late"}})
	startTurn(t, c, th.Thread.ID, "echo")
	_, more := c.until("turn/completed")
	for _, m := range more {
		if m.Method == "serverRequest/resolved" && strings.Contains(string(m.Params), `"requestId":`+string(req.ID)) {
			resolved = true // it may follow turn/completed
		}
	}
	if !resolved || status != "interrupted" {
		t.Errorf("resolved %v, status %q: %s", resolved, status, methods(append(seen, more...)))
	}
	calls := completedItems(t, more, "mcpToolCall")
	if len(calls) != 1 || !strings.Contains(string(mustJSON(t, calls[0]["result"])), "Echo: still here") {
		t.Errorf("after the interrupt: %v", calls)
	}
}

// TestMCPServerURLElicitation: a URL-mode elicitation (server-everything's
// trigger-url-elicitation) reaches the client with its url and
// elicitationId and no form; the client's accept goes back to the server.
func TestMCPServerURLElicitation(t *testing.T) {
	t.Parallel()
	bin := everything(t)
	f := newFixture(t,
		turnOf(modelserver.FunctionCall("u1", "mcp__everything__trigger-url-elicitation",
			map[string]any{"url": "https://example.com/authorize", "elicitationId": "el-42"})),
		turnOf(modelserver.Message("done")))
	c := f.start(t, "-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "on-request"})
	startTurn(t, c, th.Thread.ID, "authorize")
	var seen []msg
	urls := 0
	for {
		m := c.next()
		seen = append(seen, m)
		if m.Method == "turn/completed" {
			break
		}
		if m.Method != "mcpServer/elicitation/request" {
			continue
		}
		var p struct {
			Mode, URL, ElicitationID, ServerName string
			RequestedSchema                      json.RawMessage
		}
		m.decode(t, &p)
		if p.Mode == "url" {
			urls++
			if p.URL != "https://example.com/authorize" || p.ElicitationID != "el-42" || p.ServerName != "everything" || p.RequestedSchema != nil {
				t.Errorf("url elicitation = %s", m)
			}
		}
		c.reply(m, map[string]any{"action": "accept"})
	}
	calls := completedItems(t, seen, "mcpToolCall")
	if urls != 1 || len(calls) != 1 || !strings.Contains(string(mustJSON(t, calls[0]["result"])), "User completed the URL elicitation flow") {
		t.Errorf("%d url elicitations; calls %v", urls, calls)
	}
}

// TestMCPToolCallElicitation: the client's own mcpServer/tool/call runs
// on the thread's MCP servers, so an elicitation during it reaches the
// client as that thread's (turnId null: no turn runs) under the thread's
// approval policy: asked under on-request (the content reaches the
// server), declined without asking under never.
func TestMCPToolCallElicitation(t *testing.T) {
	t.Parallel()
	bin := everything(t)
	f := newFixture(t)
	c := f.start(t, "-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`)
	asking := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "on-request"})
	never := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never"})
	call := func(thread string) (string, []msg) {
		id := c.request("mcpServer/tool/call", map[string]any{"threadId": thread, "server": "everything",
			"tool": "trigger-elicitation-request", "arguments": map[string]any{}})
		var seen []msg
		for {
			m := c.next()
			seen = append(seen, m)
			if m.Method == "mcpServer/elicitation/request" {
				c.reply(m, map[string]any{"action": "accept", "content": map[string]any{"name": "Hedy"}})
			}
			if m.Method == "" && string(m.ID) == id {
				if m.Error != nil {
					t.Fatalf("tool/call: %s", m)
				}
				return string(m.Result), seen
			}
		}
	}
	res, seen := call(asking.Thread.ID)
	var reqs []elicitParams
	for _, m := range seen {
		if m.Method == "mcpServer/elicitation/request" {
			p, _ := ownElicitation(t, m)
			reqs = append(reqs, p)
		}
	}
	if len(reqs) != 1 || reqs[0].ThreadID != asking.Thread.ID || reqs[0].TurnID != nil || reqs[0].ServerName != "everything" {
		t.Errorf("elicitations = %+v", reqs)
	}
	if !strings.Contains(res, "Name: Hedy") {
		t.Errorf("on-request thread: %s", res)
	}
	more := c.drain()
	if !strings.Contains(methods(append(seen, more...)), "serverRequest/resolved") {
		t.Errorf("no serverRequest/resolved: %s", methods(append(seen, more...)))
	}
	res, seen = call(never.Thread.ID)
	if strings.Contains(methods(seen), "mcpServer/elicitation/request") || !strings.Contains(res, "declined") {
		t.Errorf("never thread: %s (%s)", res, methods(seen))
	}
}
