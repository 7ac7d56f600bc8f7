// Package agent is the Codex agent: a session that talks to the model,
// runs its tool calls (shell commands through the policy and the sandbox,
// patches through our apply_patch engine, plan updates) and reports the
// work as protocol events; and `codex exec`, the non-interactive front
// end over that session.
//
// The session API (NewSession, Session.Run, Submit, Events) is the one
// every front end uses: exec here, and the proto and MCP server modes.
package agent

import (
	"context"
	"fmt"
	"io"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/version"
)

// Main is the codex-agent binary.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "%s: a command is needed: exec, proto, mcp-server, app-server or model-server (see %s --help)\n", ToolName, ToolName)
		return 2
	}
	if cli.IsVersion(args) {
		cli.PrintVersion(stdout, ToolName, version.Version)
		return 0
	}
	switch args[0] {
	case "exec", "e":
		return ExecMain(ctx, args[1:], stdin, stdout, stderr)
	case "proto":
		return ProtoMain(ctx, args[1:], stdin, stdout, stderr)
	case "mcp-server":
		return MCPServerMain(ctx, args[1:], stdin, stdout, stderr)
	case "app-server":
		return AppServerMain(ctx, args[1:], stdin, stdout, stderr)
	case "model-server":
		return modelserver.Main(ctx, args[1:], stdin, stdout, stderr)
	case "-h", "--help", "-help", "help":
		c := CLI()
		if len(args) > 1 && c.Sub(args[1]) != nil {
			c = c.Sub(args[1])
		}
		c.WriteHelp(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "codex-agent: unknown command %q\n", args[0])
	return 2
}
