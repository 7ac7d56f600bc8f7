package appserver_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/codex-login/mcpauth"
	"github.com/codexgo/codex-login/mcpauth/mcpauthtest"
)

func everything(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "codex-mcp-client", "testdata", "npm", "node_modules", ".bin", "mcp-server-everything"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("mcp-server-everything is not installed: run `npm ci` in codex-mcp-client/testdata/npm (%v)", err)
	}
	return p
}

// TestMCPServers lists config.toml's MCP servers with their tools, calls
// a tool for the client, reloads, and sees the model's MCP call as an
// mcpToolCall item.
func TestMCPServers(t *testing.T) {
	t.Parallel()
	bin := everything(t)
	f := newFixture(t,
		turnOf(modelserver.FunctionCall("m1", "mcp__everything__echo", map[string]any{"message": "from the model"})),
		turnOf(modelserver.Message("echoed")),
	)
	c := f.start(t, "-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`, "-c", `mcp_servers.broken={command="/nonexistent/mcp-server"}`)
	var st struct {
		Data []struct {
			Name          string                    `json:"name"`
			Tools         map[string]map[string]any `json:"tools"`
			RuntimeStatus string                    `json:"runtimeStatus"`
			ToolsError    *string                   `json:"toolsError"`
			Resources     []map[string]any          `json:"resources"`
		} `json:"data"`
	}
	c.call("mcpServerStatus/list", map[string]any{}).decode(t, &st)
	byName := map[string]int{}
	for i, s := range st.Data {
		byName[s.Name] = i
	}
	ev, ok := byName["everything"]
	if !ok || st.Data[ev].Tools["echo"] == nil || st.Data[ev].RuntimeStatus != "connected" || len(st.Data[ev].Resources) == 0 {
		t.Fatalf("status list = %+v", st)
	}
	if br, ok := byName["broken"]; !ok || st.Data[br].RuntimeStatus != "failed" || st.Data[br].ToolsError == nil {
		t.Errorf("broken server = %+v", st)
	}
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never"})
	var res struct {
		Content []map[string]any `json:"content"`
		IsError bool             `json:"isError"`
	}
	c.call("mcpServer/tool/call", map[string]any{"threadId": th.Thread.ID, "server": "everything", "tool": "echo",
		"arguments": map[string]any{"message": "hi"}}).decode(t, &res)
	if len(res.Content) != 1 || res.Content[0]["text"] != "Echo: hi" || res.IsError {
		t.Errorf("tool/call = %+v", res)
	}
	if m := c.callErr("mcpServer/tool/call", map[string]any{"threadId": "no-such-thread", "server": "everything", "tool": "echo"}); m.Error == nil {
		t.Errorf("tool call without a loaded thread: %s", m)
	}
	c.call("config/mcpServer/reload", nil)
	c.call("mcpServerStatus/list", map[string]any{"serverName": "everything", "detail": "toolsAndAuthOnly"}).decode(t, &st)
	if len(st.Data) != 1 || st.Data[0].Tools["echo"] == nil {
		t.Errorf("after reload = %+v", st)
	}

	startTurn(t, c, th.Thread.ID, "echo something")
	_, seen := c.until("turn/completed")
	calls := completedItems(t, seen, "mcpToolCall")
	if len(calls) != 1 || calls[0]["status"] != "completed" || !strings.Contains(string(mustJSON(t, calls[0]["result"])), "Echo: from the model") {
		t.Errorf("mcpToolCall items = %v", calls)
	}
}

// TestMCPToolApproval: under untrusted an MCP tool call that needs
// approval (server-everything's gzip-file-as-resource, annotated
// open-world) is asked with mcpServer/elicitation/request; a decline
// refuses it, an accept runs it.
func TestMCPToolApproval(t *testing.T) {
	t.Parallel()
	bin := everything(t)
	f := newFixture(t,
		turnOf(modelserver.FunctionCall("m1", "mcp__everything__gzip-file-as-resource", map[string]any{"name": "first.gz", "data": "data:text/plain;base64,aGk="})),
		turnOf(modelserver.FunctionCall("m2", "mcp__everything__gzip-file-as-resource", map[string]any{"name": "second.gz", "data": "data:text/plain;base64,aGk="})),
		turnOf(modelserver.Message("done")),
	)
	c := f.start(t, "-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "untrusted"})
	startTurn(t, c, th.Thread.ID, "echo twice")
	req, _ := c.until("mcpServer/elicitation/request")
	var p struct {
		ServerName, ThreadID, Message, Mode string
	}
	req.decode(t, &p)
	if p.ServerName != "everything" || p.ThreadID != th.Thread.ID || p.Mode != "form" || !strings.Contains(p.Message, "gzip-file-as-resource") {
		t.Errorf("elicitation = %s", req)
	}
	c.reply(req, map[string]any{"action": "decline"})
	req, seen := c.until("mcpServer/elicitation/request")
	c.reply(req, map[string]any{"action": "accept"})
	_, more := c.until("turn/completed")
	seen = append(seen, more...)
	calls := completedItems(t, seen, "mcpToolCall")
	if len(calls) != 2 || calls[0]["status"] != "failed" || calls[1]["status"] != "completed" ||
		!strings.Contains(string(mustJSON(t, calls[1]["result"])), "second.gz") {
		t.Errorf("mcpToolCall items = %v", calls)
	}
	for _, m := range seen {
		if m.Method == "item/started" && strings.Contains(string(m.Params), `"commandExecution"`) {
			t.Errorf("an MCP call shown as a command: %s", m)
		}
	}
}

// TestMCPServerOAuthStatus: mcpServerStatus/list reports a streamable
// HTTP server behind OAuth (the TypeScript SDK's) as notLoggedIn, with the
// login hint as its error, and as oAuth, connected, once `codex mcp
// login` has stored a token in CODEX_HOME.
func TestMCPServerOAuthStatus(t *testing.T) {
	t.Parallel()
	s := mcpauthtest.Start(t)
	f := newFixture(t)
	c := f.start(t, "-c", `mcp_servers.demo={url="`+s.URL+`"}`)
	type status struct {
		Data []struct {
			Name          string                    `json:"name"`
			Tools         map[string]map[string]any `json:"tools"`
			AuthStatus    string                    `json:"authStatus"`
			RuntimeStatus string                    `json:"runtimeStatus"`
			ToolsError    *string                   `json:"toolsError"`
		} `json:"data"`
	}
	var st status
	c.call("mcpServerStatus/list", map[string]any{}).decode(t, &st)
	if len(st.Data) != 1 || st.Data[0].AuthStatus != "notLoggedIn" || st.Data[0].RuntimeStatus != "failed" ||
		st.Data[0].ToolsError == nil || !strings.Contains(*st.Data[0].ToolsError, "codex mcp login demo") {
		t.Fatalf("before login: %+v", st)
	}

	done := make(chan struct{})
	err := mcpauth.Login(context.Background(), mcpauth.Server{Name: "demo", URL: s.URL}, mcpauth.LoginOptions{
		Store: mcpauth.Store{Home: f.home},
		OnURL: func(u string) {
			go func() {
				defer close(done)
				if resp, err := http.Get(u); err == nil {
					_ = resp.Body.Close()
				}
			}()
		},
	})
	<-done
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	c.call("config/mcpServer/reload", nil)
	st = status{}
	c.call("mcpServerStatus/list", map[string]any{}).decode(t, &st)
	if len(st.Data) != 1 || st.Data[0].AuthStatus != "oAuth" || st.Data[0].RuntimeStatus != "connected" || st.Data[0].Tools["whoami"] == nil {
		t.Errorf("after login: %+v", st)
	}
}

// TestMCPToolProgress: the progress notifications an MCP server sends
// about the model's tool call (the call id is its progress token) reach
// the client as item/mcpToolCall/progress, between the item's start and
// its completion.
func TestMCPToolProgress(t *testing.T) {
	t.Parallel()
	bin := everything(t)
	f := newFixture(t,
		turnOf(modelserver.FunctionCall("m1", "mcp__everything__trigger-long-running-operation", map[string]any{"duration": 1, "steps": 2})),
		turnOf(modelserver.Message("done")),
	)
	c := f.start(t, "-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never"})
	startTurn(t, c, th.Thread.ID, "run the long operation")
	_, seen := c.until("turn/completed")
	var got []string
	state := "before"
	for _, m := range seen {
		switch {
		case m.Method == "item/started" && strings.Contains(string(m.Params), `"id":"m1"`):
			state = "running"
		case m.Method == "item/completed" && strings.Contains(string(m.Params), `"id":"m1"`):
			state = "after"
		case m.Method == "item/mcpToolCall/progress":
			var p struct{ ItemID, Message string }
			m.decode(t, &p)
			got = append(got, state+" "+p.ItemID+" "+p.Message)
		}
	}
	// The last step's notification races the result (the MCP client
	// hands notifications to a goroutine and results straight to the
	// caller); one that loses is dropped rather than sent after the
	// item's completion.
	if len(got) == 0 || got[0] != "running m1 1/2" || len(got) > 2 || len(got) == 2 && got[1] != "running m1 2/2" {
		t.Errorf("progress = %q, want the steps while the call runs (%s)", got, methods(seen))
	}
	if calls := completedItems(t, seen, "mcpToolCall"); len(calls) != 1 || calls[0]["status"] != "completed" {
		t.Errorf("mcpToolCall items = %v", calls)
	}
}
