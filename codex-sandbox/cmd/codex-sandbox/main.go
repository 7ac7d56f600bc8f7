// Command codex-sandbox runs any command under a sandbox policy.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	sandbox "github.com/codexgo/codex-sandbox"
)

func main() {
	// Re-executed as codex-linux-sandbox (or invoked as codex-sandbox):
	// handled before any signal set-up, which the helper must not pay for.
	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := sandbox.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
