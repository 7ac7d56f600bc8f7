package mcpmanager_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
)

// How an agent session uses the manager: start the configured servers,
// offer their tools, route a model's function call, and stop everything.
func ExampleStart() {
	ctx := context.Background()
	servers := map[string]mcpconfig.Server{
		"everything": {Command: "mcp-server-everything"},
	}
	m := mcpmanager.Start(ctx, servers, mcpmanager.Options{
		Conn: mcpconn.Options{Getenv: os.Getenv, Stderr: os.Stderr},
		OnStartupFailure: func(server string, err error) {
			fmt.Fprintf(os.Stderr, "MCP client for `%s` failed to start: %v\n", server, err)
		},
	})
	defer func() { _ = m.Close() }()

	for _, t := range m.Tools() {
		fmt.Println(t.QualifiedName, t.Tool.Description)
	}

	// The model called mcp__everything__echo with these arguments.
	t, ok := m.Lookup("mcp__everything__echo")
	if !ok {
		return
	}
	start := time.Now()
	res, err := m.Call(ctx, t.Server, t.Name, json.RawMessage(`{"message":"hi"}`))
	if err != nil {
		fmt.Println("function_call_output:", err.Error())
		return
	}
	text, items := mcpmanager.ModelOutput(res, time.Since(start))
	fmt.Println(text, items, res.IsError)
}
