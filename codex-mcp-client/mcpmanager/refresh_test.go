package mcpmanager

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestRefreshOnListChanged: a server whose tool list grows announces it;
// Refresh picks the new tool up. The server is a go-sdk one made here,
// because no published server adds tools on demand.
func TestRefreshOnListChanged(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "dyn", Version: "1"}, nil)
	srv.AddTool(&mcp.Tool{Name: "grow", InputSchema: map[string]any{"type": "object"}},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			srv.AddTool(&mcp.Tool{Name: "new-tool", InputSchema: map[string]any{"type": "object"}},
				func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "new"}}}, nil
				})
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "grown"}}}, nil
		})
	ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	defer ts.Close()

	changed := make(chan string, 4)
	m := Start(context.Background(), map[string]mcpconfig.Server{"dyn": {URL: ts.URL}}, Options{
		Conn:           mcpconn.Options{Getenv: os.Getenv},
		OnToolsChanged: func(name string) { changed <- name },
	})
	defer func() { _ = m.Close() }()
	if f := m.Failures(); len(f) > 0 {
		t.Fatal(f[0].Err)
	}
	if _, ok := m.Lookup("mcp__dyn__new-tool"); ok {
		t.Fatal("new-tool offered before it exists")
	}
	ctx := context.Background()
	if _, err := m.Call(ctx, "dyn", "grow", nil); err != nil {
		t.Fatal(err)
	}
	if got := <-changed; got != "dyn" {
		t.Fatalf("change reported for %q", got)
	}
	ok, err := m.Refresh(ctx)
	if err != nil || !ok {
		t.Fatalf("Refresh: %v %v", ok, err)
	}
	if _, ok := m.Lookup("mcp__dyn__new-tool"); !ok {
		t.Error("new-tool not offered after Refresh")
	}
	if ok, _ := m.Refresh(ctx); ok {
		t.Error("second Refresh re-read an unchanged list")
	}
}
