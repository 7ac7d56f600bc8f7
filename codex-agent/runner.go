package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/codexgo/common/protocol"
)

// Runner runs one command under a sandbox policy. Output chunks are passed
// to out as they arrive (stream is "stdout" or "stderr"); out may be nil.
// A command that ran and failed is a result with a non-zero ExitCode, not
// an error; the error is for a runner that could not do its job.
type Runner interface {
	Run(ctx context.Context, req protocol.ExecRequest, out func(stream string, chunk []byte)) (protocol.ExecResult, error)
}

// Stdio is a command's live input, for an exec_command session.
type Stdio struct {
	// Stdin, the read end of a pipe, is handed down as the command's
	// standard input in place of req.Stdin.
	Stdin *os.File
	// Terminal, a pseudo-terminal's far end, is handed down as the
	// command's standard input, output and error; what the command
	// prints then reaches the caller through the terminal, not out.
	Terminal *os.File
}

// InputRunner is a Runner that can also give the command a live input
// (Stdio), so an exec_command session can be written to while it runs.
// Runners without it run sessions with no input.
type InputRunner interface {
	Runner
	RunInput(ctx context.Context, req protocol.ExecRequest, stdio Stdio, out func(stream string, chunk []byte)) (protocol.ExecResult, error)
}

// DirectRunner runs commands as plain child processes, without any
// sandbox: it is what danger-full-access means, and the fallback when no
// sandbox is configured. Results say so (Sandbox.Mechanism "none").
type DirectRunner struct{}

// capBuffer keeps the first and last half of at most max bytes.
type capBuffer struct {
	max       int
	head      []byte
	tail      []byte // ring of the most recent bytes once head is full
	total     int
	truncated bool
}

func (c *capBuffer) Write(p []byte) {
	c.total += len(p)
	half := c.max / 2
	if room := half - len(c.head); room > 0 {
		n := min(room, len(p))
		c.head = append(c.head, p[:n]...)
		p = p[n:]
	}
	if len(p) == 0 {
		return
	}
	c.tail = append(c.tail, p...)
	if over := len(c.tail) - (c.max - half); over > 0 {
		c.truncated = true
		c.tail = append(c.tail[:0], c.tail[over:]...)
	}
}

func (c *capBuffer) String() string {
	if !c.truncated {
		return string(c.head) + string(c.tail)
	}
	omitted := c.total - len(c.head) - len(c.tail)
	return string(c.head) + fmt.Sprintf("\n[… %d bytes omitted …]\n", omitted) + string(c.tail)
}

// lockedWriter fans a stream into its own buffer, the aggregate, and the
// callback, in arrival order.
type streamSink struct {
	mu   *sync.Mutex
	name string
	own  *capBuffer
	out  func(string, []byte)
}

func (s streamSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.own.Write(p)
	if s.out != nil {
		s.out(s.name, append([]byte(nil), p...))
	}
	return len(p), nil
}

// DefaultMaxOutputBytes caps each stream when the request does not say.
const DefaultMaxOutputBytes = 1 << 20

// Run implements Runner.
func (r DirectRunner) Run(ctx context.Context, req protocol.ExecRequest, out func(string, []byte)) (protocol.ExecResult, error) {
	return r.RunInput(ctx, req, Stdio{}, out)
}

// RunInput implements InputRunner.
func (DirectRunner) RunInput(ctx context.Context, req protocol.ExecRequest, stdio Stdio, out func(string, []byte)) (protocol.ExecResult, error) {
	return runCmd(ctx, req, stdio, out, func(ctx context.Context) *exec.Cmd {
		return exec.Command(req.Argv[0], req.Argv[1:]...)
	}, &protocol.SandboxReport{Mechanism: "none"})
}

