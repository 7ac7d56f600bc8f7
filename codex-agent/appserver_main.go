package agent

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/codexgo/codex-agent/appserver"
	"github.com/codexgo/codex-agent/runner"
	"github.com/codexgo/codex-agent/session"
	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// AppServerMain is `codex app-server` (and `codex-agent app-server`).
func AppServerMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunAppServer(ctx, args, processEnv(stdin, stdout, stderr))
}

// RunAppServer runs `codex app-server` with an injected environment.
func RunAppServer(ctx context.Context, args []string, env ServiceEnv) int {
	listen := "stdio://"
	o, code, done := parseServiceFlags(func() *cli.Command { return appServerCommand().Rename("codex app-server") }, "CODEX_APP_SERVER", args, env, func(fs *flag.FlagSet, so *ServiceOptions) {
		appServerExtra(fs, so, &listen)
	})
	if done {
		return code
	}
	if listen != "stdio://" && listen != "stdio" {
		fmt.Fprintf(env.Stderr, "codex app-server: --listen %s: only stdio:// is supported\n", listen)
		return 2
	}
	home, err := codexhome.Dir(env.Getenv)
	if err != nil {
		fmt.Fprintf(env.Stderr, "codex app-server: %v\n", err)
		return 1
	}
	// A config that does not parse is reported now, not at the first thread.
	if _, err := config.Load(home, config.Options{Profile: o.Profile, Overrides: o.Overrides}); err != nil {
		fmt.Fprintf(env.Stderr, "codex app-server: %v\n", err)
		return 1
	}
	b := &appBackend{o: o, home: home, env: env}
	so := appserver.Options{
		Backend: b, CodexHome: home, Overrides: o.Overrides, Profile: o.Profile,
		Getenv: env.Getenv, Environ: env.Environ, Now: env.Now, Stderr: env.Stderr,
		Sandboxed: b,
	}
	// ChatGPT logins use the issuer and callback port `codex login` is
	// given through its environment (CODEX_LOGIN_ISSUER, _CLIENT_ID,
	// _ISSUER_STYLE, _PORT; a port of 0 picks a free one).
	if u := env.Getenv("CODEX_LOGIN_ISSUER"); u != "" {
		style, err := oauth.ParseStyle(cmp.Or(env.Getenv("CODEX_LOGIN_ISSUER_STYLE"), "auto"))
		if err == nil {
			so.Issuer, err = oauth.Resolve(ctx, nil, u, env.Getenv("CODEX_LOGIN_CLIENT_ID"), style)
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "codex app-server: CODEX_LOGIN_ISSUER: %v\n", err)
			return 1
		}
	}
	if p := env.Getenv("CODEX_LOGIN_PORT"); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 0 || port > 65535 {
			fmt.Fprintf(env.Stderr, "codex app-server: CODEX_LOGIN_PORT %q is not a port\n", p)
			return 2
		}
		so.LoginPorts = []int{port}
	}
	err = appserver.Serve(ctx, env.Stdin, env.Stdout, so)
	if err != nil {
		fmt.Fprintf(env.Stderr, "codex app-server: %v\n", err)
		return 1
	}
	return 0
}

// appBackend builds the app server's sessions with the agent's service
// builder, the one proto and mcp-server use.
type appBackend struct {
	o    ServiceOptions
	home string
	env  ServiceEnv
}

