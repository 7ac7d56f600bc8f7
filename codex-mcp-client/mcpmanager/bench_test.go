package mcpmanager

import (
	"context"
	"os"
	"testing"

	"github.com/codexgo/codex-mcp-client/internal/servertest"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
)

// BenchmarkCallEcho measures one routed tools/call round trip to a live
// mcp-server-everything over stdio.
func BenchmarkCallEcho(b *testing.B) {
	m := Start(context.Background(), map[string]mcpconfig.Server{"ev": {Command: servertest.Everything(b)}},
		Options{Conn: mcpconn.Options{Getenv: os.Getenv}})
	defer func() { _ = m.Close() }()
	if f := m.Failures(); len(f) > 0 {
		b.Fatal(f[0].Err)
	}
	args := map[string]any{"message": "hi"}
	for b.Loop() {
		if _, err := m.Call(context.Background(), "ev", "echo", args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQualifyName(b *testing.B) {
	for b.Loop() {
		_ = QualifyName("everything", "trigger-long-running-operation")
	}
}
