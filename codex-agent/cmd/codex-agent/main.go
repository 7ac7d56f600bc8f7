// Command codex-agent runs the Codex agent (exec, model-server).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	agent "github.com/codexgo/codex-agent"
	sandbox "github.com/codexgo/codex-sandbox"
)

func main() {
	// Commands run under the sandbox by re-executing this binary as
	// codex-sandbox / codex-linux-sandbox: those come first.
	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := agent.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
