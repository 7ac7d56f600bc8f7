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

// TestHTTPServerRestart: an HTTP server that goes away fails the call
// clearly; once it is back, the next call reconnects with a new session.
func TestHTTPServerRestart(t *testing.T) {
	port := servertest.FreePort(t)
	url, stop := servertest.EverythingHTTPOnPort(t, port)
	m := Start(context.Background(), map[string]mcpconfig.Server{"web": {URL: url, ToolTimeoutSec: f64(5)}},
		Options{Conn: mcpconn.Options{Getenv: os.Getenv}})
	defer func() { _ = m.Close() }()
	if f := m.Failures(); len(f) > 0 {
		t.Fatal(f[0].Err)
	}
	ctx := context.Background()
	if _, err := m.Call(ctx, "web", "echo", map[string]any{"message": "1"}); err != nil {
		t.Fatal(err)
	}
	stop()
	if _, err := m.Call(ctx, "web", "echo", map[string]any{"message": "2"}); err == nil {
		t.Fatal("call to a stopped HTTP server succeeded")
	} else if !strings.Contains(err.Error(), "re-established on the next call") || !transportFailure(err.Error()) {
		t.Errorf("unclear error: %v", err)
	}
	servertest.EverythingHTTPOnPort(t, port)
	res, err := m.Call(ctx, "web", "echo", map[string]any{"message": "3"})
	if err != nil {
		t.Fatalf("no reconnect after the server came back: %v", err)
	}
	if tc := res.Content[0].(*mcp.TextContent); tc.Text != "Echo: 3" {
		t.Errorf("got %q", tc.Text)
	}
}

// transportFailure reports an error of a connection to a server that has
// gone: which one depends on timing (a new connection is refused; a
// pooled one the dying server held reads EOF or is reset), and each is a
// correct report.
func transportFailure(msg string) bool {
	for _, s := range []string{"connection refused", "EOF", "connection reset", "broken pipe"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
