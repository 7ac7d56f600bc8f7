// Package sandbox is codex-sandbox: it runs any command under a sandbox
// policy (Landlock + seccomp through codex-linux-sandbox on Linux,
// Seatbelt on macOS) as a small supervisor that ends the command's whole
// process tree on exit, timeout or signal.
package sandbox

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/version"
)

// ToolName is the argv[0] that selects this tool.
const ToolName = "codex-sandbox"

type options struct {
	mode      string
	cd        string
	addDirs   []string
	network   bool
	allowUnix bool
	// noSlashTmp and noTmpdir drop /tmp and $TMPDIR from workspace-write's
	// roots, as the Codex policy's exclude_slash_tmp and
	// exclude_tmpdir_env_var do.
	noSlashTmp, noTmpdir bool
	timeout              time.Duration
	json                 bool
	explain              bool
	policyJSON           string
	reportFD             int
	maxOutput            int
	session              bool
	commandArgv          []string
}

// stringList is a repeatable string flag.
type stringList struct{ list *[]string }

// String joins the values.
func (s stringList) String() string {
	if s.list == nil {
		return ""
	}
	return strings.Join(*s.list, ",")
}

// Set appends one value.
func (s stringList) Set(v string) error { *s.list = append(*s.list, v); return nil }

// flagSet defines codex-sandbox's flags, bound to o. Parsing, --help,
// the man page and completion all use it.
func flagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet(ToolName, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.mode, "sandbox", "read-only", "`MODE`: read-only, workspace-write or danger-full-access")
	fs.StringVar(&o.cd, "cd", "", "`DIR`: working directory and first writable root (default: current directory)")
	fs.Var(stringList{&o.addDirs}, "add-dir", "`DIR`: extra writable root (repeatable; workspace-write)")
	fs.BoolVar(&o.network, "network", false, "allow the network")
	fs.BoolVar(&o.allowUnix, "allow-unix-sockets", false, "allow connecting to unix sockets while the network is off")
	fs.BoolVar(&o.noSlashTmp, "exclude-slash-tmp", false, "workspace-write: /tmp is not writable (extension)")
	fs.BoolVar(&o.noTmpdir, "exclude-tmpdir-env-var", false, "workspace-write: $TMPDIR is not writable (extension)")
	fs.DurationVar(&o.timeout, "timeout", 0, "end the whole process tree after this long, e.g. 30s (exit 124)")
	fs.BoolVar(&o.json, "json", false, "read one JSON request on stdin, write one JSON result on stdout")
	fs.BoolVar(&o.explain, "explain", false, "print the effective policy and what the kernel enforces, as JSON; run nothing")
	fs.StringVar(&o.policyJSON, "sandbox-policy", "", "Codex sandbox policy `JSON`; overrides --sandbox, --network, --allow-unix-sockets (extension)")
	fs.IntVar(&o.reportFD, "report-fd", -1, "write the JSON result, without output, to file descriptor `FD` (extension)")
	fs.BoolVar(&o.session, "new-session", false, "start the command in a session of its own with its standard input, a terminal, as controlling terminal (extension)")
	fs.IntVar(&o.maxOutput, "max-output", defaultMaxOutput, "--json: `BYTES` kept of each of stdout and stderr (head and tail)")
	return fs
}

