// Command codex is every codex tool in one file; see package codex.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	// Answers `codex --version` from its initialiser, the binary's first
	// but some twenty (see its doc).
	_ "codexgo.local/codexversion"
	"github.com/codexgo/codex"
	// Runs codex-sandbox, codex-linux-sandbox (the sandbox's helper),
	// codex-execpolicy and `codex-login status` from its initialiser,
	// before the TUI's, the MCP SDK's and net/http's initialisers (see its
	// doc): main never sees those.
	_ "github.com/codexgo/codex/internal/early"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := codex.Default().Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
