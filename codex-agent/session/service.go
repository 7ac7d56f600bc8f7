package session

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

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/runner"
	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/logfile"
	"github.com/codexgo/common/models"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
	"github.com/codexgo/common/skills"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ServiceOptions describe a session for any front end (`codex exec`,
// `codex proto`, `codex mcp-server`, the app-server): where it runs, the
// config it reads and the settings its caller picked. Empty fields take
// config.toml's values. It is the input of the one session builder
// (LoadSetup, then Setup.Build; NewService does both).
type ServiceOptions struct {
	Getenv  func(string) string
	Environ []string
	Now     func() time.Time
	HTTP    *http.Client
	// Sleep replaces retry waits (tests); nil waits for real.
	Sleep func(ctx context.Context, d time.Duration) error

	// Originator names the front end in headers and the rollout
	// ("codex_exec", "codex_proto", "codex_mcp_server").
	Originator string
	// Source is the rollout's source ("exec", "proto", "mcp").
	Source string

	// Cwd is the working directory; empty means the process's. A
	// relative one is taken from the process's.
	Cwd     string
	Profile string
	// Overrides are -c key=value strings.
	Overrides []string
	// IgnoreUserConfig reads no config.toml (the overrides still apply).
	IgnoreUserConfig bool
	Model            string
	// ApprovalPolicy and Sandbox are the caller's choice (flags, the
	// client's settings); a bad value is an error naming it.
	ApprovalPolicy string
	Sandbox        string
	// WritableRoots are added to a workspace-write sandbox (--add-dir:
	// relative ones are taken from the working directory).
	WritableRoots []string
	NetworkAccess bool
	// OSS talks to a local open-source model server (--oss), of
	// LocalProvider ("ollama", "lmstudio"; empty: config's oss_provider).
	OSS           bool
	LocalProvider string
	// Enable and Disable switch features (--enable, --disable).
	Enable, Disable []string

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
	// Resume continues a recorded session (its thread id, history and
	// usage; new lines appended to its rollout unless Ephemeral). When
	// nil, the experimental_resume config key (a rollout path, as the
	// TUI passes it) is read instead.
	Resume *LoadedRollout
	// StrictConfig makes unknown config keys an error (--strict-config).
	StrictConfig bool
	// BypassHookTrust runs hooks nobody trusted yet
	// (--dangerously-bypass-hook-trust).
	BypassHookTrust bool
	// Review runs a code review: config's review_model is the model
	// unless Model names one.
	Review bool
	// NoConfigResume ignores experimental_resume (codex exec resumes
	// only with its resume subcommand).
	NoConfigResume bool
	// LogLevel is --log-level (else CODEX_LOG; logfile.Open): the log goes
	// to $CODEX_HOME/log/codex-<Source>.log.
	LogLevel string
	// Elicitations says the front end answers the MCP servers'
	// elicitations (elicitation_request events): the servers are told
	// the client supports them. Otherwise they are not.
	Elicitations bool
	// MCPStderr receives the MCP servers' stderr lines; nil discards them.
	MCPStderr io.Writer
	// Stderr receives warnings (a notify program that failed, the OSS
	// server's pull progress); nil discards them.
	Stderr io.Writer
}

// Service is a built session configuration plus what the front end
// needs to run it.
type Service struct {
	Config    SessionConfig
	CodexHome string
	Settings  *config.Config
	// ProviderID is the model provider in use.
	ProviderID string
	// Close flushes and closes the rollout, stops the MCP servers and
	// waits for notify programs; call it after the session's Run returns.
	Close func() error
}

// Setup is the first half of building a session: config.toml read once,
// the working directory, approval policy and sandbox resolved, the
// session to resume loaded; nothing started yet. A front end may look at
// it (codex exec's trusted-directory check) before Build.
type Setup struct {
	Options  ServiceOptions
	Home     string
	Config   *config.Config
	Cwd      string
	Approval protocol.AskForApproval
	Sandbox  protocol.SandboxPolicy
}

// NewService builds a session configuration: LoadSetup, then Build.
func NewService(ctx context.Context, o ServiceOptions) (*Service, error) {
	st, err := LoadSetup(o)
	if err != nil {
		return nil, err
	}
	return st.Build(ctx)
}

// LoadSetup reads config.toml (once) and resolves the settings of a
// session.
func LoadSetup(o ServiceOptions) (*Setup, error) {
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
	var cfg *config.Config
	if o.IgnoreUserConfig {
		cfg, err = config.Parse("", nil, config.Options{Overrides: o.Overrides, Strict: o.StrictConfig})
	} else {
		cfg, err = config.Load(home, config.Options{Profile: o.Profile, Overrides: o.Overrides, Strict: o.StrictConfig})
	}
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
	ap, err := setting(cfg, "approval_policy", o.ApprovalPolicy, cfg.ApprovalPolicy, string(protocol.ApprovalOnRequest), protocol.ParseAskForApproval)
	if err != nil {
		return nil, err
	}
	sm, err := setting(cfg, "sandbox_mode", o.Sandbox, cfg.SandboxMode, string(protocol.SandboxReadOnly), protocol.ParseSandboxMode)
	if err != nil {
		return nil, err
	}
	if sm == protocol.SandboxReadOnly && len(o.WritableRoots) > 0 && o.Stderr != nil {
		// --add-dir only widens workspace-write; say so rather than
		// ignore it.
		fmt.Fprintf(o.Stderr, "warning: --add-dir %s has no effect under the read-only sandbox; add --sandbox workspace-write to make it writable\n", strings.Join(o.WritableRoots, ", "))
	}
	addDirs := make([]string, 0, len(o.WritableRoots))
	for _, d := range o.WritableRoots {
		if !filepath.IsAbs(d) {
			d = filepath.Join(cwd, d)
		}
		addDirs = append(addDirs, d)
	}
	sp, err := sandboxpolicy.FromConfig(cfg.SandboxMode, cfg.SandboxWorkspaceWrite, string(sm), addDirs...)
	if err != nil {
		return nil, err
	}
	if sm == protocol.SandboxWorkspaceWrite {
		sp.NetworkAccess = sp.NetworkAccess || o.NetworkAccess
	}
	if o.Resume == nil && !o.NoConfigResume {
		if o.Resume, err = resumeFromConfig(cfg); err != nil {
			return nil, err
		}
	}
	return &Setup{Options: o, Home: home, Config: cfg, Cwd: cwd, Approval: ap, Sandbox: sp}, nil
}

// setting parses a setting given by the caller (flag) or else by the
// config; a bad value from the config is reported with its file and line.
func setting[T any](cfg *config.Config, key, given, fromConfig, def string, parse func(string) (T, error)) (T, error) {
	if given != "" {
		v, err := parse(given)
		if err != nil {
			return v, fmt.Errorf("%s: %w", key, err)
		}
		return v, nil
	}
	v, err := parse(firstNonEmpty(fromConfig, def))
	if err != nil {
		return v, fmt.Errorf("%s: %s: %w", config.Where(cfg, key), key, err)
	}
	return v, nil
}

// resumeFromConfig loads the session named by the experimental_resume
// config key, or returns nil when there is none.
func resumeFromConfig(cfg *config.Config) (*LoadedRollout, error) {
	v, ok := cfg.Raw["experimental_resume"]
	if !ok {
		return nil, nil
	}
	path, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("experimental_resume: want a rollout path, got %v", v)
	}
	if path == "" {
		return nil, nil
	}
	loaded, err := LoadRollout(path)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	return loaded, nil
}

