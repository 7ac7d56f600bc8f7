package agent

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
)

// ServiceOptions describe a session for a long-lived front end (the
// proto server, the MCP server): where it runs, the config it reads and
// the settings its caller picked. Empty fields take config.toml's values.
type ServiceOptions struct {
	Getenv  func(string) string
	Environ []string
	Now     func() time.Time
	HTTP    *http.Client
	// Sleep replaces retry waits (tests); nil waits for real.
	Sleep func(ctx context.Context, d time.Duration) error

	// Originator names the front end in headers and the rollout
	// ("codex_proto", "codex_mcp_server").
	Originator string
	// Source is the rollout's source ("proto", "mcp").
	Source string

	Cwd            string
	Profile        string
	Overrides      []string // -c key=value
	Model          string
	ApprovalPolicy string
	Sandbox        string
	// WritableRoots are added to a workspace-write sandbox.
	WritableRoots []string
	NetworkAccess bool

	BaseInstructions      string
	DeveloperInstructions string
	CompactPrompt         string

	ExecpolicyCmd string
	SandboxCmd    string
	// Ephemeral skips the rollout file.
	Ephemeral bool
	// Client names the program driving the front end ("name; version"),
	// appended to the User-Agent.
	Client string
	// IgnoreRules skips $CODEX_HOME/rules in the in-process execpolicy.
	IgnoreRules bool
	// MCPStderr receives the MCP servers' stderr lines; nil discards them.
	MCPStderr io.Writer
	// Stderr receives warnings (a notify program that failed); nil
	// discards them.
	Stderr io.Writer
}

// Service is a built session configuration plus what the front end
// needs to run it.
type Service struct {
	Config    SessionConfig
	CodexHome string
	Settings  *config.Config
	// Close flushes and closes the rollout; call it after the session's
	// Run returns.
	Close func() error
}

