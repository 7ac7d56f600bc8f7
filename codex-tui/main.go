// Package tui is the Codex terminal front end: a bubbletea v1 program
// that drives `codex app-server` (the protocol every Codex client speaks)
// through internal/appconn.
//
// Rendering is inline: the live area (composer, working indicator, the
// streaming message's unfinished block, approval requests) is redrawn at
// the bottom of the terminal, and every finished transcript cell is
// printed once above it with tea.Println, into the terminal's own
// scrollback. Only full-screen views (transcript and diff pagers, the
// resume picker) use the alternate screen.
package tui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/codexgo/codex-login/restrict"
	"github.com/codexgo/codex-tui/internal/appconn"
	"github.com/codexgo/common/agentclient"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
	"github.com/codexgo/common/skills"
	"github.com/codexgo/common/version"
	"github.com/muesli/termenv"
	"github.com/peterbourgon/ff/v3"
	xterm "golang.org/x/term"
)

// Options configure Run. Main fills them from flags and the environment;
// the fused codex binary may call Run directly (e.g. with AgentMain set to
// run the agent in-process).
type Options struct {
	Prompt   string   // first prompt, sent once the session is configured
	Model    string   // -m
	Approval string   // -a
	Sandbox  string   // -s
	Cwd      string   // -C; "" is the current directory
	Search   bool     // --search: offer the model the web_search tool
	Images   []string // -i: images attached to the first message
	Config   []string // -c key=value overrides, passed to the agent
	// AgentProgram is the agent binary, run as `PROGRAM app-server`; ""
	// re-executes the running binary as codex-agent.
	AgentProgram string
	// AgentMain, if set, runs the agent (its app-server) in-process instead.
	AgentMain agentclient.MainFunc
	// Resume is a rollout file to resume; ResumePicker opens the picker;
	// ResumeLast resumes the newest session.
	Resume       string
	ResumePicker bool
	ResumeLast   bool
	// The Codex CLI's other root flags: -p/--profile (config profile),
	// --oss (a local model server), --add-dir (extra writable roots),
	// --enable/--disable (features), passed to the agent; Bypass
	// (--yolo) runs without sandbox and approvals; StrictConfig refuses
	// a config.toml with keys nothing reads.
	Profile         string
	OSS             bool
	AddDirs         []string
	Enable, Disable []string
	Bypass          bool
	StrictConfig    bool

	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
}

// Main is the codex-tui entry point (also `codex` without a subcommand).
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	// bubbletea restores the terminal after a panic in the UI; this catches
	// the rest (onboarding files, set-up) so the user gets one line, not a
	// stack trace.
	defer func() {
		if r := recover(); r != nil {
			_, _ = fmt.Fprintf(stderr, "codex-tui: internal error: %v\n", r)
			code = 1
		}
	}()
	if cli.IsVersion(args) {
		cli.PrintVersion(stdout, ToolName, version.Version)
		return 0
	}
	o := Options{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv, Now: time.Now}
	var fullAutoV, lastV bool
	fs := flagSet(&o, &fullAutoV, &lastV)
	fullAuto, last := &fullAutoV, &lastV
	// Flags go anywhere among the words, as in the Codex CLI (codex
	// resume --last -c model=o3, codex "fix it" -m o3).
	err := ff.Parse(fs, nil, ff.WithEnvVarPrefix("CODEX_TUI"))
	var rest []string
	if err == nil {
		rest, err = parseInterspersed(fs, args)
	}
	if errors.Is(err, flag.ErrHelp) {
		CLI().WriteHelp(stdout)
		return 0
	}
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "codex-tui: %s\n", cli.FlagError(fs, err))
		return 2
	}
	if *fullAuto {
		o.Sandbox, o.Approval = string(protocol.SandboxWorkspaceWrite), string(protocol.ApprovalOnRequest)
	}
	if o.Bypass {
		o.Sandbox, o.Approval = string(protocol.SandboxDangerFullAccess), string(protocol.ApprovalNever)
	}
	if len(rest) > 0 && rest[0] == "resume" {
		rest, o.ResumePicker = rest[1:], true
	}
	if o.Sandbox != "" {
		if _, err := protocol.ParseSandboxMode(o.Sandbox); err != nil {
			_, _ = fmt.Fprintf(stderr, "codex-tui: %v\n", err)
			return 2
		}
	}
	if err := approvalFlag(o.Approval); err != nil {
		_, _ = fmt.Fprintf(stderr, "codex-tui: %v\n", err)
		return 2
	}
	if o.ResumePicker {
		switch {
		case *last:
			o.ResumePicker, o.ResumeLast = false, true
		case len(rest) > 0 && !strings.Contains(rest[0], " "):
			o.ResumePicker, o.Resume = false, rest[0]
			rest = rest[1:]
		}
	}
	o.Prompt = strings.Join(rest, " ")
	if err := Run(ctx, o); err != nil {
		_, _ = fmt.Fprintf(stderr, "codex-tui: %v\n", err)
		return 1
	}
	return 0
}

