// Package exec is `codex exec`, the non-interactive front end (as
// codex-rs keeps its exec crate apart from the core): flags and prompt,
// one session built by package session, and its events rendered as human
// text or as the Codex CLI's JSONL (--json, byte for byte). It depends on
// the core; nothing in the core depends on it.
package exec

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/codexgo/codex-agent/runner"
	"github.com/codexgo/codex-agent/session"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/style"
)

// Env is what `codex exec` takes from its process; tests inject it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        []string
	Now            func() time.Time
	Getwd          func() (string, error)
	HTTP           *http.Client
	// Sleep replaces retry waits (tests); nil waits for real.
	Sleep func(ctx context.Context, d time.Duration) error
	// StdinIsPipe says whether stdin carries piped input; nil inspects
	// Stdin when it is an *os.File.
	StdinIsPipe func() bool
	// ReviewName is the review command as the user typed it, for its
	// usage lines: "codex exec review" (empty) or "codex review".
	ReviewName string
}

// Main is `codex exec` (and `codex-agent exec`): run one task
// non-interactively and report it on stderr, or as JSONL with --json.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(ctx, args, Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
		Environ: os.Environ(), Now: time.Now, Getwd: os.Getwd})
}

// sandboxBanner is the sandbox as 0.169's banner shows it: the mode, and
// for workspace-write its writable roots in its words ("workdir", "/tmp",
// "$TMPDIR", then the others) and whether the network is on.
func sandboxBanner(p protocol.SandboxPolicy) string {
	if p.Mode != protocol.SandboxWorkspaceWrite {
		return string(p.Mode)
	}
	roots := []string{"workdir"}
	if !p.ExcludeSlashTmp {
		roots = append(roots, "/tmp")
	}
	if !p.ExcludeTmpdirEnvVar {
		roots = append(roots, "$TMPDIR")
	}
	s := string(p.Mode) + " [" + strings.Join(append(roots, p.WritableRoots...), ", ") + "]"
	if p.NetworkAccess {
		s += " (network access enabled)"
	}
	return s
}

// ReviewMain is `codex review` (and `codex-agent review`): `codex exec
// review`, its usage lines under that name, as the Codex CLI's.
func ReviewMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(ctx, append([]string{"review"}, args...), Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
		Environ: os.Environ(), Now: time.Now, Getwd: os.Getwd, ReviewName: "codex review"})
}

// Run runs `codex exec` with an injected environment.
func Run(ctx context.Context, args []string, env Env) int {
	// The MCP servers' stderr copiers write here too, from their own
	// goroutines: one lock for every writer (an *os.File is safe as it
	// is, and stays one so that colours follow the terminal).
	if _, ok := env.Stderr.(*os.File); !ok {
		env.Stderr = &serialWriter{w: env.Stderr}
	}
	code, err := runExec(ctx, args, env)
	if err != nil {
		var pe plainErr
		if errors.As(err, &pe) {
			fmt.Fprintln(env.Stderr, pe.msg)
			return pe.code
		}
		var ue usageErr
		if errors.As(err, &ue) {
			fmt.Fprintf(env.Stderr, "codex exec: %s\n", ue.msg)
			return 2
		}
		fmt.Fprintf(env.Stderr, "Error: %v\n", err)
		return 1
	}
	return code
}