func (b *appBackend) Open(ctx context.Context, tc appserver.ThreadConfig) (*appserver.Opened, error) {
	o := b.o
	o.Originator, o.Source = "codex_app_server", "app_server"
	o.Stderr = b.env.Stderr
	o.Cwd, o.Model, o.ApprovalPolicy, o.Sandbox = tc.Cwd, tc.Model, tc.ApprovalPolicy, tc.Sandbox
	o.Overrides = append([]string(nil), tc.Overrides...)
	if tc.ModelProvider != "" {
		o.Overrides = append(o.Overrides, "model_provider="+fmt.Sprintf("%q", tc.ModelProvider))
	}
	o.BaseInstructions, o.DeveloperInstructions = tc.BaseInstructions, tc.DeveloperInstructions
	o.Ephemeral = tc.Ephemeral || b.o.Ephemeral
	o.Client = tc.Client
	// The client answers the MCP servers' elicitations
	// (mcpServer/elicitation/request).
	o.Elicitations = true
	var fork *LoadedRollout
	switch {
	case tc.Resume != "":
		loaded, err := LoadRollout(tc.Resume)
		if err != nil {
			return nil, err
		}
		o.Resume, o.Ephemeral = loaded, tc.Ephemeral
	case tc.Fork != "":
		loaded, err := LoadRollout(tc.Fork)
		if err != nil {
			return nil, err
		}
		fork = loaded
	}
	o.NoConfigResume = true
	svc, err := NewService(ctx, o)
	if err != nil {
		return nil, err
	}
	if fork != nil {
		// A fork is a new thread that starts with the whole conversation:
		// its rollout begins with the source's lines.
		sc := &svc.Config
		sc.History, sc.Usage, sc.InitialContext = fork.History, fork.Usage, nil
		if sc.Recorder != nil {
			if err := sc.Recorder.CopyFrom(tc.Fork); err != nil {
				_ = svc.Close()
				return nil, err
			}
		}
	}
	sess, err := NewSession(svc.Config)
	if err != nil {
		_ = svc.Close()
		return nil, err
	}
	sc := svc.Config
	path := ""
	if sc.Recorder != nil {
		path = sc.Recorder.Path()
	}
	effort := ""
	if sc.Reasoning != nil {
		effort = sc.Reasoning.Effort
	}
	provider := svc.ProviderID
	var mgr *mcpmanager.Manager
	for _, x := range sc.External {
		if m, ok := x.(MCPTools); ok {
			mgr = m.M
		}
	}
	return &appserver.Opened{Session: sess, Path: path, Model: sc.Model, ModelProvider: provider, Cwd: sc.Cwd,
		ApprovalPolicy: sc.ApprovalPolicy, Sandbox: sc.Sandbox, Effort: effort, MCP: mgr, Elicit: sc.Elicitations.Handle, Close: svc.Close}, nil
}

// StartMCP starts config.toml's MCP servers as a session would; onElicit
// answers their elicitations.
func (b *appBackend) StartMCP(ctx context.Context, onElicit func(context.Context, string, *mcp.ElicitRequest) (*mcp.ElicitResult, error)) (*mcpmanager.Manager, error) {
	o := b.o
	o.NoConfigResume = true
	st, err := LoadSetup(o)
	if err != nil {
		return nil, err
	}
	mgr, _ := session.StartMCPElicit(ctx, st.Config, b.env.Getenv, b.env.Stderr, onElicit)
	return mgr, nil
}

// Run runs command/exec through the agent's runner: codex-sandbox's
// supervisor under the policy (danger-full-access unsandboxed), which
// ends the command's whole tree when ctx is cancelled.
func (b *appBackend) Run(ctx context.Context, req protocol.ExecRequest, stdin, terminal *os.File, out func(string, []byte)) (protocol.ExecResult, error) {
	var r runner.InputRunner = runner.SandboxRunner{}
	if req.SandboxPolicy.Mode == protocol.SandboxDangerFullAccess {
		r = runner.DirectRunner{}
	}
	return r.RunInput(ctx, req, runner.Stdio{Stdin: stdin, Terminal: terminal}, out)
}

// OpenTerminal opens a pseudo-terminal for a tty command/exec.
func (b *appBackend) OpenTerminal(rows, cols uint16) (near, far *os.File, err error) {
	return runner.OpenTerminal(rows, cols)
}

// Resize sets the size of a command/exec terminal.
func (b *appBackend) Resize(near *os.File, rows, cols uint16) error {
	return runner.ResizeTerminal(near, rows, cols)
}

// DefaultPolicy is the sandbox config.toml gives commands.
func (b *appBackend) DefaultPolicy(cwd string) (protocol.SandboxPolicy, error) {
	o := b.o
	o.Cwd, o.NoConfigResume = cwd, true
	st, err := LoadSetup(o)
	if err != nil {
		return protocol.SandboxPolicy{}, err
	}
	return st.Sandbox, nil
}