// approvalFlag checks the value of -a/--ask-for-approval: one of the
// user-facing names, or none. The "granular:…" spelling a granular policy
// is held in is internal: a granular policy is set in config.toml (or -c)
// as a table, never on the flag, so it is refused as any unknown name is,
// in the words codex proto refuses it with.
func approvalFlag(v string) error {
	switch protocol.AskForApproval(v) {
	case "", protocol.ApprovalUntrusted, protocol.ApprovalOnFailure, protocol.ApprovalOnRequest, protocol.ApprovalNever:
		return nil
	}
	return fmt.Errorf("-a/--ask-for-approval: unknown approval policy %q (want untrusted, on-failure, on-request or never; "+
		"a granular policy is set in config.toml: approval_policy = { granular = { sandbox_approval = …, rules = …, mcp_elicitations = … } })", v)
}

// Run runs the TUI until the user quits.
func Run(ctx context.Context, o Options) (err error) {
	if f, ok := o.Stdin.(*os.File); ok && !isTerminal(f) {
		return errors.New("stdin is not a terminal (for a non-interactive run use codex exec)")
	}
	home, err := codexhome.Dir(o.Getenv)
	if err != nil {
		return err
	}
	cwd := o.Cwd
	if cwd == "" {
		if cwd, err = os.Getwd(); err != nil {
			return fmt.Errorf("working directory: %w", err)
		}
	}
	if cwd, err = filepath.Abs(cwd); err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	images, err := checkImages(o.Images)
	if err != nil {
		return err
	}
	if o.StrictConfig {
		if err := strictConfig(home); err != nil {
			return err
		}
	}
	cfg, err := config.Load(home, config.Options{Profile: o.Profile, Overrides: o.Config})
	if err != nil {
		return err
	}
	th := detectTheme(o.Stdout, o.Getenv)

	// Onboarding: sign in when there are no credentials (or the stored
	// ones are not of a kind config allows).
	allowed, err := restrict.New(cfg.ForcedLoginMethod, cfg.ForcedChatgptWorkspaceID)
	if err != nil {
		return err
	}
	notice, err := enforceLogin(home, cfg, allowed, o.Getenv)
	if err != nil {
		return err
	}
	if needsLogin(home, cfg, o.Getenv) {
		quit, err := runLogin(ctx, o, th, realLoginDeps(home, allowed, o.Getenv, openBrowser(o.Getenv)), notice)
		if err != nil || quit {
			return err
		}
	}

	// Then the trust question for a directory not seen before,
	// unless the modes were chosen on the command line.
	if o.Sandbox == "" && o.Approval == "" {
		root := projectRoot(cwd)
		p, known := cfg.Projects[root]
		if !known || p.TrustLevel == "" {
			trusted, quit, err := runTrustPrompt(ctx, o, th, root)
			if err != nil || quit {
				return err
			}
			level := "untrusted"
			if trusted {
				level = "trusted"
			}
			if err := setTrustLevel(filepath.Join(home, config.FileName), root, level); err != nil {
				// The answer still holds for this session.
				_, _ = fmt.Fprintf(o.Stderr, "codex-tui: %v\n", err)
			}
			p.TrustLevel = level
		}
		if p.TrustLevel == "trusted" {
			if _, set := cfg.Raw["sandbox_mode"]; !set {
				o.Sandbox = string(protocol.SandboxWorkspaceWrite)
			}
			if _, set := cfg.Raw["approval_policy"]; !set {
				o.Approval = string(protocol.ApprovalOnRequest)
			}
		}
	}

	resume := o.Resume
	if o.ResumeLast || o.ResumePicker || resume != "" {
		sessions, err := listSessions(filepath.Join(home, "sessions"), 200)
		if err != nil {
			return err
		}
		switch {
		case o.ResumeLast:
			if len(sessions) == 0 {
				return errors.New("no saved session to resume")
			}
			resume = sessions[0].path
		case resume != "":
			if resume, err = findSession(sessions, resume); err != nil {
				return err
			}
		default:
			picked, quit, err := runResumePicker(ctx, o, th, sessions)
			if err != nil || quit {
				return err
			}
			resume = picked
		}
	}

	logf, err := openLog(home)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()

	if o.AgentProgram == "" && o.AgentMain == nil {
		p, standalone := standaloneAgent()
		if standalone && p == "" {
			return errors.New("no codex-agent found next to codex-tui or on PATH (use --agent, or the codex binary)")
		}
		o.AgentProgram = p
	}
	var client *appconn.Conn
	connect := func(ctx context.Context, s sessionRef) (*appconn.Conn, error) {
		args := agentArgs(o)
		var p *agentclient.Process
		if o.AgentMain != nil {
			p = agentclient.StartInProcess(ctx, o.AgentMain, args, logf)
		} else if p, err = agentclient.StartProcess(ctx, agentclient.SpawnOptions{Program: o.AgentProgram, Args: args, Dir: cwd, Stderr: logf}); err != nil {
			return nil, err
		}
		return appconn.Open(p, appconn.Options{Cwd: cwd, Resume: s.resume, Fork: s.fork, Version: version.Version}), nil
	}
	if client, err = connect(ctx, sessionRef{resume: resume}); err != nil {
		return err
	}
	defer func() {
		if client != nil {
			_ = client.Close(3 * time.Second)
		}
	}()

	e := env{
		now:       o.Now,
		cwd:       cwd,
		codexHome: home,
		noHistory: cfg.History.Persistence == "none",
		editor:    editorCommand(o.Getenv),
		tty:       ttyOf(o.Stdin),
		version:   version.Version,
		reconnect: func(ctx context.Context, s sessionRef) (Conn, error) {
			old := client
			client = nil
			if old != nil {
				_ = old.Close(3 * time.Second)
			}
			c, err := connect(ctx, s)
			if err != nil {
				return nil, err
			}
			client = c
			return c, nil
		},
		logout: func() error {
			err := os.Remove(filepath.Join(home, "auth.json"))
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		},
	}
	e.askedApproval = protocol.AskForApproval(firstNonEmpty(o.Approval, cfg.ApprovalPolicy))
	for name, srv := range cfg.McpServers {
		state := "enabled"
		if !srv.IsEnabled() {
			state = "disabled"
		}
		e.mcpServers = append(e.mcpServers, fmt.Sprintf("  %s (%s)", name, state))
	}
	sort.Strings(e.mcpServers)
	e.notifications, e.term = notificationKinds(cfg), o.Stdout
	e.contextWindow = contextWindows(cfg)
	e.sandbox = sandboxRunner()
	addDirs := make([]string, 0, len(o.AddDirs))
	for _, d := range o.AddDirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(cwd, d)
		}
		addDirs = append(addDirs, d)
	}
	skillOpts := skills.Options{CodexHome: home, Home: o.Getenv("HOME"), Cwd: cwd}
	e.skills = func() string { return skillsText(skillOpts) }
	e.hooks = func() string { return hooksText(home, cfg) }
	e.sandboxPolicy = func(mode protocol.SandboxMode) (protocol.SandboxPolicy, error) {
		return sandboxpolicy.FromConfig(cfg.SandboxMode, cfg.SandboxWorkspaceWrite, string(mode), addDirs...)
	}
	m := newModel(e, client, th)
	m.initialPrompt, m.images = o.Prompt, images
	if resume != "" {
		if m.replay, err = loadReplay(resume); err != nil {
			// The agent reports the failure to resume; the log keeps why.
			fmt.Fprintf(logf, "codex-tui: %v\n", err)
		}
	}
	opts := []tea.ProgramOption{tea.WithContext(ctx), inputOption(o.Stdin), tea.WithOutput(o.Stdout)}
	if len(e.notifications) > 0 {
		// Notifications are for a user who is elsewhere: the terminal
		// says when it loses and regains the focus.
		opts = append(opts, tea.WithReportFocus())
	}
	p := tea.NewProgram(m, opts...)
	_, err = p.Run()
	restoreAutowrap(o.Stdout) // also when the program ended without its last frame
	if s := exitSummary(m, programName()); s != "" && err == nil {
		_, _ = io.WriteString(o.Stdout, s)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // cancelled from outside (SIGTERM): a normal end
	}
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	if m.agentGone && !m.shutdownSeen {
		return errors.New("the agent exited unexpectedly (see " + logf.Name() + ")")
	}
	return nil
}