// runCmd runs the command build returns with req's cwd, env, stdin (or
// the live one), timeout and output caps; the whole process group is
// killed on timeout or cancellation.
func runCmd(ctx context.Context, req protocol.ExecRequest, stdio Stdio, out func(string, []byte), build func(context.Context) *exec.Cmd, report *protocol.SandboxReport) (protocol.ExecResult, error) {
	if len(req.Argv) == 0 {
		return protocol.ExecResult{}, errors.New("empty command")
	}
	max := req.MaxOutputBytes
	if max <= 0 {
		max = DefaultMaxOutputBytes
	}
	cmd := build(ctx)
	cmd.Dir = req.Cwd
	if req.Env != nil {
		keys := make([]string, 0, len(req.Env))
		for k := range req.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		cmd.Env = make([]string, 0, len(keys))
		for _, k := range keys {
			cmd.Env = append(cmd.Env, k+"="+req.Env[k])
		}
	}
	var mu sync.Mutex
	stdout, stderr := &capBuffer{max: max}, &capBuffer{max: max}
	cmd.Stdout = streamSink{&mu, "stdout", stdout, out}
	cmd.Stderr = streamSink{&mu, "stderr", stderr, out}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	switch {
	case stdio.Terminal != nil:
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.Terminal, stdio.Terminal, stdio.Terminal
		// Its own session with the terminal as its controlling one, so
		// that ^C written to it interrupts the command. The session's
		// process group is what killTree ends.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	case stdio.Stdin != nil:
		cmd.Stdin = stdio.Stdin
	case req.Stdin != nil:
		cmd.Stdin = bytes.NewReader([]byte(*req.Stdin))
	}
	// Output pipes are closed even if a grandchild keeps them open.
	cmd.WaitDelay = 500 * time.Millisecond
	start := time.Now()
	if err := cmd.Start(); err != nil {
		code := 126
		var pe *exec.Error
		if errors.As(err, &pe) || errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = 127
		}
		return protocol.ExecResult{ExitCode: code, Error: err.Error(), Stderr: err.Error(), Sandbox: report}, nil
	}
	done := make(chan struct{})
	var timedOut bool
	var timer <-chan time.Time
	if req.TimeoutMS > 0 {
		t := time.NewTimer(time.Duration(req.TimeoutMS) * time.Millisecond)
		defer t.Stop()
		timer = t.C
	}
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		case <-timer:
			mu.Lock()
			timedOut = true
			mu.Unlock()
		}
		// Kill the whole tree: the group leader and everything it spawned.
		killTree(cmd.Process.Pid)
	}()
	err := cmd.Wait()
	close(done)
	res := protocol.ExecResult{DurationMS: time.Since(start).Milliseconds(), Sandbox: report}
	mu.Lock()
	res.TimedOut = timedOut
	res.Stdout, res.StdoutTruncated = stdout.String(), stdout.truncated
	res.Stderr, res.StderrTruncated = stderr.String(), stderr.truncated
	mu.Unlock()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.Signal = int(ws.Signal())
			res.ExitCode = 128 + res.Signal
		}
	case errors.Is(err, exec.ErrWaitDelay):
	default:
		return res, fmt.Errorf("wait: %w", err)
	}
	if res.TimedOut {
		res.ExitCode = 124
	}
	if ctx.Err() != nil && !res.TimedOut {
		return res, ctx.Err()
	}
	return res, nil
}

// CmdRunner hands every command to an external program speaking the
// codex-sandbox --json contract: a protocol.ExecRequest on its stdin, a
// protocol.ExecResult on its stdout (--sandbox-cmd). Output is not
// streamed; it arrives with the result.
type CmdRunner struct {
	Argv []string // program and leading arguments, e.g. ["codex-sandbox", "--json"]
}

// Run implements Runner.
func (c CmdRunner) Run(ctx context.Context, req protocol.ExecRequest, out func(string, []byte)) (protocol.ExecResult, error) {
	in, err := json.Marshal(req)
	if err != nil {
		return protocol.ExecResult{}, err
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { killTree(cmd.Process.Pid); return nil }
	runErr := cmd.Run()
	var res protocol.ExecResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, fmt.Errorf("sandbox command %s: %v: %s", c.Argv[0], firstErr(runErr, err), bytes.TrimSpace(stderr.Bytes()))
	}
	if out != nil {
		if res.Stdout != "" {
			out("stdout", []byte(res.Stdout))
		}
		if res.Stderr != "" {
			out("stderr", []byte(res.Stderr))
		}
	}
	return res, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

var _ io.Writer = streamSink{}