// Build assembles the session configuration: the model client, the
// policy and approver, the sandbox runner, the tools, the initial
// context, the rollout (new, or the resumed one appended to), notify and
// the MCP servers.
func (st *Setup) Build(ctx context.Context) (*Service, error) {
	o, cfg, home, cwd, ap, sp := st.Options, st.Config, st.Home, st.Cwd, st.Approval, st.Sandbox
	providerID, modelName := "", firstNonEmpty(o.Model, cfg.Model)
	if o.OSS {
		var err error
		if providerID, modelName, err = ossProvider(ctx, cfg, o); err != nil {
			return nil, err
		}
	}
	client, err := NewClient(ctx, ClientOptions{Config: cfg, ProviderID: providerID, CodexHome: home, Getenv: o.Getenv, HTTP: o.HTTP, Sleep: o.Sleep})
	if err != nil {
		return nil, err
	}
	threadID := ""
	if o.Resume != nil {
		threadID = o.Resume.Meta.ID
	}
	if threadID == "" {
		if threadID, err = NewThreadID(o.Now()); err != nil {
			return nil, err
		}
	}
	instructions, err := baseInstructions(o.BaseInstructions, cfg, home)
	if err != nil {
		return nil, err
	}
	if o.Review && o.Model == "" && cfg.ReviewModel != "" {
		modelName = cfg.ReviewModel
	}
	catalog, err := models.Load(configPath(home, cfg.ModelCatalogJSON))
	if err != nil {
		return nil, err
	}
	sampling := catalog.Sampling(modelName, models.Settings{Effort: cfg.ModelReasoningEffort, Summary: cfg.ModelReasoningSummary, Verbosity: cfg.ModelVerbosity})
	contextWindow := cfg.ModelContextWindow
	if contextWindow == 0 {
		contextWindow = sampling.ContextWindow
	}
	ua := userAgent(o.Originator)
	if o.Client != "" {
		ua += " (" + o.Client + ")"
	}
	sc := SessionConfig{
		ThreadID: threadID, Model: modelName, Client: client, Retry: client.Retry, Cwd: cwd,
		ApprovalPolicy: ap, Sandbox: sp, Instructions: instructions,
		Env: ShellEnv(cfg.ShellEnvironmentPolicy, o.Environ), ContextWindow: contextWindow,
		AutoCompactTokenLimit: cfg.ModelAutoCompactTokenLimit, CompactPrompt: firstNonEmpty(o.CompactPrompt, cfg.CompactPrompt),
		RulesFile:       filepath.Join(home, "rules", "default.rules"),
		ToolOutputBytes: int(cfg.ToolOutputTokenLimit * 4), Now: o.Now,
		Headers: map[string]string{"originator": o.Originator, "User-Agent": ua,
			"session-id": threadID, "thread-id": threadID, "x-client-request-id": threadID},
	}
	sc.Tools = toolSet(cfg, client.Wire, o.OSS, o.Enable, o.Disable)
	if err := webSearch(&sc.Tools, cfg, sampling, sp, client.Wire == "responses" && !o.OSS, o.Enable, o.Disable); err != nil {
		return nil, err
	}
	// The model catalogue decides the reasoning and text controls
	// (common/models): what config.toml sets, else the model's defaults.
	if client.Wire == "responses" && (sampling.Effort != "" || sampling.Summary != "") {
		sc.Reasoning = &model.Reasoning{Effort: sampling.Effort, Summary: sampling.Summary}
	}
	if sampling.Verbosity != "" {
		sc.Text = &model.TextControls{Verbosity: sampling.Verbosity}
	}
	if sc.Policy, err = sessionPolicy(o.ExecpolicyCmd, home, cwd, o.Getenv("HOME"), o.IgnoreRules); err != nil {
		return nil, err
	}
	sc.Approver = approval.New(approval.Config{Policy: sc.Policy, RulesFile: sc.RulesFile})
	sc.Runner = runner.DefaultRunner()
	if o.SandboxCmd != "" {
		sc.Runner = runner.CmdRunner{Argv: strings.Fields(o.SandboxCmd)}
	}
	if o.Resume != nil {
		sc.History, sc.Usage = o.Resume.History, o.Resume.Usage
	} else {
		docs := ProjectDocs(ProjectDocOptions{CodexHome: home, Cwd: cwd, MaxBytes: cfg.ProjectDocMaxBytes, Fallbacks: cfg.ProjectDocFallbackFilenames})
		shell := o.Getenv("SHELL")
		if shell == "" {
			shell = "/bin/bash"
		}
		sc.InitialContext = InitialContext(docs, cwd, EnvironmentContext(cwd, shell, o.Now(), sp, ap), PermissionsText(sp, ap))
	}
	// Skills: listed to the model once, a $name mention loads one.
	sc.Skills = discoverSkills(home, o.Getenv("HOME"), cwd, o.Stderr)
	sc.Hooks = loadHooks(cfg, home, cwd, o.Environ, o, o.Stderr)
	if o.Resume == nil {
		openDeveloperMessage(sc.InitialContext, firstNonEmpty(o.DeveloperInstructions, cfg.DeveloperInstructions), skills.Instructions(sc.Skills))
	}
	logName := "codex"
	if o.Source != "" {
		logName += "-" + o.Source
	}
	logger, closeLog, err := logfile.Open(home, logName, o.LogLevel, o.Getenv)
	if err != nil {
		return nil, err
	}
	sc.Logger = logger
	svc := &Service{Config: sc, CodexHome: home, Settings: cfg, ProviderID: client.ProviderID}
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
		var rec *Rollout
		if o.Resume != nil {
			rec, err = AppendRollout(o.Resume.Path, o.Now)
		} else {
			rec, err = CreateRollout(home, SessionMeta{ID: threadID, Cwd: cwd, Originator: o.Originator, Source: o.Source,
				ModelProvider: client.ProviderID, Instructions: instructions}, o.Now)
		}
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
	var elicit *tools.MCPElicitations
	if o.Elicitations {
		// Also without MCP servers of its own: a front end's
		// server-wide ones may route elicitations to the session.
		elicit = &tools.MCPElicitations{}
		svc.Config.Elicitations = elicit
	}
	if len(cfg.McpServers) > 0 {
		progress := &tools.MCPProgress{}
		mgr, notices := StartMCP(ctx, cfg, o.Getenv, o.MCPStderr, progress, elicit)
		closers = append(closers, mgr.Close)
		svc.Config.External = append(svc.Config.External, tools.MCPTools{M: mgr, Progress: progress})
		svc.Config.Notices = append(svc.Config.Notices, notices...)
	}
	// The log is closed last, after what may still write to it.
	closers = append(closers, closeLog)
	return svc, nil
}