// agentArgs are the agent's arguments: `app-server` and -c overrides for
// the choices made here (they reach every thread through the server's
// own config layer). A session to resume is opened with thread/resume.
func agentArgs(o Options) []string {
	args := []string{"app-server"}
	for _, c := range o.Config {
		args = append(args, "-c", c)
	}
	if o.Profile != "" {
		args = append(args, "-p", o.Profile)
	}
	if o.OSS {
		args = append(args, "--oss")
	}
	for _, d := range o.AddDirs {
		args = append(args, "--add-dir", d)
	}
	for _, f := range o.Enable {
		args = append(args, "--enable", f)
	}
	for _, f := range o.Disable {
		args = append(args, "--disable", f)
	}
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	if o.Model != "" {
		args = append(args, "-c", "model="+q(o.Model))
	}
	if o.Approval != "" {
		args = append(args, "-c", "approval_policy="+q(o.Approval))
	}
	if o.Sandbox != "" {
		args = append(args, "-c", "sandbox_mode="+q(o.Sandbox))
	}
	if o.Search {
		args = append(args, "-c", "tools.web_search=true")
	}
	return args
}

// standaloneAgent finds the agent for a standalone codex-tui binary,
// which does not contain the agent: codex-agent next to it, else on PATH.
// The fused codex binary contains every tool and re-executes itself ("").
func standaloneAgent() (path string, standalone bool) {
	self, err := os.Executable()
	if err != nil || !strings.HasPrefix(filepath.Base(self), "codex-tui") {
		return "", false
	}
	if sib := filepath.Join(filepath.Dir(self), "codex-agent"); exists(sib) {
		return sib, true
	}
	if p, err := exec.LookPath("codex-agent"); err == nil {
		return p, true
	}
	return "", true
}

