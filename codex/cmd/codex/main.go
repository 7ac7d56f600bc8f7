// Command codex is every codex tool in one file; see package codex.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/codexgo/codex"
	sandbox "github.com/codexgo/codex-sandbox"
)

func main() {
	// Re-executed as codex-linux-sandbox or codex-sandbox: handled before
	// any signal set-up, which the sandbox helper must not pay for.
	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := codex.Default().Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
