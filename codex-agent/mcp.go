package agent

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/codexgo/codex-agent/mcpserver"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/version"
	"github.com/peterbourgon/ff/v3"
)

// MCPServerMain is `codex mcp-server` (and `codex-agent mcp-server`): the
// agent as the MCP tools codex and codex-reply over stdio.
func MCPServerMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunMCPServer(ctx, args, processEnv(stdin, stdout, stderr))
}

const mcpUsage = `Usage: codex mcp-server [OPTIONS]

Serve the agent over MCP (JSON-RPC on stdin/stdout) as two tools: codex
(start a thread with a prompt) and codex-reply (continue it). Events stream
as codex/event and progress notifications, approvals as elicitation/create.

Options:
  -c, --config key=value            override config.toml for every thread (repeatable)
  -p, --profile NAME                default config profile
      --execpolicy-cmd PROG         external policy (PolicyRequest/PolicyVerdict JSON)
      --sandbox-cmd PROG            external sandbox (ExecRequest/ExecResult JSON)
      --ephemeral                   do not record session files
Every option can also be set from CODEX_MCP_SERVER_<NAME>.

Exit status: 0 when the client disconnects, 1 on a runtime failure, 2 on
usage errors.
`

// RunMCPServer runs `codex mcp-server` with an injected environment.
func RunMCPServer(ctx context.Context, args []string, env ServiceEnv) int {
	fs := flag.NewFlagSet("codex mcp-server", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		base      ServiceOptions
		overrides config.OverrideFlag
		help      bool
	)
	fs.Var(&overrides, "c", "override a config value")
	fs.Var(&overrides, "config", "override a config value")
	fs.StringVar(&base.Profile, "p", "", "profile")
	fs.StringVar(&base.Profile, "profile", "", "profile")
	fs.StringVar(&base.ExecpolicyCmd, "execpolicy-cmd", "", "external policy")
	fs.StringVar(&base.SandboxCmd, "sandbox-cmd", "", "external sandbox")
	fs.BoolVar(&base.Ephemeral, "ephemeral", false, "do not record session files")
	fs.BoolVar(&help, "h", false, "help")
	fs.BoolVar(&help, "help", false, "help")
	if err := ff.Parse(fs, args, ff.WithEnvVarPrefix("CODEX_MCP_SERVER")); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stdout, mcpUsage)
			return 0
		}
		fmt.Fprintf(env.Stderr, "codex mcp-server: %v\n", err)
		return 2
	}
	if help {
		fmt.Fprint(env.Stdout, mcpUsage)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "codex mcp-server: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	base.Overrides = overrides
	base.Getenv, base.Environ, base.Now, base.Sleep = env.Getenv, env.Environ, env.Now, env.Sleep
	base.Originator, base.Source = "codex_mcp_server", "mcp"
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
