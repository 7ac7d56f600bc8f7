package agent

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/style"
	"github.com/peterbourgon/ff/v3"

	"github.com/codexgo/codex-agent/model"
)

// ExecEnv is what `codex exec` takes from its process; tests inject it.
type ExecEnv struct {
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
}

// ExecMain is `codex exec` (and `codex-agent exec`): run one task
// non-interactively and report it on stderr, or as JSONL with --json.
func ExecMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunExec(ctx, args, ExecEnv{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
		Environ: os.Environ(), Now: time.Now, Getwd: os.Getwd})
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type execFlags struct {
	json, skipGit, bypass, oss, ephemeral, fullAuto, last, all, help bool
	ignoreUserConfig, ignoreRules, trust                             bool
	outputLast, outputSchema, sandbox, model, localProvider, profile string
	cd, color, execpolicyCmd, sandboxCmd                             string
	overrides                                                        config.OverrideFlag
	addDirs, images, enable, disable                                 stringList
}

func newExecFlagSet(f *execFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("codex exec", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	both := func(short, long string, p *string, usage string) {
		fs.StringVar(p, long, "", usage)
		if short != "" {
			fs.StringVar(p, short, "", usage)
		}
	}
	fs.BoolVar(&f.json, "json", false, "print events to stdout as JSONL")
	fs.BoolVar(&f.json, "experimental-json", false, "alias of --json")
	both("o", "output-last-message", &f.outputLast, "write the last agent message to FILE")
	fs.StringVar(&f.outputSchema, "output-schema", "", "JSON Schema FILE the final answer must follow")
	fs.BoolVar(&f.skipGit, "skip-git-repo-check", false, "allow running outside a git repository")
	both("s", "sandbox", &f.sandbox, "read-only | workspace-write | danger-full-access")
	fs.BoolVar(&f.bypass, "dangerously-bypass-approvals-and-sandbox", false, "run every command without sandbox or approval")
	fs.BoolVar(&f.bypass, "yolo", false, "alias of --dangerously-bypass-approvals-and-sandbox")
	fs.BoolVar(&f.fullAuto, "full-auto", false, "deprecated: --sandbox workspace-write")
	both("m", "model", &f.model, "model to use")
	fs.BoolVar(&f.oss, "oss", false, "use a local open-source model server (Ollama)")
	fs.StringVar(&f.localProvider, "local-provider", "", "ollama | lmstudio for --oss")
	both("p", "profile", &f.profile, "config profile")
	fs.Var(&f.overrides, "c", "override a config value: key=value (TOML)")
	fs.Var(&f.overrides, "config", "override a config value: key=value (TOML)")
	both("C", "cd", &f.cd, "working directory")
	fs.Var(&f.addDirs, "add-dir", "extra writable directory (repeatable)")
	fs.Var(&f.images, "i", "attach an image (repeatable)")
	fs.Var(&f.images, "image", "attach an image (repeatable)")
	fs.BoolVar(&f.ephemeral, "ephemeral", false, "do not record the session")
	fs.BoolVar(&f.ignoreUserConfig, "ignore-user-config", false, "do not read $CODEX_HOME/config.toml")
	fs.BoolVar(&f.ignoreRules, "ignore-rules", false, "do not load the user's execpolicy rules")
	fs.BoolVar(&f.trust, "trust", false, "treat the working directory as trusted (no git check)")
	fs.StringVar(&f.color, "color", "auto", "always | never | auto")
	fs.Var(&f.enable, "enable", "enable a feature (repeatable)")
	fs.Var(&f.disable, "disable", "disable a feature (repeatable)")
	fs.StringVar(&f.execpolicyCmd, "execpolicy-cmd", "", "program answering PolicyRequest JSON with PolicyVerdict JSON")
	fs.StringVar(&f.sandboxCmd, "sandbox-cmd", "", "program running ExecRequest JSON and answering ExecResult JSON")
	fs.BoolVar(&f.last, "last", false, "resume: the most recent session in this directory")
	fs.BoolVar(&f.all, "all", false, "resume: do not filter --last by directory")
	// Accepted for the SDK's sake; they change nothing here.
	fs.String("thread-source", "", "accepted and ignored")
	fs.String("cyber-access-program", "", "accepted and ignored")
	fs.BoolVar(&f.help, "h", false, "show help")
	fs.BoolVar(&f.help, "help", false, "show help")
	return fs
}

const execUsage = `Usage: codex exec [OPTIONS] [PROMPT]
       codex exec [OPTIONS] resume [--last [--all] | SESSION_ID] [PROMPT]

Run Codex non-interactively. The prompt comes from the argument, or from
stdin when it is "-" or absent (piped stdin is appended to a given prompt).
Progress goes to stderr and the final message to stdout; --json prints the
run as JSONL events instead.

Options:
      --json, --experimental-json  print JSONL events to stdout
  -o, --output-last-message FILE   write the last agent message to FILE
      --output-schema FILE         JSON Schema for the final answer
  -m, --model MODEL                model to use
  -s, --sandbox MODE               read-only | workspace-write | danger-full-access
      --dangerously-bypass-approvals-and-sandbox
  -C, --cd DIR                     working directory
      --add-dir DIR                extra writable directory (repeatable)
      --skip-git-repo-check        allow running outside a git repository
  -c, --config key=value           override config.toml (TOML value, repeatable)
  -p, --profile NAME               config profile
      --oss [--local-provider ollama|lmstudio]
      --ephemeral                  do not record a session file
      --ignore-user-config         do not read config.toml (-c still applies)
      --ignore-rules               do not load $CODEX_HOME/rules
      --trust                      treat the directory as trusted
  -i, --image FILE                 attach an image (repeatable)
      --execpolicy-cmd PROG        external policy (PolicyRequest/PolicyVerdict JSON)
      --sandbox-cmd PROG           external sandbox (ExecRequest/ExecResult JSON)
      --color always|never|auto
Every option can also be set from CODEX_EXEC_<NAME> (e.g. CODEX_EXEC_MODEL).

Exit status: 0 when the turn completed, 1 when it failed, 2 on usage errors.
`

// parseInterspersed parses flags anywhere among the positionals, as the
// Codex CLI's parser does; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageErr is a bad command line (exit 2).
type usageErr struct{ msg string }

func (e usageErr) Error() string { return e.msg }

// RunExec runs `codex exec` with an injected environment.
func RunExec(ctx context.Context, args []string, env ExecEnv) int {
	code, err := runExec(ctx, args, env)
	if err != nil {
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

func runExec(ctx context.Context, args []string, env ExecEnv) (int, error) {
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
		return 0, usageErr{err.Error()}
	}
	if f.help {
		fmt.Fprint(env.Stdout, execUsage)
		return 0, nil
	}
	if err := ff.Parse(fs, nil, ff.WithEnvVarPrefix("CODEX_EXEC")); err != nil {
		return 0, usageErr{err.Error()}
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
	if len(pos) > 1 {
		return 0, usageErr{fmt.Sprintf("unexpected argument %q (quote the prompt)", pos[1])}
	}
	home, err := codexhome.Dir(env.Getenv)
	if err != nil {
		return 0, err
	}
	var cfg *config.Config
	if f.ignoreUserConfig {
		cfg, err = config.Parse("", nil, config.Options{Overrides: f.overrides})
	} else {
		cfg, err = config.Load(home, config.Options{Profile: f.profile, Overrides: f.overrides})
	}
	if err != nil {
		return 0, err
	}
	cwd, err := env.Getwd()
	if err != nil {
		return 0, fmt.Errorf("working directory: %w", err)
	}
	if f.cd != "" {
		cwd = f.cd
		if !filepath.IsAbs(cwd) {
			wd, _ := env.Getwd()
			cwd = filepath.Join(wd, cwd)
		}
		if st, err := os.Stat(cwd); err != nil || !st.IsDir() {
			return 0, fmt.Errorf("--cd %s: not a directory", f.cd)
		}
	}
	cwd = filepath.Clean(cwd)
	if !f.skipGit && !f.trust {
		if _, ok := GitRoot(cwd); !ok && cfg.Projects[cwd].TrustLevel != "trusted" {
			return 0, errors.New("Not inside a trusted directory and --skip-git-repo-check was not specified.") //nolint:staticcheck // the Codex CLI's message
		}
	}
	// Sandbox and approvals: exec never asks.
	mode := cfg.SandboxMode
	if f.fullAuto {
		fmt.Fprintln(env.Stderr, "warning: --full-auto is deprecated; use --sandbox workspace-write instead.")
		mode = string(protocol.SandboxWorkspaceWrite)
	}
	if f.sandbox != "" {
		mode = f.sandbox
	}
	if mode == "" {
		mode = string(protocol.SandboxReadOnly)
	}
	if f.bypass {
		mode = string(protocol.SandboxDangerFullAccess)
	}
	sm, err := protocol.ParseSandboxMode(mode)
	if err != nil {
		return 0, usageErr{err.Error()}
	}
	sp := protocol.SandboxPolicy{Mode: sm}
	if sm == protocol.SandboxWorkspaceWrite {
		ww := cfg.SandboxWorkspaceWrite
		sp.WritableRoots = append(sp.WritableRoots, ww.WritableRoots...)
		sp.NetworkAccess, sp.ExcludeSlashTmp, sp.ExcludeTmpdirEnvVar = ww.NetworkAccess, ww.ExcludeSlashTmp, ww.ExcludeTmpdirEnvVar
	}
	for _, d := range f.addDirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(cwd, d)
		}
		sp.WritableRoots = append(sp.WritableRoots, filepath.Clean(d))
	}
	// The prompt.
	prompt, err := readPrompt(pos, env)
	if err != nil {
		return 0, err
	}
	// Resume: load the earlier session.
	var loaded *LoadedRollout
	if resume {
		var path string
		if f.last {
			path, err = LatestRollout(home, cwd, f.all)
		} else {
			path, err = FindRollout(home, resumeID)
		}
		if err != nil {
			return 0, err
		}
		if loaded, err = LoadRollout(path); err != nil {
			return 0, err
		}
	}
	if strings.TrimSpace(prompt) == "" && len(f.images) == 0 {
		return 0, usageErr{"no prompt provided (pass it as an argument or on stdin)"}
	}
	// The model client.
	providerID := ""
	modelName := cfg.Model
	if f.oss {
		providerID = f.localProvider
		if providerID == "" {
			providerID = cfg.OssProvider
		}
		if providerID == "" {
			providerID = "ollama"
		}
		p, _ := cfg.Provider(providerID)
		p.BaseURL = OSSBaseURL(providerID, env.Getenv)
		if cfg.ModelProviders == nil {
			cfg.ModelProviders = map[string]config.ModelProvider{}
		}
		cfg.ModelProviders["oss-"+providerID] = p
		if err := ProbeOSS(ctx, env.HTTP, p.BaseURL); err != nil {
			return 0, err
		}
		providerID = "oss-" + providerID
		if f.model == "" && (modelName == "" || modelName == config.Defaults().Model) {
			modelName = "gpt-oss:20b"
		}
	}
	if f.model != "" {
		modelName = f.model
	}
	client, err := NewClient(ctx, ClientOptions{Config: cfg, ProviderID: providerID, CodexHome: home, Getenv: env.Getenv, HTTP: env.HTTP, Sleep: env.Sleep})
	if err != nil {
		return 0, err
	}
	threadID := ""
	if loaded != nil {
		threadID = loaded.Meta.ID
	} else if threadID, err = NewThreadID(env.Now()); err != nil {
		return 0, err
	}
	originator := "codex_exec"
	if o := env.Getenv("CODEX_INTERNAL_ORIGINATOR_OVERRIDE"); o != "" {
		originator = o
	}
	sc := SessionConfig{
		ThreadID: threadID, Model: modelName, Client: client, Retry: client.Retry, Cwd: cwd,
		ApprovalPolicy: protocol.ApprovalNever, Sandbox: sp, Instructions: BaseInstructions,
		Env: ShellEnv(cfg.ShellEnvironmentPolicy, env.Environ), ContextWindow: cfg.ModelContextWindow,
		ToolOutputBytes: int(cfg.ToolOutputTokenLimit * 4), Now: env.Now,
		Headers: map[string]string{"originator": originator, "User-Agent": userAgent(originator),
			"session-id": threadID, "thread-id": threadID, "x-client-request-id": threadID},
	}
	sc.Tools = toolSet(cfg, client.Wire, f.oss, f.enable, f.disable)
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
	if f.outputSchema != "" {
		b, err := os.ReadFile(f.outputSchema)
		if err != nil {
			return 0, fmt.Errorf("read output schema: %w", err)
		}
		if !json.Valid(b) {
			return 0, fmt.Errorf("output schema %s is not valid JSON", f.outputSchema)
		}
		if sc.Text == nil {
			sc.Text = &model.TextControls{}
		}
		sc.Text.Format = &model.TextFormat{Type: "json_schema", Strict: true, Schema: b, Name: "codex_output_schema"}
	}
	if f.execpolicyCmd != "" {
		sc.Policy = CmdPolicy{Argv: strings.Fields(f.execpolicyCmd)}
	}
	sc.Runner = DefaultRunner()
	if f.sandboxCmd != "" {
		sc.Runner = CmdRunner{Argv: strings.Fields(f.sandboxCmd)}
	}
	if loaded != nil {
		sc.History, sc.Usage = loaded.History, loaded.Usage
	} else {
		docs := ProjectDocs(ProjectDocOptions{CodexHome: home, Cwd: cwd, MaxBytes: cfg.ProjectDocMaxBytes, Fallbacks: cfg.ProjectDocFallbackFilenames})
		shell := env.Getenv("SHELL")
		if shell == "" {
			shell = "/bin/bash"
		}
		sc.InitialContext = InitialContext(docs, cwd, EnvironmentContext(cwd, shell, env.Now(), sp, protocol.ApprovalNever),
			PermissionsText(sp, protocol.ApprovalNever))
	}
	if !f.ephemeral {
		if loaded != nil {
			sc.Recorder, err = AppendRollout(loaded.Path, env.Now)
		} else {
			sc.Recorder, err = CreateRollout(home, SessionMeta{ID: threadID, Cwd: cwd, Originator: originator, Source: "exec",
				ModelProvider: client.ProviderID, Instructions: BaseInstructions}, env.Now)
		}
		if err != nil {
			return 0, err
		}
		defer func() {
			if err := sc.Recorder.Close(); err != nil {
				fmt.Fprintf(env.Stderr, "warning: %v\n", err)
			}
		}()
	}
	sess, err := NewSession(sc)
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
		effort := cfg.ModelReasoningEffort
		summary := ""
		if sc.Reasoning != nil {
			summary = sc.Reasoning.Summary
		}
		if effort == "" {
			effort = "none"
		}
		sandboxDesc := string(sm)
		if _, ok := sc.Runner.(DirectRunner); ok && sm != protocol.SandboxDangerFullAccess {
			sandboxDesc += " (not enforced: no sandbox runner)"
		}
		hr.banner(bannerInfo{Workdir: cwd, Model: modelName, Provider: client.ProviderID, Approval: "never",
			Sandbox: sandboxDesc, Effort: effort, Summary: summary, SessionID: threadID, Prompt: prompt})
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
	if err := sess.Submit(runCtx, protocol.Submission{ID: "0", Op: protocol.UserInputOp{Items: items}}); err != nil {
		return 0, err
	}
	var last string
	failed := false
loop:
	for ev := range sess.Events() {
		if jm != nil {
			jm.handle(ev)
		} else {
			hr.handle(ev)
		}
		switch e := ev.Msg.(type) {
		case protocol.ErrorMsg:
			failed = true
		case protocol.TaskCompleteMsg:
			last = e.LastAgentMessage
			break loop
		case protocol.TurnAbortedMsg:
			failed = true
			break loop
		}
	}
	stop()
	for range sess.Events() {
	}
	<-done
	if len(cfg.Notify) > 0 && !failed {
		notify(ctx, cfg.Notify, threadID, cwd, prompt, last, env.Stderr)
	}
	if f.outputLast != "" {
		if err := os.WriteFile(f.outputLast, []byte(last), 0o644); err != nil {
			return 0, fmt.Errorf("write --output-last-message: %w", err)
		}
	}
	if jm == nil && last != "" {
		fmt.Fprintln(env.Stdout, last)
	}
	if jm != nil && jm.err != nil {
		return 1, nil
	}
	if failed {
		return 1, nil
	}
	return 0, nil
}

// readPrompt takes the prompt from the argument and/or stdin.
func readPrompt(pos []string, env ExecEnv) (string, error) {
	arg := ""
	if len(pos) == 1 {
		arg = pos[0]
	}
	if arg == "" || arg == "-" {
		if arg == "" && env.Stdin == nil {
			return "", nil
		}
		b, err := io.ReadAll(env.Stdin)
		if err != nil {
			return "", fmt.Errorf("read prompt from stdin: %w", err)
		}
		return strings.TrimRight(string(b), "\n"), nil
	}
	piped := false
	if env.StdinIsPipe != nil {
		piped = env.StdinIsPipe()
	} else if f, ok := env.Stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil {
			piped = st.Mode()&os.ModeNamedPipe != 0 || st.Mode().IsRegular()
		}
	}
	if piped {
		fmt.Fprintln(env.Stderr, "Reading additional input from stdin...")
		b, err := io.ReadAll(env.Stdin)
		if err != nil {
			return "", fmt.Errorf("read stdin: %w", err)
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			return arg + "\n\n<stdin>\n" + s + "\n</stdin>", nil
		}
	}
	return arg, nil
}