// ossProvider sets up --oss: the local server's provider (probed, the
// model pulled if missing) and the model to ask for.
func ossProvider(ctx context.Context, cfg *config.Config, o ServiceOptions) (providerID, modelName string, err error) {
	id := firstNonEmpty(o.LocalProvider, cfg.OssProvider, "ollama")
	p, _ := cfg.Provider(id)
	p.BaseURL = OSSBaseURL(id, o.Getenv)
	if cfg.ModelProviders == nil {
		cfg.ModelProviders = map[string]config.ModelProvider{}
	}
	cfg.ModelProviders["oss-"+id] = p
	modelName = cfg.Model
	if o.Model != "" {
		modelName = o.Model
	} else if modelName == "" || modelName == config.Defaults().Model {
		modelName = "gpt-oss:20b"
	}
	stderr := o.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	if err := ProbeOSS(ctx, o.HTTP, p.BaseURL, modelName, stderr); err != nil {
		return "", "", err
	}
	return "oss-" + id, modelName, nil
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
// .codex/rules).
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

// StartMCP starts config.toml's MCP servers concurrently and returns the
// manager (close it when the session ends) and one line for each server
// that failed to start.
// The servers' progress notifications go to progress (nil: dropped);
// their elicitations to elicit, and only when it is non-nil are the
// servers told the client can answer elicitations.
func StartMCP(ctx context.Context, cfg *config.Config, getenv func(string) string, stderr io.Writer,
	progress *tools.MCPProgress, elicit *tools.MCPElicitations) (*mcpmanager.Manager, []string) {
	var onElicit func(context.Context, string, *mcp.ElicitRequest) (*mcp.ElicitResult, error)
	if elicit != nil {
		onElicit = elicit.Handle
	}
	return startMCP(ctx, cfg, getenv, stderr, progress, onElicit)
}

// StartMCPElicit starts config.toml's MCP servers outside a session (a
// front end's own connections); onElicit, if set, answers their
// elicitations (and they are told the client can).
func StartMCPElicit(ctx context.Context, cfg *config.Config, getenv func(string) string, stderr io.Writer,
	onElicit func(context.Context, string, *mcp.ElicitRequest) (*mcp.ElicitResult, error)) (*mcpmanager.Manager, []string) {
	return startMCP(ctx, cfg, getenv, stderr, nil, onElicit)
}

func startMCP(ctx context.Context, cfg *config.Config, getenv func(string) string, stderr io.Writer,
	progress *tools.MCPProgress, onElicit func(context.Context, string, *mcp.ElicitRequest) (*mcp.ElicitResult, error)) (*mcpmanager.Manager, []string) {
	var failures []string
	mgr := mcpmanager.Start(ctx, mcpconfig.FromConfig(cfg.McpServers), mcpmanager.Options{
		OnElicit: onElicit,
		Conn: mcpconn.Options{Getenv: getenv, Stderr: stderr,
			Client: &mcp.ClientOptions{ProgressNotificationHandler: progress.Handle}},
		OnStartupFailure: func(server string, err error) {
			failures = append(failures, fmt.Sprintf("MCP server `%s` failed to start: %v", server, err))
		},
	})
	return mgr, failures
}
