// Command codex-login signs in to Codex and manages $CODEX_HOME/auth.json.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	login "github.com/codexgo/codex-login"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := login.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