func runExec(ctx context.Context, args []string, env Env) (int, error) {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getwd == nil {
		env.Getwd = os.Getwd
	}
	var f execFlags
	fs := newExecFlagSet(&f)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, usageErr{cli.FlagError(fs, err)}
	}
	if f.help {
		Command().Rename("codex exec").WriteHelp(env.Stdout)
		return 0, nil
	}
	if err := envFlags(fs, "CODEX_EXEC", env.Getenv); err != nil {
		return 0, usageErr{cli.FlagError(fs, err)}
	}
	// Resume: `resume [--last | ID] [PROMPT]`.
	resume, resumeID := false, ""
	if len(pos) > 0 && pos[0] == "resume" {
		resume = true
		pos = pos[1:]
		if !f.last {
			if len(pos) == 0 {
				return 0, usageErr{"resume needs a SESSION_ID or --last"}
			}
			resumeID, pos = pos[0], pos[1:]
		}
	}
	// Fork: `fork SESSION_ID [PROMPT]`, a copy of the session continued.
	forkID := ""
	if len(pos) > 0 && pos[0] == "fork" && !resume {
		if len(pos) < 2 {
			return 0, usageErr{"fork needs a SESSION_ID"}
		}
		forkID, pos = pos[1], pos[2:]
	}
	// Review: `review --uncommitted | --base B | --commit SHA | PROMPT`.
	reviewing := len(pos) > 0 && pos[0] == "review" && !resume && forkID == ""
	if reviewing {
		pos = pos[1:]
	}
	if (f.uncommitted || f.base != "" || f.commit != "") && !reviewing {
		return 0, usageErr{"--uncommitted, --base and --commit go with review"}
	}
	if len(pos) > 1 {
		return 0, usageErr{fmt.Sprintf("unexpected argument %q (quote the prompt)", pos[1])}
	}
	// A missing image fails the run before anything starts.
	for _, img := range f.images {
		if err := session.CheckImages([]protocol.InputItem{{Type: "local_image", Path: img}}); err != nil {
			return 0, err
		}
	}
	// Sandbox and approvals: exec never asks.
	mode := ""
	if f.fullAuto {
		fmt.Fprintln(env.Stderr, "warning: --full-auto is deprecated; use --sandbox workspace-write instead.")
		mode = string(protocol.SandboxWorkspaceWrite)
	}
	if f.sandbox != "" {
		mode = f.sandbox
	}
	if f.bypass {
		mode = string(protocol.SandboxDangerFullAccess)
	}
	if mode != "" {
		if _, err := protocol.ParseSandboxMode(mode); err != nil {
			return 0, usageErr{err.Error()}
		}
	}
	cwd, err := env.Getwd()
	if err != nil {
		return 0, fmt.Errorf("working directory: %w", err)
	}
	if f.cd != "" {
		d := f.cd
		if !filepath.IsAbs(d) {
			d = filepath.Join(cwd, d)
		}
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return 0, fmt.Errorf("--cd %s: not a directory", f.cd)
		}
		cwd = d
	}
	originator := "codex_exec"
	if o := env.Getenv("CODEX_INTERNAL_ORIGINATOR_OVERRIDE"); o != "" {
		originator = o
	}
	mcpLog, closeMCPLog := openMCPLog(env.Getenv)
	defer closeMCPLog()
	st, err := session.LoadSetup(session.ServiceOptions{Getenv: env.Getenv, Environ: env.Environ, Now: env.Now, HTTP: env.HTTP, Sleep: env.Sleep,
		Originator: originator, Source: "exec", Cwd: cwd, Profile: f.profile, Overrides: f.overrides,
		IgnoreUserConfig: f.ignoreUserConfig, Model: f.model, ApprovalPolicy: string(protocol.ApprovalNever), Sandbox: mode,
		WritableRoots: f.addDirs, OSS: f.oss, LocalProvider: f.localProvider, Enable: f.enable, Disable: f.disable,
		ExecpolicyCmd: f.execpolicyCmd, SandboxCmd: f.sandboxCmd, Ephemeral: f.ephemeral, IgnoreRules: f.ignoreRules, LogLevel: f.logLevel,
		MCPStderr: mcpLog, Stderr: env.Stderr, Review: reviewing, BypassHookTrust: f.bypassHookTrust, StrictConfig: f.strictConfig,
		// exec resumes only with `resume`, never from experimental_resume.
		NoConfigResume: true})
	if err != nil {
		return 0, err
	}
	cfg, home := st.Config, st.Home
	cwd = st.Cwd
	if !f.skipGit && !f.trust {
		if _, ok := session.GitRoot(cwd); !ok && cfg.Projects[cwd].TrustLevel != "trusted" {
			//lint:ignore ST1005 the Codex CLI's message
			return 0, errors.New("Not inside a trusted directory and --skip-git-repo-check was not specified.") //nolint:staticcheck // the Codex CLI's message
		}
	}
	// The prompt, or the review (the app-server's review/start builds
	// the same request).
	var (
		prompt string
		review session.ReviewOp
	)
	if reviewing {
		var target session.ReviewTarget
		if target, err = reviewTarget(cmp.Or(env.ReviewName, "codex exec review"), f, pos, env.Stdin); err == nil {
			review, err = session.ReviewRequest(target, cwd)
		}
		prompt = review.Prompt
	} else {
		prompt, err = readPrompt(pos, env)
	}
	if err != nil {
		return 0, err
	}
	// Resume: load the earlier session.
	if resume {
		var path string
		if f.last {
			path, err = session.LatestRollout(home, cwd, f.all)
		} else {
			path, err = session.FindRollout(home, resumeID)
		}
		if err != nil {
			return 0, err
		}
		if st.Options.Resume, err = session.LoadRollout(path); err != nil {
			return 0, err
		}
	}
	if forkID != "" {
		path, err := session.FindRollout(home, forkID)
		if err != nil {
			return 0, err
		}
		if path, _, err = session.ForkRollout(home, path, env.Now); err != nil {
			return 0, err
		}
		if st.Options.Resume, err = session.LoadRollout(path); err != nil {
			return 0, err
		}
	}
	if strings.TrimSpace(prompt) == "" && len(f.images) == 0 {
		return 0, usageErr{"no prompt provided (pass it as an argument or on stdin)"}
	}
	var schema []byte
	if f.outputSchema != "" {
		if schema, err = os.ReadFile(f.outputSchema); err != nil {
			return 0, fmt.Errorf("read output schema: %w", err)
		}
		if !json.Valid(schema) {
			return 0, fmt.Errorf("output schema %s is not valid JSON", f.outputSchema)
		}
	}
	svc, err := st.Build(ctx)
	if err != nil {
		return 0, err
	}
	closed := false
	defer func() {
		if !closed {
			_ = svc.Close()
		}
	}()
	sc := svc.Config
	threadID, modelName, sm := sc.ThreadID, sc.Model, sc.Sandbox.Mode
	// One turn, then the end: a command left running is ended (and
	// reported) before the turn completes.
	sc.EndCommandsWithTurn = true
	sc.Text = session.OutputFormat(sc.Text, schema)
	sess, err := session.NewSession(sc)
	if err != nil {
		return 0, err
	}
	items := protocol.TextInput(prompt)
	for _, img := range f.images {
		items = append(items, protocol.InputItem{Type: "local_image", Path: img})
	}
	// Front end: JSONL or human.
	var (
		jm *jsonMapper
		hr *humanRenderer
	)
	if f.json {
		jm = newJSONMapper(newLineWriter(env.Stdout))
		jm.threadStarted(threadID)
	} else {
		getenv := env.Getenv
		switch f.color {
		case "never":
			getenv = func(k string) string {
				if k == "NO_COLOR" {
					return "1"
				}
				return env.Getenv(k)
			}
		case "always":
			getenv = func(k string) string {
				if k == "CLICOLOR_FORCE" {
					return "1"
				}
				return env.Getenv(k)
			}
		}
		hr = newHumanRenderer(env.Stderr, style.New(env.Stderr, getenv))
		// As 0.169's banner: what config.toml sets, "none" for unset.
		effort := cmp.Or(cfg.ModelReasoningEffort, "none")
		summary := cmp.Or(cfg.ModelReasoningSummary, "none")
		sandboxDesc := sandboxBanner(sc.Sandbox)
		if _, ok := sc.Runner.(runner.DirectRunner); ok && sm != protocol.SandboxDangerFullAccess {
			sandboxDesc += " (not enforced: no sandbox runner)"
		}
		shown := prompt
		if reviewing {
			shown = review.Hint
		}
		hr.banner(bannerInfo{Workdir: cwd, Model: modelName, Provider: svc.ProviderID, Approval: "never",
			Sandbox: sandboxDesc, Effort: effort, Summary: summary, SessionID: threadID, Prompt: shown})
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = sess.Run(runCtx)
	}()
	// Ctrl-C interrupts the turn; the session then reports turn_aborted.
	go func() {
		select {
		case <-ctx.Done():
			_ = sess.Submit(runCtx, protocol.Submission{ID: "interrupt", Op: protocol.InterruptOp{}})
		case <-done:
		}
	}()
	var op protocol.Op = protocol.UserInputOp{Items: items}
	var view *reviewView
	if reviewing {
		op, view = review, &reviewView{}
	}
	if err := sess.Submit(runCtx, protocol.Submission{ID: "0", Op: op}); err != nil {
		return 0, err
	}
	var last string
	failed := false
