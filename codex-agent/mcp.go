package agent

import (
	"context"
	"fmt"
	"io"

	"github.com/codexgo/codex-agent/mcpserver"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/version"
)

// MCPServerMain is `codex mcp-server` (and `codex-agent mcp-server`): the
// agent as the MCP tools codex and codex-reply over stdio.
func MCPServerMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunMCPServer(ctx, args, processEnv(stdin, stdout, stderr))
}

// RunMCPServer runs `codex mcp-server` with an injected environment.
func RunMCPServer(ctx context.Context, args []string, env ServiceEnv) int {
	base, code, done := parseServiceFlags(func() *cli.Command { return mcpServerCommand().Rename("codex mcp-server") }, "CODEX_MCP_SERVER", args, env, nil)
	if done {
		return code
	}
	base.Originator, base.Source = "codex_mcp_server", "mcp"
	base.Stderr = env.Stderr
	newSession := func(ctx context.Context, st mcpserver.Settings) (mcpserver.Session, func() error, error) {
		o := base
		o.Overrides = append(append([]string(nil), base.Overrides...), st.Overrides...)
		if st.Profile != "" {
			o.Profile = st.Profile
		}
		o.Model, o.Cwd, o.ApprovalPolicy, o.Sandbox = st.Model, st.Cwd, string(st.ApprovalPolicy), string(st.Sandbox)
		o.NetworkAccess, o.Client = st.NetworkAccess, st.Client
		o.BaseInstructions, o.DeveloperInstructions, o.CompactPrompt = st.BaseInstructions, st.DeveloperInstructions, st.CompactPrompt
		svc, err := NewService(ctx, o)
		if err != nil {
			return nil, nil, err
		}
		sess, err := NewSession(svc.Config)
		if err != nil {
			_ = svc.Close()
			return nil, nil, err
		}
		return sess, svc.Close, nil
	}
	err := mcpserver.Serve(ctx, env.Stdin, env.Stdout, mcpserver.Options{NewSession: newSession, Version: version.Version})
	if err != nil {
		fmt.Fprintf(env.Stderr, "codex mcp-server: %v\n", err)
		return 1
	}
	return 0
}
