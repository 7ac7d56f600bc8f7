// Command codex-linux-sandbox runs a command under a Codex sandbox policy
// with Landlock and seccomp.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := linuxsandbox.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
