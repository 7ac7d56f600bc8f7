// Command codex is every codex tool in one file; see package codex.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/codexgo/codex"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := codex.Default().Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
