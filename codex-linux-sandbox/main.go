// Package linuxsandbox is codex-linux-sandbox: it restricts itself with
// Landlock, seccomp, no_new_privs, dropped capabilities and (where it has
// CAP_SYS_ADMIN) a private read-only mount namespace, then execs the
// command, so no process stays between the sandbox and the command.
//
// It accepts the Codex CLI helper's flags, so programs written for that
// helper can use it unchanged, and it is what codex-sandbox re-executes
// through the arg0 trick.
package linuxsandbox

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/codexgo/codex-linux-sandbox/internal/nsinit"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/version"
)

// ToolName is the argv[0] that selects this tool.
const ToolName = "codex-linux-sandbox"

// Exit codes of the helper besides the command's own status.
const (
	ExitUsage         = 2
	ExitSetupFailed   = 125
	ExitNotExecutable = 126
	ExitNotFound      = 127
)

// HelperReport is one JSON line the helper writes to --report-fd: once
// when the sandbox is in force just before exec (Stage "exec"), and again
// if it could not be set up or the exec failed (Stage "error"); in a PID
// namespace, its init adds one when the command ends (Stage "exit").
// Every line carries protocol_version (protocol.SandboxReportProtocolVersion;
// schema/report.schema.json).
type HelperReport struct {
	ProtocolVersion int                     `json:"protocol_version"`
	Stage           string                  `json:"stage"`
	Report          *protocol.SandboxReport `json:"sandbox,omitempty"`
	Error           string                  `json:"error,omitempty"`
	ExitCode        int                     `json:"exit_code,omitempty"`
	// Status is the command's raw wait status, reported by the PID
	// namespace's init when the command ends (Stage "exit").
	Status *int `json:"status,omitempty"`
}

// Main runs codex-linux-sandbox with args (without the program name). On
// success it does not return: the process becomes the command.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	_ = ctx // the helper execs at once; there is nothing to cancel
	if len(args) == 2 && args[0] == ParkedArg {
		return runParked(args[1], stdout, stderr)
	}
	return run(args, os.Environ(), stdout, stderr)
}

// explainTo writes e as indented JSON.
func explainTo(stdout, stderr io.Writer, e Explanation) int {
	e.ProtocolVersion = protocol.SandboxReportProtocolVersion
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "%s: encode explanation: %v\n", ToolName, err)
		return 1
	}
	if _, err := stdout.Write(append(b, '\n')); err != nil {
		return 1
	}
	return 0
}

type helperFlags struct {
	policyCwd, policyJSON, commandCwd, permissionProfile string
	reportFD                                             int
	explain                                              bool
}

// flagSet defines the helper's flags, bound to f. Parsing, --help, the
// man page and completion all use it.
func flagSet(f *helperFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(ToolName, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.policyCwd, "sandbox-policy-cwd", "", "`DIR` the policy's relative and default roots resolve against (default: current directory)")
	fs.StringVar(&f.policyJSON, "sandbox-policy", "", "Codex sandbox policy `JSON`, e.g. {\"mode\":\"workspace-write\"}")
	fs.StringVar(&f.commandCwd, "command-cwd", "", "`DIR` the command starts in (default: the policy cwd)")
	fs.IntVar(&f.reportFD, "report-fd", -1, "write JSON lines about the sandbox to file descriptor `FD` (extension)")
	fs.BoolVar(&f.explain, "explain", false, "print what would be enforced here as JSON and exit, running nothing (extension)")
	fs.StringVar(&f.permissionProfile, "permission-profile", "", "the Codex CLI 0.169 helper's permission profile JSON (instead of --sandbox-policy)")
	// Accepted for compatibility with newer Codex CLIs; Landlock is our
	// only mechanism and /proc is never remounted.
	fs.Bool("use-legacy-landlock", false, "accepted for compatibility (no effect)")
	fs.Bool("apply-seccomp-then-exec", false, "accepted for compatibility (no effect, same as --use-legacy-landlock)")
	fs.Bool("no-proc", false, "accepted for compatibility (no effect, /proc is never remounted)")
	return fs
}

