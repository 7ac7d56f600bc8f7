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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code, ok := sandbox.BecomeHelperIfRequested(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	if !ok {
		code = sandbox.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	}
	stop()
	os.Exit(code)
}
