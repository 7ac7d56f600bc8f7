package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/protocol"
)

// Exit statuses codex-sandbox adds to the command's own.
const (
	ExitUsage         = 2
	ExitTimeout       = 124
	ExitSetupFailed   = 125
	ExitNotExecutable = 126
	ExitNotFound      = 127
)

// job is one command to run under a plan.
type job struct {
	argv    []string
	plan    *linuxsandbox.Plan
	env     []string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	timeout time.Duration
	// explain asks the helper to print what it would enforce instead of
	// running argv.
	explain bool
	// session starts the command in a session of its own with its
	// standard input, a terminal, as its controlling terminal.
	session bool
	// inProcess: the caller is a long-lived program (the agent) that
	// supervises the helper itself, which is then always PID 1 of a PID
	// namespace of its own (see inProcessOK): the tree is ended by
	// killing that init alone, and nothing else of the caller's (no
	// subreaper, no wait for any child) is touched.
	inProcess bool
	// dieOnSignal: no result is owed to anyone when SIGINT, SIGTERM or
	// SIGHUP ends the run (the command line without --json or
	// --report-fd), so where the helper is the init of a PID namespace
	// no handlers are installed: the supervisor dies of the signal, as
	// its caller then sees (a shell's $? is 128+N either way), and the
	// kernel ends the whole namespace with it (the helper has
	// PR_SET_PDEATHSIG), as the handler would have. signal.Notify
	// (two runtime threads and a round trip to one of them per signal)
	// cost ~0.4-0.7 ms per command on two busy cores (README, Speed).
	// Not where one of them was ignored at start (signalsIgnored).
	// Otherwise the handlers are in place before anything starts.
	dieOnSignal bool
	// parked, if set, is a helper started ahead (Ahead) that this job's
	// helper start hands its plan to instead of starting a process.
	parked *parked
}

// outcome is how a job ended.
type outcome struct {
	exitCode int
	signal   int
	timedOut bool
	duration time.Duration
	report   *protocol.SandboxReport
	err      string
	// notStarted: an in-process job whose helper could not have its
	// namespaces; nothing ran, nothing was written (errUserNSRefused).
	notStarted bool
}

