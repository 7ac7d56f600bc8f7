package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
)

// everything is the reference MCP test server from npm, installed by CI's
// npm ci in codex-mcp-client/testdata/npm.
func everything(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "codex-mcp-client", "testdata", "npm", "node_modules", ".bin", "mcp-server-everything"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("mcp-server-everything is not installed: run `npm ci` in codex-mcp-client/testdata/npm (%v)", err)
	}
	return p
}

// TestExecCallsMCPTool runs exec with a real MCP server configured: the
// model sees its tools, calls echo, the result comes back to the model
// and the run shows an mcp_tool_call item; a server that cannot start is
// reported once and the run goes on.
func TestExecCallsMCPTool(t *testing.T) {
	bin := everything(t)
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "mcp__everything__echo", map[string]any{"message": "hi from mock"})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("echoed")}})
	r := fx.run(append(fx.providerArgs(), "--json",
		"-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`,
		"-c", `mcp_servers.broken={command="/nonexistent/mcp-server"}`, "echo please")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		`{"type":"item.started","item":{"id":"item_1","type":"mcp_tool_call","server":"everything","tool":"echo","arguments":{"message":"hi from mock"},"result":null,"error":null,"status":"in_progress"}}`,
		`{"type":"item.completed","item":{"id":"item_1","type":"mcp_tool_call","server":"everything","tool":"echo","arguments":{"message":"hi from mock"},"result":{"content":[{"type":"text","text":"Echo: hi from mock"}],"structured_content":null},"error":null,"status":"completed"}}`,
		"MCP server `broken` failed to start",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %s:\n%s", want, r.stdout)
		}
	}
	// The servers' stderr stays out of exec's output (even --json) and
	// goes to the log; the server that failed is still reported above.
	for _, leak := range []string{"[everything]", "Starting default"} {
		if strings.Contains(r.stdout, leak) || strings.Contains(r.stderr, leak) {
			t.Errorf("MCP server stderr leaked into exec output (%q):\nstdout: %s\nstderr: %s", leak, r.stdout, r.stderr)
		}
	}
	logged, err := os.ReadFile(filepath.Join(fx.home, "log", "mcp-servers.log"))
	if err != nil || !strings.Contains(string(logged), "[everything] ") {
		t.Errorf("mcp-servers.log lacks the server's stderr (%v):\n%s", err, logged)
	}
	reqs := fx.srv.Requests()
	var body struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
		Input []model.Item `json:"input"`
	}
	if err := reqs[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, tl := range body.Tools {
		names = append(names, tl.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "mcp__everything__echo") {
		t.Errorf("tools offered: %v", names)
	}
	if err := reqs[1].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if out := outputOf(t, body.Input, "c1"); !strings.Contains(out, "Output:") || !strings.Contains(out, "Echo: hi from mock") {
		t.Errorf("output to the model = %q", out)
	}
}

// TestExecMCPToolFailures: a tool that reports isError is a failed
// mcp_tool_call with its result and no error; a call that does not
// complete (here: tool_timeout_sec) is failed with an error and no
// result, as the Codex CLI's JSONL has them; the human output says so too.
func TestExecMCPToolFailures(t *testing.T) {
	bin := everything(t)
	turns := []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "mcp__everything__get-sum", map[string]any{"a": "x"})}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c2", "mcp__everything__trigger-long-running-operation", map[string]any{"duration": 30, "steps": 2})}},
		{Items: []json.RawMessage{modelserver.Message("done")}},
	}
	server := `mcp_servers.everything={command="` + bin + `",args=["stdio"],tool_timeout_sec=1}`
	fx := newExecFixture(t, turns...)
	r := fx.run(append(fx.providerArgs(), "--json", "-c", server, "add")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var items []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var ev struct {
			Type string         `json:"type"`
			Item map[string]any `json:"item"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if ev.Type == "item.completed" && ev.Item["type"] == "mcp_tool_call" {
			items = append(items, ev.Item)
		}
	}
	if len(items) != 2 {
		t.Fatalf("mcp_tool_call items = %v\n%s", items, r.stdout)
	}
	sum, slow := items[0], items[1]
	res, _ := sum["result"].(map[string]any)
	if sum["tool"] != "get-sum" || sum["status"] != "failed" || sum["error"] != nil || res == nil ||
		!strings.Contains(fmt.Sprint(res["content"]), "Invalid arguments for tool get-sum") {
		t.Errorf("isError item = %v", sum)
	}
	errObj, _ := slow["error"].(map[string]any)
	if slow["tool"] != "trigger-long-running-operation" || slow["status"] != "failed" || slow["result"] != nil || errObj == nil ||
		!strings.Contains(fmt.Sprint(errObj["message"]), "timed out after 1s") {
		t.Errorf("timed-out item = %v", slow)
	}

	fx = newExecFixture(t, turns...)
	r = fx.run(append(fx.providerArgs(), "-c", server, "add")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		`tool everything.get-sum({"a":"x"})`,
		`everything.get-sum({"a":"x"}) failed in`,
		`everything.trigger-long-running-operation({"duration":30,"steps":2}) failed in`,
		"timed out after 1s",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("human output lacks %q:\n%s", want, r.stderr)
		}
	}
}
