package codex

import (
	"context"
	"fmt"
	"io"
)

// unimplemented are the Codex CLI 0.169 subcommands codex-go does not
// have. Each answers with one line and exit 2 instead of becoming a
// prompt for the model (`codex cloud` must not start a session about
// clouds).
var unimplemented = map[string]string{
	"agents":           "the agent command center",
	"plugin":           "plugins",
	"remote-control":   "the remote-control app-server daemon",
	"update":           "self-update (install a new release instead)",
	"apply":            "applying Codex Cloud diffs (use git apply)",
	"a":                "applying Codex Cloud diffs (use git apply)",
	"queue":            "queueing messages for a running session",
	"archive":          "archiving sessions",
	"unarchive":        "archiving sessions",
	"delete":           "deleting saved sessions (remove the file under $CODEX_HOME/sessions)",
	"migrate-rollouts": "rollout migration (our sessions are the JSONL files)",
	"migrate-nfs-db":   "SQLite migration (codex-go keeps no SQLite databases)",
	"cloud":            "Codex Cloud tasks",
	"exec-server":      "the standalone exec-server service",
}

// notImplemented is the Main of every unimplemented subcommand.
func notImplemented(name, what string) MainFunc {
	return func(_ context.Context, _ []string, _ io.Reader, _, stderr io.Writer) int {
		fmt.Fprintf(stderr, "codex %s: not available in codex-go (the Codex CLI's %s); see `codex help`\n", name, what)
		return exitUsage
	}
}
