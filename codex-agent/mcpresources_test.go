package agent

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/codexgo/common/protocol"
)

// TestMCPResourceTools lists and reads mcp-server-everything's resources
// through the resource tools: offered beside its tools, answered as JSON,
// and run without approvals even under untrusted (reading is not acting).
func TestMCPResourceTools(t *testing.T) {
	m := startEverything(t, nil)
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{
			modelserver.FunctionCall("c1", "list_mcp_resources", map[string]any{}),
			modelserver.FunctionCall("c2", "list_mcp_resource_templates", map[string]any{"server": "everything"}),
			modelserver.FunctionCall("c3", "read_mcp_resource", map[string]any{"server": "everything", "uri": "demo://resource/dynamic/text/7"}),
			modelserver.FunctionCall("c4", "list_mcp_resources", map[string]any{"server": "nosuch"}),
			modelserver.FunctionCall("c5", "read_mcp_resource", map[string]any{"server": "everything"}),
		}},
		{Items: []json.RawMessage{modelserver.Message("read")}},
	}, func(c *SessionConfig) {
		c.ApprovalPolicy = protocol.ApprovalUntrusted
		c.External = []ExternalTool{MCPTools{M: m}}
	})
	msgs := h.turn("what does the server offer?", func(protocol.Msg) protocol.Op {
		t.Error("a resource tool asked for approval")
		return nil
	})
	if got := types(msgs); !strings.HasSuffix(got, "task_complete") {
		t.Fatalf("events = %s", got)
	}
	in := h.requestInput(1)
	var list struct {
		Resources []struct {
			Server string `json:"server"`
			URI    string `json:"uri"`
			Name   string `json:"name"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(outputOf(t, in, "c1")), &list); err != nil || len(list.Resources) == 0 ||
		list.Resources[0].Server != "everything" || !strings.HasPrefix(list.Resources[0].URI, "demo://resource/") {
		t.Errorf("list_mcp_resources = %s (%v)", outputOf(t, in, "c1"), err)
	}
	if got := outputOf(t, in, "c2"); !strings.Contains(got, `"uriTemplate":"demo://resource/dynamic/text/{resourceId}"`) ||
		!strings.Contains(got, `"server":"everything"`) {
		t.Errorf("list_mcp_resource_templates = %s", got)
	}
	var read struct {
		Contents []struct {
			URI  string `json:"uri"`
			Text string `json:"text"`
		} `json:"contents"`
	}
	if err := json.Unmarshal([]byte(outputOf(t, in, "c3")), &read); err != nil || len(read.Contents) != 1 ||
		read.Contents[0].URI != "demo://resource/dynamic/text/7" || !strings.Contains(read.Contents[0].Text, "7") {
		t.Errorf("read_mcp_resource = %s (%v)", outputOf(t, in, "c3"), err)
	}
	for call, want := range map[string]string{
		"c4": "list_mcp_resources failed:",
		"c5": "server and uri are required",
	} {
		if got := outputOf(t, in, call); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", call, got, want)
		}
	}
	var body struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := h.srv.Requests()[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	offered := map[string]bool{}
	for _, tool := range body.Tools {
		offered[tool.Name] = true
	}
	for _, n := range []string{"list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource", "mcp__everything__echo"} {
		if !offered[n] {
			t.Errorf("%s not offered", n)
		}
	}
}

// TestListMcpTools answers list_mcp_tools with every MCP tool by its
// qualified name and the servers that failed to start.
func TestListMcpTools(t *testing.T) {
	bin := everything(t)
	m := mcpmanager.Start(context.Background(), map[string]mcpconfig.Server{
		"everything": {Command: bin, Args: []string{"stdio"}},
		"broken":     {Command: filepath.Join(t.TempDir(), "no-such-server")},
	}, mcpmanager.Options{Conn: mcpconn.Options{Getenv: os.Getenv}})
	t.Cleanup(func() { _ = m.Close() })
	h := newHarness(t, nil, func(c *SessionConfig) { c.External = []ExternalTool{MCPTools{M: m}} })
	if err := h.s.Submit(context.Background(), protocol.Submission{ID: "l1", Op: protocol.ListMcpToolsOp{}}); err != nil {
		t.Fatal(err)
	}
	ev := <-h.s.Events()
	resp, ok := ev.Msg.(protocol.McpListToolsResponseMsg)
	if !ok || ev.ID != "l1" {
		t.Fatalf("event = %#v, want mcp_list_tools_response", ev)
	}
	var echo struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(resp.Tools["mcp__everything__echo"], &echo); err != nil || echo.Name != "echo" {
		t.Errorf("tools = %v: no echo (%v)", len(resp.Tools), err)
	}
	if resp.Failures["broken"] == "" || len(resp.Failures) != 1 {
		t.Errorf("failures = %v, want broken's", resp.Failures)
	}
}
