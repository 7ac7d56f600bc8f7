// Command codex-execpolicy judges proposed commands: allow, prompt or
// forbidden. See the module README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	execpolicy "github.com/codexgo/codex-execpolicy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := execpolicy.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