// openLog opens $CODEX_HOME/log/codex-tui.log for the agent's stderr, which
// must not scribble over the screen.
func openLog(home string) (*os.File, error) {
	dir := filepath.Join(home, "log")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "codex-tui.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	return f, nil
}

// detectTheme picks the colour profile and palette of the terminal on w:
// plain text when it is not a terminal or NO_COLOR is set, else the
// profile the environment allows and a light or dark palette from the
// terminal's background colour.
func detectTheme(w io.Writer, getenv func(string) string) *theme {
	f, ok := w.(*os.File)
	if getenv("NO_COLOR") != "" || !ok {
		return newTheme(termenv.Ascii, true)
	}
	if !isTerminal(f) {
		return newTheme(termenv.Ascii, true)
	}
	out := termenv.NewOutput(f, termenv.WithEnvironment(envAdapter(getenv)), termenv.WithTTY(true))
	dark := out.HasDarkBackground()
	// bubbles' default styles go through lipgloss's default renderer,
	// whose background teainit fixed so that bubbletea's initialiser
	// does not ask the terminal at every start: give it the answer.
	lipgloss.SetHasDarkBackground(dark)
	return newTheme(out.EnvColorProfile(), dark)
}

// isTerminal asks the kernel (a character device such as /dev/null is
// not a terminal).
func isTerminal(f *os.File) bool { return xterm.IsTerminal(int(f.Fd())) }

type envAdapter func(string) string

func (e envAdapter) Getenv(k string) string { return e(k) }
func (e envAdapter) Environ() []string      { return nil }
