package agent

import (
	"encoding/json"
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
