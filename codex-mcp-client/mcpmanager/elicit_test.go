package mcpmanager

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/codexgo/codex-mcp-client/internal/servertest"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestOnElicit: with OnElicit the client declares elicitation, so
// server-everything offers its elicitation tool; the server's
// elicitation/create reaches OnElicit with the server's config name and
// the answer (accepted content) reaches the tool. Without OnElicit the
// capability is not declared and the tool is not offered.
func TestOnElicit(t *testing.T) {
	ev := servertest.Everything(t)
	servers := map[string]mcpconfig.Server{"ev": {Command: ev}}
	plain := Start(context.Background(), servers, Options{Conn: mcpconn.Options{Getenv: os.Getenv}})
	if _, ok := plain.Lookup("mcp__ev__trigger-elicitation-request"); ok {
		t.Error("elicitation tool offered to a client without the capability")
	}
	if _, ok := plain.Lookup("mcp__ev__get-roots-list"); !ok {
		t.Error("roots not declared by default")
	}
	_ = plain.Close()

	type asked struct {
		server string
		params *mcp.ElicitParams
	}
	got := make(chan asked, 1)
	m := Start(context.Background(), servers, Options{
		Conn: mcpconn.Options{Getenv: os.Getenv},
		OnElicit: func(_ context.Context, server string, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			got <- asked{server, req.Params}
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Ada Lovelace", "check": true}}, nil
		},
	})
	defer func() { _ = m.Close() }()
	for _, tool := range []string{"trigger-elicitation-request", "trigger-url-elicitation", "get-roots-list"} {
		if _, ok := m.Lookup("mcp__ev__" + tool); !ok {
			t.Fatalf("%s not offered: the form and URL modes (and roots) are declared", tool)
		}
	}
	res, err := m.Call(context.Background(), "ev", "trigger-elicitation-request", nil)
	if err != nil {
		t.Fatal(err)
	}
	a := <-got
	if a.server != "ev" || !strings.Contains(a.params.Message, "Please provide") || a.params.RequestedSchema == nil {
		t.Errorf("OnElicit got %q %+v", a.server, a.params)
	}
	text := ""
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text += tc.Text
		}
	}
	if !strings.Contains(text, "Name: Ada Lovelace") || !strings.Contains(text, "Agreed to terms: true") {
		t.Errorf("tool result = %q", text)
	}
}
