// Package signals gives the light tools that package early runs from an
// initialiser the context codex's main would give them. It imports only
// packages every tool initialises first anyway, so it never delays one.
package signals

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Context is cancelled by the signals package codex's main catches
// (interrupt, SIGTERM, SIGHUP). It is never stopped: the process exits
// when the tool returns.
func Context() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	return ctx
}