// supervise runs j and ends its whole process tree when the command exits,
// the timeout fires or ctx is cancelled (by SIGINT, SIGTERM or SIGHUP).
func supervise(ctx context.Context, j job) outcome {
	start := time.Now()
	if !j.inProcess {
		if err := guardSupervisor(); err != nil {
			return outcome{exitCode: ExitSetupFailed, err: err.Error()}
		}
	}
	if j.parked != nil {
		// Not handed its plan (refused or stopped before the start):
		// reaped here, so it never outlives the job.
		defer func() {
			if !j.parked.done {
				j.parked.discard()
			}
		}()
	}
	cmd, rep, err := buildCmd(j)
	if err != nil {
		var ee *linuxsandbox.ExecError
		if errors.As(err, &ee) {
			return outcome{exitCode: ee.Code, err: ee.Err.Error(), report: rep.static}
		}
		return outcome{exitCode: ExitSetupFailed, err: err.Error()}
	}
	if cmd.Env == nil {
		cmd.Env = j.env
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = childAttr(j.session)
	}
	var copies sync.WaitGroup
	var closeAfterStart []io.Closer
	setOut := func(w io.Writer, dst **os.File) error {
		if w == nil {
			return nil
		}
		if f, ok := w.(*os.File); ok {
			*dst = f
			return nil
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			return err
		}
		*dst = pw
		closeAfterStart = append(closeAfterStart, pw)
		copies.Add(1)
		go func() {
			defer copies.Done()
			_, _ = io.Copy(w, pr)
			_ = pr.Close()
		}()
		return nil
	}
	var stdout, stderr, stdin *os.File
	if err := setOut(j.stdout, &stdout); err != nil {
		return outcome{exitCode: ExitSetupFailed, err: err.Error()}
	}
	if err := setOut(j.stderr, &stderr); err != nil {
		return outcome{exitCode: ExitSetupFailed, err: err.Error()}
	}
	switch r := j.stdin.(type) {
	case nil:
	case *os.File:
		stdin = r
	default:
		pr, pw, err := os.Pipe()
		if err != nil {
			return outcome{exitCode: ExitSetupFailed, err: err.Error()}
		}
		stdin = pr
		closeAfterStart = append(closeAfterStart, pr)
		go func() {
			_, _ = io.Copy(pw, r)
			_ = pw.Close()
		}()
	}
	// spawn treats nil as /dev/null; a typed nil *os.File must not leak in.
	if stdin != nil {
		cmd.Stdin = stdin
	}
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if stderr != nil {
		cmd.Stderr = stderr
	}
	// Timeout and cancellation (SIGINT, SIGTERM, SIGHUP) fire the kill
	// switch from their own goroutines; the command is waited for on the
	// thread that started it, so no hand-off between threads sits on the
	// common path.
	kill := &killSwitch{ctx: ctx, initOnly: j.inProcess}
	var timedOut, cancelled atomic.Bool
	if j.timeout > 0 {
		t := time.AfterFunc(j.timeout, func() { timedOut.Store(true); kill.fire() })
		defer t.Stop()
	}
	stopCancel := context.AfterFunc(ctx, func() { cancelled.Store(true); kill.fire() })
	defer stopCancel()
	defer rep.close()
	// The child has its own copies of these ends once started (or never
	// will): ours must go, so readers see EOF when it is done.
	closeChildEnds := func() {
		for _, c := range closeAfterStart {
			_ = c.Close()
		}
	}
	started := false
	afterStart := func() {
		closeChildEnds()
		started = true
	}
	run := spawnAndWait(cmd, j.parked, func() { catchSignals(ctx) }, j.dieOnSignal, kill, afterStart, rep.direct, rep.launch, j.inProcess)
	if run.err != nil {
		closeChildEnds()
		copies.Wait()
		if errors.Is(run.err, errUserNSRefused) {
			return outcome{notStarted: true}
		}
		var ee *linuxsandbox.ExecError
		if errors.As(run.err, &ee) {
			out := outcome{exitCode: ee.Code, err: ee.Err.Error(), duration: time.Since(start)}
			if ee.Code != ExitSetupFailed {
				// Set up, then the exec failed: the report is true.
				out.report = rep.static
			}
			return out
		}
		if errors.Is(run.err, errStopped) && ctx.Err() != nil {
			// context.AfterFunc runs its function in a goroutine: the
			// context may say so first.
			cancelled.Store(true)
		}
		if run.pid == 0 && (timedOut.Load() || cancelled.Load()) {
			// Ended before it started: reported as the timeout or the
			// signal, below.
			run.err = nil
		} else {
			code := ExitSetupFailed
			if errors.Is(run.err, exec.ErrNotFound) || errors.Is(run.err, os.ErrNotExist) {
				code = ExitNotFound
			}
			return outcome{exitCode: code, err: run.err.Error()}
		}
	}
	if !j.inProcess && !run.ended {
		// In a PID namespace the kernel ended the rest with its init.
		reapTree(run.pid)
	}
	var out outcome
	out.timedOut = timedOut.Load()
	copies.Wait()
	out.duration = time.Since(start)
	var lines []linuxsandbox.HelperReport
	if started {
		// Everything that could write it has ended: the helper, its
		// init and, with the init, the whole PID namespace (without
		// one, the helper closed it before exec).
		lines = rep.read()
	}
	if rep.static != nil {
		out.report = rep.static
	}
	for _, l := range lines {
		if l.Report != nil {
			out.report = l.Report
		}
		if l.Stage == "error" {
			out.err, out.exitCode = l.Error, l.ExitCode
		}
		if l.Stage == "exit" && l.Status != nil && run.waitErr == nil {
			// The PID namespace's init ran the command: its status is
			// the command's (a signal included, which the init cannot
			// pass on by dying of it).
			run.ws = syscall.WaitStatus(*l.Status)
		}
	}
	switch {
	case out.timedOut:
		out.exitCode = ExitTimeout
		if out.err == "" {
			out.err = fmt.Sprintf("timed out after %v", j.timeout)
		}
	case cancelled.Load() && out.err == "":
		out.exitCode = 128 + int(signalOf(ctx))
		out.signal = int(signalOf(ctx))
	case out.err != "":
		// the helper's own status (125, 126, 127 or 2) is in exitCode
	case run.waitErr != nil:
		out.exitCode, out.err = ExitSetupFailed, "lost the child's status: "+run.waitErr.Error()
	case run.ws.Signaled():
		out.signal = int(run.ws.Signal())
		out.exitCode = 128 + out.signal
	default:
		out.exitCode = run.ws.ExitStatus()
	}
	return out
}

