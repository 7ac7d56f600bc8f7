// Package agent is the codex-agent binary: its commands (exec, proto,
// mcp-server, app-server, model-server) over the agent's core, which
// lives in subpackages with one-way dependencies (deps_test.go holds
// them):
//
//	runner    runs one command (sandboxed or not); knows nothing else
//	approval  decides whether a command, patch or tool call may run
//	tools     what the model's tool calls do (registry, one file a tool)
//	session   the conversation, and the builder every front end uses
//	exec      `codex exec`, the one-shot front end over a session
//
// The root package is the front ends and a facade: the names the core
// used to export here (SessionConfig, NewSession, Runner, ToolSet, …)
// are aliases of the subpackages' for the programs that import it.
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
		fmt.Fprintf(stderr, "%s: a command is needed: exec, review, proto, mcp-server, app-server or model-server (see %s --help)\n", ToolName, ToolName)
		return 2
	}
	if cli.IsVersion(args) {
		cli.PrintVersion(stdout, ToolName, version.Version)
		return 0
	}
	switch args[0] {
	case "exec", "e":
		return ExecMain(ctx, args[1:], stdin, stdout, stderr)
	case "review":
		return ReviewMain(ctx, args[1:], stdin, stdout, stderr)
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