// CLI describes codex-sandbox for --help, man pages and completion.
func CLI() *cli.Command {
	return &cli.Command{
		Name:     ToolName,
		Summary:  "run any command under a sandbox policy (Landlock + seccomp, Seatbelt)",
		Synopsis: []string{"[flags] -- COMMAND [ARG...]", "--json < REQUEST.json", "--explain [flags]"},
		Description: `Runs COMMAND under a sandbox policy: read-only (the default) lets it write
nowhere, workspace-write lets it write in the working directory, each
--add-dir, $TMPDIR and /tmp (with .git, .codex and .agents kept read-only),
danger-full-access restricts nothing. The network is off unless --network.
codex-sandbox ends the command's whole process tree when it exits, on
--timeout and on SIGINT, SIGTERM or SIGHUP.

Every flag can also be set as CODEX_SANDBOX_<FLAG> (e.g.
CODEX_SANDBOX_TIMEOUT=10s).`,
		Flags: func() *flag.FlagSet { return flagSet(&options{}) },
		Examples: []cli.Example{
			{Command: "codex-sandbox -- ls /", Explain: "read-only: the command may read but write nowhere"},
			{Command: "codex-sandbox --sandbox workspace-write -- make test", Explain: "may write in the current directory, /tmp and $TMPDIR; no network"},
			{Command: "codex-sandbox --sandbox workspace-write --add-dir ../cache --network -- npm ci", Explain: "one more writable directory, and the network"},
			{Command: "codex-sandbox --timeout 30s -- ./slow.sh", Explain: "end the whole process tree after 30 seconds (exit 124)"},
			{Command: `echo '{"argv":["id"]}' | codex-sandbox --json`, Explain: "one JSON request in, one JSON result (output, exit code, what was enforced) out"},
			{Command: "codex-sandbox --explain --sandbox workspace-write", Explain: "what the policy allows and what this kernel enforces, as JSON"},
		},
		ExitCodes: []cli.ExitCode{
			{Code: "N", Meaning: "the command's own exit status"},
			{Code: "128+N", Meaning: "the command died of signal N (or codex-sandbox was stopped by it)"},
			{Code: "124", Meaning: "--timeout expired"},
			{Code: "125", Meaning: "the sandbox could not be set up (the command never runs unsandboxed)"},
			{Code: "126", Meaning: "COMMAND is not executable"},
			{Code: "127", Meaning: "COMMAND was not found"},
			{Code: "2", Meaning: "usage error"},
			{Code: "0", Meaning: "--json: a result was written (the command's status is in it)"},
		},
	}
}

func parse(args, env []string, stdout, stderr io.Writer) (*options, int, error) {
	o := &options{reportFD: -1}
	fs := flagSet(o)
	if err := linuxsandbox.ParseFlags(fs, args, env, "CODEX_SANDBOX"); err != nil {
		code, _ := cli.HandleParse(CLI(), fs, err, stdout, stderr)
		return nil, code, err
	}
	o.commandArgv = fs.Args()
	return o, 0, nil
}

// policy builds the sandbox policy the flags ask for.
func (o *options) policy() (protocol.SandboxPolicy, error) {
	if o.policyJSON != "" {
		p, err := linuxsandbox.DecodePolicy([]byte(o.policyJSON))
		if err != nil {
			return p, fmt.Errorf("bad --sandbox-policy: %w", err)
		}
		p.WritableRoots = append(p.WritableRoots, o.addDirs...)
		return p, nil
	}
	mode, err := protocol.ParseSandboxMode(o.mode)
	if err != nil {
		return protocol.SandboxPolicy{}, err
	}
	return protocol.SandboxPolicy{Mode: mode, WritableRoots: o.addDirs, NetworkAccess: o.network, AllowUnixSockets: o.allowUnix,
		ExcludeSlashTmp: o.noSlashTmp, ExcludeTmpdirEnvVar: o.noTmpdir}, nil
}

// Main runs codex-sandbox with args (without the program name).
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, args, os.Environ(), stdin, stdout, stderr)
}