// signalOf names the signal that cancelled ctx (SIGTERM if unknown).
func signalOf(ctx context.Context) syscall.Signal {
	msg := fmt.Sprint(context.Cause(ctx))
	switch {
	case strings.HasPrefix(msg, "interrupt"):
		return syscall.SIGINT
	case strings.HasPrefix(msg, "hangup"):
		return syscall.SIGHUP
	}
	return syscall.SIGTERM
}

// reportPipe carries the helper's HelperReport lines (in f, read once
// the helper has ended), or a report known in advance (no helper:
// danger-full-access, Seatbelt).
type reportPipe struct {
	f      *os.File
	static *protocol.SandboxReport
	// direct: cmd is the command itself (nothing restricted), not a
	// helper, so a failed start is the command's 126 or 127.
	direct bool
	// launch, if set, sets the sandbox up once cmd (an init waiting for
	// it) has started: the supervisor does the helper's work itself.
	launch armer
}

// armer sets a sandbox up for an init that waits for it (launching).
type armer interface {
	// arm sets the sandbox up for the init started as c.
	arm(c child) error
	// wait waits for the command; ended: the init has said that
	// nothing of the sandbox is left but itself, which is reaped later.
	wait(c child) (ws syscall.WaitStatus, ended bool, err error)
	// close releases what was kept for arm.
	close()
}

// maxReport bounds what is read of the report file.
const maxReport = 4 << 20

// read returns the report lines written so far; a line that does not
// decode is skipped.
func (p reportPipe) read() []linuxsandbox.HelperReport {
	if p.f == nil {
		return nil
	}
	buf := make([]byte, 4096)
	n := 0
	for n < maxReport {
		if n == len(buf) {
			buf = append(buf, make([]byte, min(len(buf), maxReport-len(buf)))...)
		}
		m, err := p.f.ReadAt(buf[n:], int64(n))
		n += m
		if err != nil || m == 0 {
			break
		}
	}
	var out []linuxsandbox.HelperReport
	for line := range bytes.Lines(buf[:n]) {
		h, err := linuxsandbox.DecodeHelperReport(bytes.TrimSuffix(line, []byte("\n")))
		if err != nil {
			continue
		}
		if err := protocol.CheckVersion("codex-linux-sandbox --report-fd", h.ProtocolVersion, protocol.SandboxReportProtocolVersion); err != nil {
			// A helper newer than this supervisor: its lines may mean what
			// we cannot read, so the run is reported as not set up.
			h = linuxsandbox.HelperReport{Stage: "error", Error: err.Error(), ExitCode: ExitSetupFailed}
		}
		out = append(out, h)
	}
	return out
}

// close releases the report file (and what a launch kept).
func (p reportPipe) close() {
	if p.f != nil {
		_ = p.f.Close()
	}
	if p.launch != nil {
		p.launch.close()
	}
}

// runResult is how starting and waiting for the command went: err when
// it never started (pid 0), else its wait status. ended: a launch's init
// has ended and reaped everything in the sandbox but itself.
type runResult struct {
	pid     int
	ws      syscall.WaitStatus
	waitErr error
	err     error
	ended   bool
}

