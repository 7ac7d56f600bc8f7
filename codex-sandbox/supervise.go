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
	"strings"
	"sync"
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
}

// outcome is how a job ended.
type outcome struct {
	exitCode int
	signal   int
	timedOut bool
	duration time.Duration
	report   *protocol.SandboxReport
	err      string
	// printed says the helper already told stderr about err.
	printed bool
}

// supervise runs j and ends its whole process tree when the command exits,
// the timeout fires or ctx is cancelled (by SIGINT, SIGTERM or SIGHUP).
func supervise(ctx context.Context, j job) outcome {
	start := time.Now()
	if err := becomeSubreaper(); err != nil {
		return outcome{exitCode: ExitSetupFailed, err: fmt.Sprintf("become subreaper: %v", err)}
	}
	cmd, rep, err := buildCmd(j)
	if err != nil {
		return outcome{exitCode: ExitSetupFailed, err: err.Error()}
	}
	if cmd.Env == nil {
		cmd.Env = j.env
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = childAttr()
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
	var startErr error
	pid := 0
	// Signals caught before anything starts (notifyContextAsync).
	ready := signalsReady(ctx)
	if rep.direct != nil {
		// The restricted thread waits, after restricting itself.
		rep.direct.ready = ready
		pid, startErr = rep.direct.start(cmd)
		defer rep.direct.release()
	} else {
		if ready != nil {
			<-ready
		}
		pid, startErr = spawn(cmd)
	}
	if retry := withoutUserNS(cmd); startErr != nil && retry != nil {
		// User namespaces refused (nested container, sysctl, AppArmor):
		// run without; the helper reports what that leaves unprotected.
		cmd = retry
		pid, startErr = spawn(cmd)
	}
	for _, c := range closeAfterStart {
		_ = c.Close()
	}
	if rep.w != nil {
		_ = rep.w.Close()
	}
	if startErr != nil {
		copies.Wait()
		var ee *linuxsandbox.ExecError
		if errors.As(startErr, &ee) {
			return outcome{exitCode: ee.Code, err: ee.Err.Error(), report: rep.static, duration: time.Since(start)}
		}
		code := ExitSetupFailed
		if errors.Is(startErr, exec.ErrNotFound) || errors.Is(startErr, os.ErrNotExist) {
			code = ExitNotFound
		}
		return outcome{exitCode: code, err: startErr.Error()}
	}
	reports := make(chan []linuxsandbox.HelperReport, 1)
	if rep.r == nil {
		reports <- nil
	} else {
		go func() { reports <- rep.read() }()
	}
	var waited <-chan exitStatus
	if rep.direct != nil {
		// The restricted thread waits itself: no goroutine (and thread)
		// more per command.
		waited = rep.direct.waited
	} else {
		w := make(chan exitStatus, 1)
		go func() {
			ws, err := waitPid(pid)
			w <- exitStatus{ws, err}
		}()
		waited = w
	}
	var timer <-chan time.Time
	if j.timeout > 0 {
		t := time.NewTimer(j.timeout)
		defer t.Stop()
		timer = t.C
	}
	var out outcome
	var st exitStatus
	cancelled := false
	select {
	case st = <-waited:
	case <-timer:
		out.timedOut = true
		killTree(pid)
		st = <-waited
	case <-ctx.Done():
		cancelled = true
		killTree(pid)
		st = <-waited
	}
	reapTree(pid)
	copies.Wait()
	out.duration = time.Since(start)
	lines := <-reports
	if rep.static != nil {
		out.report = rep.static
	}
	for _, l := range lines {
		if l.Report != nil {
			out.report = l.Report
		}
		if l.Stage == "error" {
			out.err, out.exitCode, out.printed = l.Error, l.ExitCode, true
		}
	}
	switch {
	case out.timedOut:
		out.exitCode = ExitTimeout
		if out.err == "" {
			out.err = fmt.Sprintf("timed out after %v", j.timeout)
		}
	case cancelled && out.err == "":
		out.exitCode = 128 + int(signalOf(ctx))
		out.signal = int(signalOf(ctx))
	case out.err != "":
		// the helper's own status (125, 126, 127 or 2) is in exitCode
	case st.err != nil:
		out.exitCode, out.err = ExitSetupFailed, "lost the child's status: "+st.err.Error()
	case st.ws.Signaled():
		out.signal = int(st.ws.Signal())
		out.exitCode = 128 + out.signal
	default:
		out.exitCode = st.ws.ExitStatus()
	}
	return out
}

// exitStatus is how the direct child ended.
type exitStatus struct {
	ws  syscall.WaitStatus
	err error
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

// reportPipe carries the helper's HelperReport lines, or a report known
// in advance (no helper: danger-full-access, Seatbelt).
type reportPipe struct {
	r, w   *os.File
	static *protocol.SandboxReport
	// direct, when set, starts the command from a restricted thread of
	// this process instead of through the helper (Linux only).
	direct *directStart
}

func (p reportPipe) read() []linuxsandbox.HelperReport {
	if p.r == nil {
		return nil
	}
	defer func() { _ = p.r.Close() }()
	var out []linuxsandbox.HelperReport
	sc := bufio.NewScanner(p.r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var h linuxsandbox.HelperReport
		if json.Unmarshal(sc.Bytes(), &h) == nil {
			out = append(out, h)
		}
	}
	return out
}