// CLI describes codex-linux-sandbox for --help, man pages and completion.
func CLI() *cli.Command {
	return &cli.Command{
		Name:    ToolName,
		Summary: "apply a Codex sandbox policy to itself and exec a command (the Codex CLI's Linux helper)",
		Synopsis: []string{"--sandbox-policy JSON [--sandbox-policy-cwd DIR] [--command-cwd DIR] -- COMMAND [ARG...]",
			"--permission-profile JSON --sandbox-policy-cwd DIR [--command-cwd DIR] -- COMMAND [ARG...]", "--explain --sandbox-policy JSON"},
		Description: `Restricts itself with Landlock, seccomp, no_new_privs, dropped capabilities
and, where it has CAP_SYS_ADMIN, a private read-only mount namespace, then
execs COMMAND: no process stays between the sandbox and the command. It
takes the Codex CLI helper's flags, the older --sandbox-policy and 0.169's
--permission-profile, so programs written for either helper can ship it
unchanged; codex-sandbox re-executes it where a namespace is
needed. Every flag can also be set as CODEX_LINUX_SANDBOX_<FLAG>.`,
		Flags: func() *flag.FlagSet { return flagSet(&helperFlags{}) },
		Examples: []cli.Example{
			{Command: `codex-linux-sandbox --sandbox-policy '{"mode":"read-only"}' -- ls /`, Explain: "list / under a read-only policy"},
			{Command: `codex-linux-sandbox --sandbox-policy-cwd "$PWD" --sandbox-policy '{"mode":"workspace-write"}' -- make`, Explain: "may write in the current directory, /tmp and $TMPDIR"},
			{Command: `codex-linux-sandbox --explain --sandbox-policy '{"mode":"workspace-write","network_access":true}'`, Explain: "what this kernel would enforce, as JSON"},
		},
		ExitCodes: []cli.ExitCode{
			{Code: "N", Meaning: "the command's own exit status (the helper becomes the command)"},
			{Code: "125", Meaning: "the sandbox could not be set up (the command never runs unsandboxed)"},
			{Code: "126", Meaning: "COMMAND is not executable"},
			{Code: "127", Meaning: "COMMAND was not found"},
			{Code: "2", Meaning: "usage error"},
		},
	}
}

func parseFlags(args, env []string, stdout, stderr io.Writer) (*helperFlags, []string, error) {
	var f helperFlags
	fs := flagSet(&f)
	if err := ParseFlags(fs, args, env, "CODEX_LINUX_SANDBOX"); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			CLI().WriteHelp(stdout)
			return nil, nil, flag.ErrHelp
		}
		return nil, nil, errors.New(cli.FlagError(fs, err))
	}
	return &f, fs.Args(), nil
}

