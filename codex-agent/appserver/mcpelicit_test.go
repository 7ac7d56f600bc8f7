package appserver_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// confirmServer is a small MCP server on the npm MCP SDK whose tools ask
// the client (elicitation/create) and answer with the ElicitResult they
// got, as JSON.
func confirmServer(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "codex-mcp-client", "testdata", "npm", "confirm-server.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	everything(t) // the SDK it imports is installed with it
	return p
}

// TestElicitationWaitDoesNotCountAgainstToolTimeout: while the client
// answers an MCP server's elicitation, the tool call's tool_timeout_sec
// stands still, as in the Codex CLI 0.169. The client holds the
// elicitation of a call to "confirm" until a call to "other" (same
// tool_timeout_sec, started later, not eliciting) has timed out: by
// then the first call's time would have run out too had it counted.
// The accept goes to the server as the Codex CLI sends it, with empty
// content ({"action":"accept","content":{}}), though the client's
// answer had none.
func TestElicitationWaitDoesNotCountAgainstToolTimeout(t *testing.T) {
	t.Parallel()
	script := confirmServer(t)
	f := newFixture(t)
	srv := func(name string) string {
		return fmt.Sprintf(`mcp_servers.%s={command="node",args=[%q],tool_timeout_sec=3}`, name, script)
	}
	c := f.start(t, "-c", srv("confirm"), "-c", srv("other"))
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "on-request"})
	first := c.request("mcpServer/tool/call", map[string]any{"threadId": th.Thread.ID, "server": "confirm",
		"tool": "timed", "arguments": map[string]any{"before": 0, "after": 0}})
	var held msg
	for held.Method == "" {
		m := c.next()
		if m.Method == "" && string(m.ID) == first {
			t.Fatalf("the call ended before its elicitation: %s", m)
		}
		if m.Method == "mcpServer/elicitation/request" {
			held = m
		}
	}
	second := c.request("mcpServer/tool/call", map[string]any{"threadId": th.Thread.ID, "server": "other",
		"tool": "slow", "arguments": map[string]any{"secs": 600}})
	for {
		m := c.next()
		if m.Method == "" && string(m.ID) == first {
			t.Fatalf("the held call ended while its elicitation waited: %s", m)
		}
		if m.Method == "" && string(m.ID) == second {
			if !strings.Contains(m.raw, "timed out") {
				t.Fatalf("the slow call did not time out: %s", m)
			}
			break
		}
	}
	c.reply(held, map[string]any{"action": "accept"})
	var result json.RawMessage
	for result == nil {
		m := c.next()
		if m.Method == "" && string(m.ID) == first {
			if m.Error != nil {
				t.Fatalf("the held call failed after the answer: %s", m)
			}
			result = m.Result
		}
	}
	if !strings.Contains(string(result), `got {\"action\":\"accept\",\"content\":{}}`) {
		t.Errorf("the server got %s, want the accept with empty content", result)
	}
}

// TestServerWideMCPElicitation: a server-wide MCP server (added to
// config.toml after the threads started, so no thread has it) declares
// elicitations, and its elicitation during a client's
// mcpServer/tool/call reaches the client as the calling thread's
// (turnId null), under that thread's approval policy: asked under
// on-request, declined without asking under never.
func TestServerWideMCPElicitation(t *testing.T) {
	t.Parallel()
	script := confirmServer(t)
	f := newFixture(t)
	c := f.start(t)
	asking := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "on-request"})
	never := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never"})
	cfg, err := os.OpenFile(filepath.Join(f.home, "config.toml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(cfg, "\n[mcp_servers.confirm]\ncommand = \"node\"\nargs = [%q]\n", script); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Close(); err != nil {
		t.Fatal(err)
	}
	c.call("config/mcpServer/reload", nil)
	call := func(thread string) (json.RawMessage, []elicitParams) {
		id := c.request("mcpServer/tool/call", map[string]any{"threadId": thread, "server": "confirm", "tool": "confirm"})
		var asked []elicitParams
		for {
			m := c.next()
			if m.Method == "mcpServer/elicitation/request" {
				var p elicitParams
				m.decode(t, &p)
				asked = append(asked, p)
				c.reply(m, map[string]any{"action": "accept"})
			}
			if m.Method == "" && string(m.ID) == id {
				if m.Error != nil {
					t.Fatalf("tool/call: %s", m)
				}
				return m.Result, asked
			}
		}
	}
	res, asked := call(asking.Thread.ID)
	if len(asked) != 1 || asked[0].ThreadID != asking.Thread.ID || asked[0].TurnID != nil || asked[0].ServerName != "confirm" || asked[0].Message != "Proceed?" {
		t.Errorf("elicitations = %+v", asked)
	}
	if !strings.Contains(string(res), `got {\"action\":\"accept\",\"content\":{}}`) {
		t.Errorf("on-request thread: the server got %s", res)
	}
	res, asked = call(never.Thread.ID)
	if len(asked) != 0 || !strings.Contains(string(res), `got {\"action\":\"decline\"}`) {
		t.Errorf("never thread: asked %+v, the server got %s", asked, res)
	}
}