func run(ctx context.Context, args, env []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if cli.IsVersion(args) {
		cli.PrintVersion(stdout, ToolName, version.Version)
		return 0
	}
	ignored := signalsIgnored()
	if ignored || mayNeedSignals(args, env) {
		// Before the flags are even parsed, so that signal.Notify
		// overlaps as much of the set-up as it can (see below).
		startSignals(ctx)
	}
	o, code, err := parse(args, env, stdout, stderr)
	if err != nil {
		return code
	}
	usageErr := func(format string, a ...any) int {
		msg := fmt.Sprintf(format, a...)
		fmt.Fprintf(stderr, "%s: %s\n", ToolName, msg)
		if o != nil {
			writeReport(o.reportFD, protocol.ExecResult{ExitCode: ExitUsage, Error: msg})
		}
		return ExitUsage
	}
	if o.reportFD >= 0 || o.json {
		// Handlers will be needed (job.dieOnSignal): supervise waits for
		// them before the command starts; they are installed beside the
		// rest of the set-up.
		startSignals(ctx)
	}
	if o.reportFD >= 0 {
		// Only this process writes the report; no child may hold it open.
		syscall.CloseOnExec(o.reportFD)
	}
	getenv := linuxsandbox.Getenv(env)
	if o.json {
		return runJSON(ctx, o, env, stdin, stdout, stderr)
	}
	policy, err := o.policy()
	if err != nil {
		return usageErr("%v", err)
	}
	if policy.Mode == protocol.SandboxDangerFullAccess {
		// No helper, no PID namespace: the handlers end the tree.
		startSignals(ctx)
	}
	if len(o.addDirs) > 0 && policy.Mode == protocol.SandboxReadOnly {
		// Only workspace-write has writable roots; say so rather than
		// ignore the flag.
		fmt.Fprintf(stderr, "%s: warning: --add-dir %s has no effect with --sandbox read-only; use --sandbox workspace-write to make it writable\n", ToolName, strings.Join(o.addDirs, ", "))
	}
	cwd, err := resolveCwd(o.cd)
	if err != nil {
		return usageErr("%v", err)
	}
	plan, err := supervisorPlan(policy, cwd, getenv)
	if err != nil {
		return usageErr("%v", err)
	}
	if o.explain {
		return explain(plan, env, stdout, stderr)
	}
	if len(o.commandArgv) == 0 {
		return usageErr("no command given (usage: codex-sandbox [flags] -- COMMAND [ARG...])")
	}
	out := supervise(ctx, job{argv: o.commandArgv, plan: plan, env: env, stdin: stdin, stdout: stdout, stderr: stderr, timeout: o.timeout, session: o.session,
		dieOnSignal: o.reportFD < 0 && !ignored})
	tell(stderr, out)
	writeReport(o.reportFD, result(out))
	return out.exitCode
}

// mayNeedSignals is a quick look at the arguments and environment, before
// they are parsed, for what may need signal handlers (--json,
// --report-fd, danger-full-access, or any CODEX_SANDBOX_ setting): true
// starts installing them at once, beside the parsing and planning
// (startSignals), as codex-sandbox always did. A wrong guess costs only
// time: the parsed flags decide whether they are waited for.
func mayNeedSignals(args, env []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		if strings.Contains(a, "json") || strings.Contains(a, "report-fd") || strings.Contains(a, "danger-full-access") {
			return true
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "CODEX_SANDBOX_") && !strings.HasPrefix(kv, "CODEX_SANDBOX_GOMAXPROCS_ORIG=") {
			return true
		}
	}
	return false
}

// tell writes to stderr what the supervisor has to say about out: what
// the sandbox could not enforce, and why the command did not run or
// failed to start.
func tell(stderr io.Writer, out outcome) {
	if out.report != nil {
		linuxsandbox.WarnUnprotected(stderr, out.report.Unavailable)
	}
	if out.err != "" && !out.timedOut {
		fmt.Fprintf(stderr, "%s: %s\n", ToolName, out.err)
	}
}

// resolveCwd checks that dir (default: the current directory) exists.
func resolveCwd(dir string) (string, error) {
	if dir == "" {
		return os.Getwd()
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("--cd %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("--cd %s: not a directory", dir)
	}
	return dir, nil
}

// result turns an outcome into the wire result (without output).
func result(out outcome) protocol.ExecResult {
	return protocol.ExecResult{
		ExitCode:   out.exitCode,
		Signal:     out.signal,
		TimedOut:   out.timedOut,
		DurationMS: out.duration.Milliseconds(),
		Error:      out.err,
		Sandbox:    out.report,
	}
}

// writeReport writes res as one JSON line to fd, if one was given.
func writeReport(fd int, res protocol.ExecResult) {
	if fd < 0 {
		return
	}
	f := os.NewFile(uintptr(fd), "report")
	if f == nil {
		return
	}
	defer func() { _ = f.Close() }()
	_, _ = f.Write(append(res.AppendJSON(nil), '\n'))
}

// envList turns a request's environment map into a sorted list.
func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