func run(args, env []string, stdout, stderr io.Writer) int {
	if cli.IsVersion(args) {
		cli.PrintVersion(stdout, ToolName, version.Version)
		return 0
	}
	env = RestoreEnv(env)
	// First thing, while nothing has made this process non-dumpable.
	env, ids := cutMapIDs(env)
	var mapErr error
	if ids != "" {
		mapErr = mapOwnIDs(ids)
	}
	f, argv, err := parseFlags(args, env, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	rep := reporter(-1)
	if f != nil {
		rep = reporter(f.reportFD)
	}
	fail := func(code int, format string, a ...any) int {
		msg := fmt.Sprintf(format, a...)
		if rep < 0 {
			fmt.Fprintf(stderr, "%s: %s\n", ToolName, msg)
		}
		// With a report fd the reader (codex-sandbox) tells the user, in
		// its own words; the command's stderr gets nothing of ours.
		rep.write(HelperReport{Stage: "error", Error: msg, ExitCode: code})
		return code
	}
	if mapErr != nil {
		return fail(ExitSetupFailed, "sandbox setup failed: %v", mapErr)
	}
	if err != nil {
		return fail(ExitUsage, "%v", err)
	}
	if len(argv) == 0 && !f.explain {
		return fail(ExitUsage, "no command given (usage: %s --sandbox-policy JSON -- COMMAND [ARG...])", ToolName)
	}
	if f.policyJSON == "" && f.permissionProfile == "" {
		return fail(ExitUsage, "--sandbox-policy or --permission-profile is required")
	}
	if f.policyJSON != "" && f.permissionProfile != "" {
		return fail(ExitUsage, "give either --sandbox-policy or --permission-profile, not both")
	}
	getenv := Getenv(env)
	policyCwd := f.policyCwd
	if policyCwd == "" {
		if policyCwd, err = os.Getwd(); err != nil {
			return fail(ExitSetupFailed, "current directory: %v", err)
		}
	}
	var policy protocol.SandboxPolicy
	if f.permissionProfile != "" {
		if policyCwd, err = filepath.Abs(policyCwd); err == nil {
			policy, err = DecodePermissionProfile([]byte(f.permissionProfile), policyCwd)
		}
		if err != nil {
			return fail(ExitUsage, "bad --permission-profile: %v", err)
		}
	} else if policy, err = DecodePolicy([]byte(f.policyJSON)); err != nil {
		return fail(ExitUsage, "bad --sandbox-policy: %v", err)
	}
	plan, err := NewPlan(policy, policyCwd, f.commandCwd, getenv)
	if err != nil {
		return fail(ExitUsage, "%v", err)
	}
	setup := Prepare(plan)
	if f.explain {
		if plan.Restricted() {
			setup.Limits = KnownLimits()
		}
		return explainTo(stdout, stderr, setup.Explanation)
	}
	// Everything from here on happens on this OS thread, which also execs:
	// the restrictions are per thread and the command inherits them.
	runtime.LockOSThread()
	if err := setup.Apply(); err != nil {
		return fail(ExitSetupFailed, "sandbox setup failed: %v", err)
	}
	env = CommandEnv(plan, env)
	if f.reportFD < 0 {
		// Standalone: stderr is the only place to say what is not enforced.
		WarnUnprotected(stderr, setup.Unavailable)
	}
	if plan.Restricted() {
		closeInherited()
	}
	rep.write(HelperReport{Stage: "exec", Report: setup.Report()})
	if setup.PIDNamespace && nsinit.Program != "" {
		// PID 1 ignores every signal it has no handler for: the command
		// runs under an init instead of being it.
		err = execInit(argv, plan.CommandCwd, env, f.reportFD)
	} else {
		err = execve(argv, plan.CommandCwd, env)
	}
	var ee *ExecError
	if errors.As(err, &ee) {
		return fail(ee.Code, "%v", ee.Err)
	}
	return fail(ExitNotExecutable, "%v", err)
}

// CommandEnv is the environment a command is started with: env with
// one setting per key (the first, see Getenv, so the command and the
// plan read the same value), and the variables that tell a command it runs
// sandboxed set, not added beside the caller's own: CODEX_SANDBOX=landlock
// under a restricted plan and CODEX_SANDBOX_NETWORK_DISABLED=1 when the
// network is off.
func CommandEnv(plan *Plan, env []string) []string {
	var set []string
	if plan.Restricted() {
		set = append(set, "CODEX_SANDBOX=landlock")
		if !plan.Network() {
			set = append(set, "CODEX_SANDBOX_NETWORK_DISABLED=1")
		}
	}
	return withEnv(env, set...)
}

// WarnUnprotected prints one line to w when the protected subpaths are
// not read-only on this machine, so nobody relies on it unknowingly.
func WarnUnprotected(w io.Writer, unavailable []string) {
	for _, u := range unavailable {
		if strings.HasPrefix(u, "protected-subpaths: no mount namespace") {
			fmt.Fprintf(w, "%s: warning: %s\n", ToolName, u)
		}
	}
}

// reporter writes HelperReport lines to a file descriptor that is closed
// when the command is exec'd, so the reader sees EOF exactly then.
type reporter int

func (r reporter) write(h HelperReport) {
	if r < 0 {
		return
	}
	syscall.CloseOnExec(int(r))
	h.ProtocolVersion = protocol.SandboxReportProtocolVersion
	// A reader that went away must not stop the command.
	_, _ = syscall.Write(int(r), append(h.appendJSON(nil), '\n'))
}

// appendJSON appends h as json.Marshal would encode it, without
// encoding/json's cold start (see protocol.ExecResult.AppendJSON).
func (h HelperReport) appendJSON(b []byte) []byte {
	b = append(b, `{"protocol_version":`...)
	b = strconv.AppendInt(b, int64(h.ProtocolVersion), 10)
	b = append(b, `,"stage":`...)
	b = protocol.AppendJSONString(b, h.Stage)
	if h.Report != nil {
		b = append(b, `,"sandbox":`...)
		b = h.Report.AppendJSON(b)
	}
	if h.Error != "" {
		b = append(b, `,"error":`...)
		b = protocol.AppendJSONString(b, h.Error)
	}
	if h.ExitCode != 0 {
		b = append(b, `,"exit_code":`...)
		b = strconv.AppendInt(b, int64(h.ExitCode), 10)
	}
	return append(b, '}')
}