// errStopped is the start refused because the kill switch fired first.
var errStopped = errors.New("stopped before the command started")

// errUserNSRefused is an in-process job's helper start refused a user
// namespace: nothing started, and a codex-sandbox process is to run it.
var errUserNSRefused = errors.New("user namespace refused")

// spawnAndWait starts cmd from the calling goroutine and waits for it.
// catch installs the supervisor's signal handlers (notifyContextLazy).
//
// They are in place before the start unless the helper gets a PID
// namespace and no result is owed on a signal (dieOnSignal): a
// supervisor that a signal ends then takes the whole namespace with it
// (the helper, its init, has PR_SET_PDEATHSIG). Anything else could
// leave descendants behind, or owes its caller a result.
//
// With launch, cmd is an init that waits for its sandbox: it is set up
// here once the init runs; if that fails the init is killed and the run
// is a set-up failure (125), unless the kill switch fired first.
//
// keepNS: never retry a helper without the user namespace it was given
// (an in-process job, see inProcessOK): a refusal is errUserNSRefused.
func spawnAndWait(cmd *exec.Cmd, p *parked, catch func(), dieOnSignal bool, kill *killSwitch, afterStart func(), direct bool, launch armer, keepNS bool) runResult {
	if !inPIDNamespace(cmd) || !dieOnSignal {
		catch()
	}
	if kill.isFired() {
		return runResult{err: errStopped}
	}
	// Non-dumpable before anything sandboxed exists, and for good: a
	// helper in a user namespace writes its own uid and gid maps
	// (linuxsandbox.MapIDsVar), so nothing here needs to be dumpable for
	// its start.
	if err := nonDumpable(); err != nil {
		return runResult{err: err}
	}
	c, err := spawnVia(cmd, p)
	if retry := withoutUserNS(cmd); err != nil && retry != nil {
		if keepNS {
			// In-process: without its PID namespace the helper's
			// descendants could outlive it, and this process is no
			// subreaper to end them. Nothing has started.
			return runResult{err: fmt.Errorf("%w: %w", errUserNSRefused, err)}
		}
		// User namespaces refused (nested container, sysctl, AppArmor):
		// run without (and so without a PID namespace, once the signals
		// are caught); the helper reports what that leaves unprotected.
		catch()
		if kill.isFired() {
			return runResult{err: errStopped}
		}
		c, err = spawn(retry)
	}
	if err != nil && direct {
		return runResult{err: startError(cmd, cmd.Args[0], err)}
	}
	if err != nil {
		return runResult{err: err}
	}
	kill.started(c.pid)
	if launch != nil {
		if aerr := launch.arm(c); aerr != nil {
			fired := kill.isFired()
			kill.fire()
			r := waitStarted(c, kill, afterStart, nil)
			if !fired {
				r.err = &linuxsandbox.ExecError{Code: ExitSetupFailed, Err: fmt.Errorf("sandbox setup failed: %w", aerr)}
			}
			return r
		}
	}
	return waitStarted(c, kill, afterStart, launch)
}

// spawnVia starts cmd by handing its plan to p, a helper started ahead,
// or, without one or where that fails, by spawning it.
func spawnVia(cmd *exec.Cmd, p *parked) (child, error) {
	if p != nil {
		if pid, err := handOff(p, cmd); err == nil {
			return child{pid: pid, pidfd: -1}, nil
		}
	}
	return spawn(cmd)
}

// waitStarted runs afterStart and waits for the command, whose pid the
// kill switch already has, to end: through launch when it is a launch's
// init.
func waitStarted(c child, kill *killSwitch, afterStart func(), launch armer) runResult {
	afterStart()
	var ws syscall.WaitStatus
	var ended bool
	var err error
	if launch != nil {
		ws, ended, err = launch.wait(c)
	} else {
		ws, err = waitChild(c)
	}
	kill.waited()
	return runResult{pid: c.pid, ws: ws, waitErr: err, ended: ended}
}
