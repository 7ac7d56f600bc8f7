// Command codex-mcp-client talks to any MCP server; see package mcpclient.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	mcpclient "github.com/codexgo/codex-mcp-client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := mcpclient.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
