package agent

import (
	"context"
	"fmt"
	"io"
)

// MCPServerMain is `codex mcp-server` (and `codex-agent mcp-server`).
func MCPServerMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "codex mcp-server: not yet")
	return 1
}