loop:
	for raw := range sess.Events() {
		shown := []protocol.Event{raw}
		if view != nil {
			shown = view.events(raw)
		}
		for _, ev := range shown {
			if handleExecEvent(ev, jm, hr, &last, &failed) {
				break loop
			}
		}
	}
	stop()
	for range sess.Events() {
	}
	<-done
	if f.outputLast != "" {
		if err := os.WriteFile(f.outputLast, []byte(last), 0o644); err != nil {
			return 0, fmt.Errorf("write --output-last-message: %w", err)
		}
	}
	if jm == nil && last != "" {
		fmt.Fprintln(env.Stdout, last)
	}
	// A session that could not be saved (a full disk) fails the run: the
	// error was shown as an event, or is shown now if it came last.
	closed = true
	if err := svc.Close(); err != nil {
		if sc.Recorder == nil || !sess.SaveErrorReported() {
			ev := protocol.Event{ID: "0", Msg: protocol.ErrorMsg{Message: "the session could not be saved: " + err.Error()}}
			if jm != nil {
				jm.handle(ev)
			} else {
				hr.handle(ev)
			}
		}
		failed = true
	}
	if jm != nil && jm.err != nil {
		return 1, nil
	}
	if failed {
		return 1, nil
	}
	return 0, nil
}

// handleExecEvent shows ev (as JSONL when jm is set, else as text on
// hr), noting the turn's last message and failure; it says whether the
// turn is over.
func handleExecEvent(ev protocol.Event, jm *jsonMapper, hr *humanRenderer, last *string, failed *bool) bool {
	if jm != nil {
		jm.handle(ev)
	} else {
		hr.handle(ev)
	}
	switch e := ev.Msg.(type) {
	case protocol.ErrorMsg:
		*failed = true
	case protocol.TaskCompleteMsg:
		*last = e.LastAgentMessage
		return true
	case protocol.TurnAbortedMsg:
		*failed = true
		return true
	}
	return false
}

// serialWriter serialises writes from several goroutines to one writer.
type serialWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *serialWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
