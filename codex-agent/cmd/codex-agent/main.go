// Command codex-agent runs the Codex agent (exec, model-server).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	agent "github.com/codexgo/codex-agent"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := agent.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
