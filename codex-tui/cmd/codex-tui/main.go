// Command codex-tui is the Codex terminal front end.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/codexgo/codex-tui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	code := tui.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
