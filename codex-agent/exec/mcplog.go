package exec

import (
	"io"
	"os"
	"path/filepath"

	"github.com/codexgo/common/codexhome"
)

// openMCPLog opens $CODEX_HOME/log/mcp-servers.log (0600, appended) for the
// MCP servers' stderr, so that their chatter ("[everything] Starting
// default (STDIO) server...") never mixes with codex exec's output, in
// text or --json. A server that fails to start is still reported on
// stderr with its last stderr lines (mcpconn keeps them). When the log
// cannot be opened the lines are dropped: output hygiene wins over a log.
func openMCPLog(getenv func(string) string) (io.Writer, func()) {
	home, err := codexhome.Dir(getenv)
	if err != nil {
		return io.Discard, func() {}
	}
	dir := filepath.Join(home, "log")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return io.Discard, func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, "mcp-servers.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return io.Discard, func() {}
	}
	return f, func() { _ = f.Close() }
}