// NewService loads config.toml and builds a session configuration for
// a long-lived front end.
func NewService(ctx context.Context, o ServiceOptions) (*Service, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Environ == nil {
		o.Environ = os.Environ()
	}
	if o.Originator == "" {
		o.Originator = "codex_proto"
	}
	home, err := codexhome.Dir(o.Getenv)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(home, config.Options{Profile: o.Profile, Overrides: o.Overrides})
	if err != nil {
		return nil, err
	}
	cwd := o.Cwd
	if cwd == "" {
		if cwd, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
	}
	if !filepath.IsAbs(cwd) {
		abs, err := filepath.Abs(cwd)
		if err != nil {
			return nil, err
		}
		cwd = abs
	}
	cwd = filepath.Clean(cwd)
	if st, err := os.Stat(cwd); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("cwd %s: not a directory", cwd)
	}
	apText := firstNonEmpty(o.ApprovalPolicy, cfg.ApprovalPolicy, string(protocol.ApprovalOnRequest))
	ap, err := protocol.ParseAskForApproval(apText)
	if err != nil {
		return nil, err
	}
	sm, err := protocol.ParseSandboxMode(firstNonEmpty(o.Sandbox, cfg.SandboxMode, string(protocol.SandboxReadOnly)))
	if err != nil {
		return nil, err
	}
	sp := protocol.SandboxPolicy{Mode: sm}
	if sm == protocol.SandboxWorkspaceWrite {
		ww := cfg.SandboxWorkspaceWrite
		sp.WritableRoots = append(sp.WritableRoots, ww.WritableRoots...)
		sp.NetworkAccess, sp.ExcludeSlashTmp, sp.ExcludeTmpdirEnvVar = ww.NetworkAccess || o.NetworkAccess, ww.ExcludeSlashTmp, ww.ExcludeTmpdirEnvVar
		sp.WritableRoots = append(sp.WritableRoots, o.WritableRoots...)
	}
	client, err := NewClient(ctx, ClientOptions{Config: cfg, CodexHome: home, Getenv: o.Getenv, HTTP: o.HTTP, Sleep: o.Sleep})
	if err != nil {
		return nil, err
	}
	threadID, err := NewThreadID(o.Now())
	if err != nil {
		return nil, err
	}
	instructions := BaseInstructions
	if o.BaseInstructions != "" {
		instructions = o.BaseInstructions
	}
	ua := userAgent(o.Originator)
	if o.Client != "" {
		ua += " (" + o.Client + ")"
	}
	sc := SessionConfig{
		ThreadID: threadID, Model: firstNonEmpty(o.Model, cfg.Model), Client: client, Retry: client.Retry, Cwd: cwd,
		ApprovalPolicy: ap, Sandbox: sp, Instructions: instructions,
		Env: ShellEnv(cfg.ShellEnvironmentPolicy, o.Environ), ContextWindow: cfg.ModelContextWindow,
		AutoCompactTokenLimit: cfg.ModelAutoCompactTokenLimit, CompactPrompt: o.CompactPrompt,
		RulesFile:       filepath.Join(home, "rules", "default.rules"),
		ToolOutputBytes: int(cfg.ToolOutputTokenLimit * 4), Now: o.Now,
		Headers: map[string]string{"originator": o.Originator, "User-Agent": ua,
			"session-id": threadID, "thread-id": threadID, "x-client-request-id": threadID},
	}
	sc.Tools = toolSet(cfg, client.Wire, false, nil, nil)
	if client.Wire == "responses" {
		sc.Reasoning = &model.Reasoning{Effort: cfg.ModelReasoningEffort, Summary: cfg.ModelReasoningSummary}
		if sc.Reasoning.Summary == "" {
			sc.Reasoning.Summary = "auto"
		}
		if sc.Reasoning.Summary == "none" {
			sc.Reasoning.Summary = ""
		}
	}
	if cfg.ModelVerbosity != "" {
		sc.Text = &model.TextControls{Verbosity: cfg.ModelVerbosity}
	}
	if sc.Policy, err = sessionPolicy(o.ExecpolicyCmd, home, cwd, o.Getenv("HOME"), o.IgnoreRules); err != nil {
		return nil, err
	}
	sc.Runner = DefaultRunner()
	if o.SandboxCmd != "" {
		sc.Runner = CmdRunner{Argv: strings.Fields(o.SandboxCmd)}
	}
	docs := ProjectDocs(ProjectDocOptions{CodexHome: home, Cwd: cwd, MaxBytes: cfg.ProjectDocMaxBytes, Fallbacks: cfg.ProjectDocFallbackFilenames})
	shell := o.Getenv("SHELL")
	if shell == "" {
		shell = "/bin/bash"
	}
	sc.InitialContext = InitialContext(docs, cwd, EnvironmentContext(cwd, shell, o.Now(), sp, ap), PermissionsText(sp, ap))
	if o.DeveloperInstructions != "" {
		sc.InitialContext = append([]model.Item{model.DeveloperMessage(o.DeveloperInstructions)}, sc.InitialContext...)
	}
	svc := &Service{Config: sc, CodexHome: home, Settings: cfg}
	var closers []func() error
	svc.Close = func() error {
		var first error
		for _, c := range closers {
			if err := c(); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	if !o.Ephemeral {
		rec, err := CreateRollout(home, SessionMeta{ID: threadID, Cwd: cwd, Originator: o.Originator, Source: o.Source,
			ModelProvider: client.ProviderID, Instructions: instructions}, o.Now)
		if err != nil {
			return nil, err
		}
		svc.Config.Recorder = rec
		closers = append(closers, rec.Close)
	}
	// config's notify program runs after every completed turn, in the
	// background (it is given 10 s); Close waits for those still running.
	if len(cfg.Notify) > 0 {
		stderr := o.Stderr
		if stderr == nil {
			stderr = io.Discard
		}
		var wg sync.WaitGroup
		argv := cfg.Notify
		svc.Config.OnTurnComplete = func(tc TurnComplete) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				notify(context.WithoutCancel(ctx), argv, tc, stderr)
			}()
		}
		closers = append(closers, func() error { wg.Wait(); return nil })
	}
	// MCP servers start concurrently; one that fails is reported once
	// (a background event after session_configured) and the session goes
	// on without it.
	if len(cfg.McpServers) > 0 {
		mgr, notices := startMCP(ctx, cfg, o.Getenv, o.MCPStderr)
		closers = append(closers, mgr.Close)
		svc.Config.External = append(svc.Config.External, MCPTools{M: mgr})
		svc.Config.Notices = append(svc.Config.Notices, notices...)
	}
	return svc, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// sessionPolicy is the Policy of a session: the external program given
// by --execpolicy-cmd, else codex-execpolicy in process (its default
// policy, $CODEX_HOME/rules unless ignoreRules, the project's
// .codex/rules) with the workspace's writable roots.
func sessionPolicy(execpolicyCmd, codexHome, cwd, home string, ignoreRules bool) (Policy, error) {
	if execpolicyCmd != "" {
		return CmdPolicy{Argv: strings.Fields(execpolicyCmd)}, nil
	}
	project := cwd
	if root, ok := GitRoot(cwd); ok {
		project = root
	}
	// The writable roots go with every request, from the turn's own
	// sandbox (approval.Roots), not from the sandbox the session began in.
	return LoadExecPolicy(codexHome, project, home, !ignoreRules)
}

// startMCP starts config.toml's MCP servers concurrently and returns the
// manager (close it when the session ends) and one line for each server
// that failed to start.
func startMCP(ctx context.Context, cfg *config.Config, getenv func(string) string, stderr io.Writer) (*mcpmanager.Manager, []string) {
	var failures []string
	mgr := mcpmanager.Start(ctx, mcpconfig.FromConfig(cfg.McpServers), mcpmanager.Options{
		Conn: mcpconn.Options{Getenv: getenv, Stderr: stderr},
		OnStartupFailure: func(server string, err error) {
			failures = append(failures, fmt.Sprintf("MCP server `%s` failed to start: %v", server, err))
		},
	})
	return mgr, failures
}
