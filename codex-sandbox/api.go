package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/selfexec"
)

// BecomeHelperIfRequested runs codex-sandbox or codex-linux-sandbox when
// args[0] names one of them, and reports handled=false otherwise. Call it
// first in main (and in TestMain) of any binary that uses Command or Run,
// since those re-execute the running binary under these names, before
// any signal set-up of your own, and exit with the returned code:
//
//	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
//		os.Exit(code)
//	}
//
// As codex-sandbox it turns SIGINT, SIGTERM and SIGHUP into ending the
// command's tree, and leaves them caught when it returns: exit then. As codex-linux-sandbox it installs no signal handling:
// it execs the command at once, and a handler would only cost start time.
func BecomeHelperIfRequested(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int, handled bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch selfexec.Name(args[0]) {
	case linuxsandbox.ToolName:
		return linuxsandbox.Main(context.Background(), args[1:], stdin, stdout, stderr), true
	case ToolName:
		// No signal.Stop: the caller exits at once (see above), and Stop
		// costs a round trip to the runtime's signal-mask thread per
		// signal plus a wait for the delivery goroutine to go idle
		// (0.1-0.4 ms of a 5 ms run; README, Speed).
		return Main(notifyContextLazy(), args[1:], stdin, stdout, stderr), true
	}
	return 0, false
}

// cancelGrace is how long a cancelled command's supervisor gets to end
// the tree after SIGTERM before it is killed outright.
const cancelGrace = 2 * time.Second

// Command returns a command that runs req.Argv under req.SandboxPolicy in
// req.Cwd (default: the current directory) with req.Env (nil: inherit),
// through a codex-sandbox supervisor re-executed from this binary. The
// caller sets Stdout and Stderr (any io.Writer; output streams as it
// comes) and then Start/Wait or Run as with any *exec.Cmd. req.Stdin, if
// set, is the command's input. The exit status follows codex-sandbox's
// rules (the command's own, 128+N on signal, 124 on req.TimeoutMS, 125
// set-up failed, 126, 127).
//
// The supervisor runs in its own process group; cancelling ctx sends it
// SIGTERM, on which it kills the command's whole tree (setsid'd and
// daemonised descendants included), and SIGKILL follows after a grace
// period. It also gets SIGTERM when the thread that started it ends, as
// when the calling program is killed, even with SIGKILL
// (PR_SET_PDEATHSIG): so start it from a goroutine that has not locked
// its thread, or one whose thread outlives the command. The binary must
// call BecomeHelperIfRequested first in main.
func Command(ctx context.Context, req protocol.ExecRequest) (*exec.Cmd, error) {
	return command(ctx, req, -1, false)
}

