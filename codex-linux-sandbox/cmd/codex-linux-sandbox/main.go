// Command codex-linux-sandbox runs a command under a Codex sandbox policy
// with Landlock and seccomp.
package main

import (
	"context"
	"os"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
)

func main() {
	// No signal.NotifyContext: the helper execs the command within
	// milliseconds, and until then the default dispositions (die on
	// SIGINT, SIGTERM, SIGHUP) are exactly right; a signal goroutine
	// would only slow every command's start.
	os.Exit(linuxsandbox.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