// toolSet picks the tools for the model and wire.
func toolSet(cfg *config.Config, wire string, oss bool, enable, disable []string) ToolSet {
	feat := map[string]bool{}
	for k, v := range cfg.Features {
		feat[k] = v
	}
	for _, e := range enable {
		feat[e] = true
	}
	for _, d := range disable {
		feat[d] = false
	}
	t := ToolSet{Shell: ShellExecCommand, FreeformPatch: wire == "responses" && !oss, Plan: true}
	if v, ok := feat["unified_exec"]; (ok && !v) || wire == "chat" || oss {
		t.Shell = ShellClassic
	}
	if v, ok := feat["apply_patch_freeform"]; ok {
		t.FreeformPatch = v && wire == "responses"
	}
	switch up := cfg.Tools["update_plan"].(type) {
	case bool:
		t.Plan = up
	case map[string]any:
		if e, ok := up["enabled"].(bool); ok {
			t.Plan = e
		}
	}
	return t
}

// notify runs config's notify program with the agent-turn-complete JSON
// as its last argument, as the Codex CLI does; failures are warnings.
func notify(ctx context.Context, argv []string, threadID, cwd, prompt, last string, stderr io.Writer) {
	payload, err := json.Marshal(map[string]any{"type": "agent-turn-complete", "thread-id": threadID, "turn-id": "0",
		"cwd": cwd, "input-messages": []string{prompt}, "last-assistant-message": last})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], append(append([]string(nil), argv[1:]...), string(payload))...)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(stderr, "warning: notify %s: %v\n", argv[0], err)
	}
}