func command(ctx context.Context, req protocol.ExecRequest, reportFD int, session bool) (*exec.Cmd, error) {
	if len(req.Argv) == 0 || req.Argv[0] == "" {
		return nil, errors.New("sandbox: empty argv")
	}
	if req.SandboxPolicy.Mode == "" {
		req.SandboxPolicy.Mode = protocol.SandboxReadOnly
	}
	policy, err := json.Marshal(req.SandboxPolicy)
	if err != nil {
		return nil, fmt.Errorf("sandbox: encode policy: %w", err)
	}
	args := []string{"--sandbox-policy", string(policy)}
	if req.Cwd != "" {
		args = append(args, "--cd", req.Cwd)
	}
	if req.TimeoutMS > 0 {
		args = append(args, "--timeout", (time.Duration(req.TimeoutMS) * time.Millisecond).String())
	}
	if reportFD >= 0 {
		args = append(args, "--report-fd", strconv.Itoa(reportFD))
	}
	if session {
		args = append(args, "--new-session")
	}
	args = append(args, "--")
	args = append(args, req.Argv...)
	cmd, err := selfexec.Command(ctx, ToolName, args...)
	if err != nil {
		return nil, fmt.Errorf("sandbox: find own executable: %w", err)
	}
	if req.Env != nil {
		cmd.Env = envList(req.Env)
	} else {
		cmd.Env = os.Environ()
	}
	// No GOMAXPROCS=1 for the supervisor: its signal set-up runs on a
	// second P beside the sandbox set-up, and one P made a run ~0.35 ms
	// slower here (the helper, which has nothing to run beside, still
	// gets it: FastStartEnv in buildCmd).
	if req.Stdin != nil {
		cmd.Stdin = strings.NewReader(*req.Stdin)
	}
	// Its own group; SIGTERM (on which it ends the command's tree) when
	// the thread that started it ends, as when this program is killed.
	cmd.SysProcAttr = selfexec.DieWithParent(&syscall.SysProcAttr{Setpgid: true})
	cmd.Cancel = func() error {
		// The whole group: the supervisor ends the tree on SIGTERM, and
		// anything still in the group goes with it.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	cmd.WaitDelay = cancelGrace
	return cmd, nil
}

// Run runs req like Command, streaming the command's output to stdout
// and stderr (either may be nil to discard), and returns the result:
// exit code, signal, timeout, duration and the sandbox report. The
// result's Stdout and Stderr are empty (the output was streamed). err is
// set only when the supervisor could not be started or vanished; a
// failing command is a result, not an error.
func Run(ctx context.Context, req protocol.ExecRequest, stdout, stderr io.Writer) (protocol.ExecResult, error) {
	return Supervisor{}.Run(ctx, req, stdout, stderr)
}

// RunStdin is Run with the command's standard input read from stdin
// instead of req.Stdin: the read end of a pipe whose write end the caller
// keeps (an interactive session's input), or a terminal. The descriptor
// is handed down to the command, not copied through, so the command sees
// it as it is (a terminal stays a terminal) and Run returns when the
// command ends, whether or not stdin is at its end. A stdout or stderr
// that is an *os.File is handed down the same way (a terminal for all
// three: its output is then the caller's to read, and the denial guess
// has none to look at).
func RunStdin(ctx context.Context, req protocol.ExecRequest, stdin *os.File, stdout, stderr io.Writer) (protocol.ExecResult, error) {
	return Supervisor{}.RunStdin(ctx, req, stdin, stdout, stderr)
}

// RunTerminal is Run with tty, a terminal's far end, as the command's
// standard input, output and error and as its controlling terminal: the
// command starts a session of its own, so ^C written to the terminal
// interrupts it. The output is the caller's to read from the terminal.
func RunTerminal(ctx context.Context, req protocol.ExecRequest, tty *os.File) (protocol.ExecResult, error) {
	return Supervisor{}.RunTerminal(ctx, req, tty)
}

// Supervisor says which process supervises the commands its Run,
// RunStdin and RunTerminal start (the package functions of those names
// use the zero value): by default a codex-sandbox process re-executed
// from this binary, one per command.
type Supervisor struct {
	// InProcess lets the calling process supervise the helper itself,
	// one Go process start per command instead of two (README, Speed),
	// wherever that keeps every guarantee of the supervisor process: on
	// Linux, for a restricted policy, as root or as an ordinary user.
	// The helper, the single-threaded hop that restricts itself whole
	// before the command exists, is then the init of a PID namespace of
	// its own (without CAP_SYS_ADMIN inside a user and mount namespace
	// of its own too, whose uid and gid maps the helper writes itself),
	// in a process group of its own, with the parent-death signal:
	// killing it, on cancel, on timeout or when the caller dies (even by
	// SIGKILL), ends the whole tree, and nothing inside can name the
	// caller. The caller is made non-dumpable, process-wide and for
	// good, before its first helper starts, as codex-sandbox makes
	// itself, so its memory and descriptors need CAP_SYS_PTRACE; it is
	// never dumpable again, not even while a helper starts. No subreaper
	// is set and no child of the caller's but the helper is waited for.
	// Where user namespaces are refused (a sysctl, a nested container),
	// danger-full-access, or macOS, a codex-sandbox process supervises,
	// as with the zero value (the first found out by the helper's start
	// failing, before anything runs). Results, output and messages are
	// the same in every shape.
	InProcess bool
	// Ahead, with InProcess, is where a helper started ahead of the
	// command waits (see Ahead): a command of Run or RunStdin that this
	// process supervises hands its plan to it, if one is parked, instead
	// of starting a helper. Nil: every command starts its own.
	Ahead *Ahead
}

// Run is the package's Run under s.
func (s Supervisor) Run(ctx context.Context, req protocol.ExecRequest, stdout, stderr io.Writer) (protocol.ExecResult, error) {
	return s.run(ctx, req, nil, stdout, stderr, false)
}

// RunStdin is the package's RunStdin under s.
func (s Supervisor) RunStdin(ctx context.Context, req protocol.ExecRequest, stdin *os.File, stdout, stderr io.Writer) (protocol.ExecResult, error) {
	return s.run(ctx, req, stdin, stdout, stderr, false)
}

// RunTerminal is the package's RunTerminal under s.
func (s Supervisor) RunTerminal(ctx context.Context, req protocol.ExecRequest, tty *os.File) (protocol.ExecResult, error) {
	return s.run(ctx, req, tty, tty, tty, true)
}

func (s Supervisor) run(ctx context.Context, req protocol.ExecRequest, stdin *os.File, stdout, stderr io.Writer, session bool) (protocol.ExecResult, error) {
	if s.InProcess {
		if res, ok := runInProcess(ctx, req, stdin, stdout, stderr, session, s.Ahead); ok {
			return res, nil
		}
	}
	return runAPI(ctx, req, stdin, stdout, stderr, session)
}

// runInProcess runs req with this process as the supervisor (see
// Supervisor.InProcess), exactly as a codex-sandbox process given the
// same request would; ok is false, with nothing started, when that
// shape does not apply or the request is refused before anything starts
// (the supervisor process then words the refusal as always).
func runInProcess(ctx context.Context, req protocol.ExecRequest, stdin *os.File, stdout, stderr io.Writer, session bool, ahead *Ahead) (res protocol.ExecResult, ok bool) {
	if len(req.Argv) == 0 || req.Argv[0] == "" {
		return res, false
	}
	if req.SandboxPolicy.Mode == "" {
		req.SandboxPolicy.Mode = protocol.SandboxReadOnly
	}
	// The policy as codex-sandbox reads it from command's --sandbox-policy.
	b, err := json.Marshal(req.SandboxPolicy)
	if err != nil {
		return res, false
	}
	policy, err := linuxsandbox.DecodePolicy(b)
	if err != nil {
		return res, false
	}
	env := os.Environ()
	if req.Env != nil {
		env = envList(req.Env)
	}
	cwd, err := resolveCwd(req.Cwd)
	if err != nil {
		return res, false
	}
	plan, err := supervisorPlan(policy, cwd, linuxsandbox.Getenv(env))
	if err != nil || !inProcessOK(plan) {
		return res, false
	}
	tail := &tailBuffer{max: 4096}
	j := job{argv: req.Argv, plan: plan, env: env, stdout: tapped(stdout, tail, stdin != nil), stderr: tapped(stderr, tail, stdin != nil),
		timeout: time.Duration(req.TimeoutMS) * time.Millisecond, session: session, inProcess: true}
	if !session {
		// The plan just decided, for this call, is what it receives.
		j.parked = ahead.take()
	}
	switch {
	case stdin != nil:
		j.stdin = stdin
	case req.Stdin != nil:
		j.stdin = strings.NewReader(*req.Stdin)
	}
	out := supervise(ctx, j)
	if out.notStarted {
		return res, false
	}
	tell(j.stderr, out)
	res = result(out)
	guessDenial(&res, req.SandboxPolicy, tail)
	return res, true
}

func runAPI(ctx context.Context, req protocol.ExecRequest, stdin *os.File, stdout, stderr io.Writer, session bool) (protocol.ExecResult, error) {
	cmd, err := command(ctx, req, 3, session)
	if err != nil {
		return protocol.ExecResult{}, err
	}
	if stdin != nil {
		cmd.Stdin = stdin
	}
	tail := &tailBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = tapped(stdout, tail, stdin != nil), tapped(stderr, tail, stdin != nil)
	r, w, err := os.Pipe()
	if err != nil {
		return protocol.ExecResult{}, fmt.Errorf("sandbox: report pipe: %w", err)
	}
	defer func() { _ = r.Close() }()
	cmd.ExtraFiles = []*os.File{w}
	start := time.Now()
	err = cmd.Start()
	_ = w.Close()
	if err != nil {
		return protocol.ExecResult{}, fmt.Errorf("sandbox: start supervisor: %w", err)
	}
	var res protocol.ExecResult
	got := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		ok := false
		for sc.Scan() {
			if json.Unmarshal(sc.Bytes(), &res) == nil {
				ok = true
			}
		}
		got <- ok
	}()
	waitErr := cmd.Wait()
	ok := <-got
	if !ok {
		// The supervisor died before reporting (killed, or cancelled).
		res = protocol.ExecResult{DurationMS: time.Since(start).Milliseconds()}
		var ee *exec.ExitError
		switch {
		case errors.As(waitErr, &ee):
			if ws, isWS := ee.Sys().(syscall.WaitStatus); isWS && ws.Signaled() {
				res.Signal = int(ws.Signal())
				res.ExitCode = 128 + res.Signal
			} else {
				res.ExitCode = ee.ExitCode()
			}
		case waitErr != nil:
			return res, fmt.Errorf("sandbox: wait: %w", waitErr)
		}
		if ctx.Err() != nil {
			res.Error = "cancelled"
		}
	}
	guessDenial(&res, req.SandboxPolicy, tail)
	return res, nil
}

// guessDenial fills in whether the sandbox likely refused something the
// command tried, from its exit code and the tail of its output.
func guessDenial(res *protocol.ExecResult, policy protocol.SandboxPolicy, tail *tailBuffer) {
	if res.Sandbox != nil && policy.Mode != protocol.SandboxDangerFullAccess {
		res.Sandbox.Denied = likelyDenied(res.ExitCode, tail.String())
		if res.Sandbox.NetworkHint = networkHint(policy, res.ExitCode, tail.String()); res.Sandbox.NetworkHint != "" {
			res.Sandbox.Denied = true
		}
	}
}

// tapped is w with a copy into tail for the denial guess; with a live
// stdin, a file is handed down as it is instead.
func tapped(w io.Writer, tail *tailBuffer, live bool) io.Writer {
	if f, ok := w.(*os.File); ok && live {
		return f
	}
	return io.MultiWriter(orDiscard(w), tail)
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// tailBuffer keeps the last max bytes written to it (both streams), for
// the denial guess. Writes come from exec's copy goroutines one at a time
// per stream, so it locks.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

// Write keeps the tail of p.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

// String returns the kept tail.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
