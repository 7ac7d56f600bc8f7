// Package runner runs one command for the agent: under codex-sandbox's
// supervisor, sandboxed (SandboxRunner) or not (DirectRunner), or through
// an external program speaking codex-sandbox --json (CmdRunner); with a
// live input or a terminal for exec_command sessions. It knows nothing of
// sessions, tools or approvals.
package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/selfexec"
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

// DirectRunner runs commands without any sandbox: it is what
// danger-full-access means, the fallback when no sandbox is configured,
// and how a command approved to run unsandboxed runs. It starts them
// under the same codex-sandbox supervisor as SandboxRunner (with the
// danger-full-access policy), so one process-tree supervisor ends every
// command's whole tree (setsid'd, double-forked descendants included) on
// timeout, interrupt and exit, and when the agent itself is killed.
// Results say so (Sandbox.Mechanism "none").
type DirectRunner struct{}

// CapBuffer keeps the first and last half of at most max bytes of what
// is written to it.
type CapBuffer struct {
	max       int
	head      []byte
	tail      []byte // ring of the most recent bytes once head is full
	total     int
	truncated bool
}

// NewCapBuffer returns a buffer keeping at most max bytes.
func NewCapBuffer(max int) *CapBuffer { return &CapBuffer{max: max} }

// Total is how many bytes were written, kept or not.
func (c *CapBuffer) Total() int { return c.total }

// Truncated reports whether bytes were dropped.
func (c *CapBuffer) Truncated() bool { return c.truncated }

// Write keeps p's bytes that fit in the head or the tail.
func (c *CapBuffer) Write(p []byte) {
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

// String is the kept bytes, with a note of how many were omitted.
func (c *CapBuffer) String() string {
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
	own  *CapBuffer
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

// RunInput implements InputRunner. A terminal is the command's
// controlling terminal, so ^C written to it interrupts the command.
func (DirectRunner) RunInput(ctx context.Context, req protocol.ExecRequest, stdio Stdio, out func(string, []byte)) (protocol.ExecResult, error) {
	req.SandboxPolicy = protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}
	return supervised(ctx, req, stdio, out, nil)
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
	req.ProtocolVersion = protocol.ExecProtocolVersion
	in, err := json.Marshal(req)
	if err != nil {
		return protocol.ExecResult{}, err
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Its own group, SIGTERM when the agent dies (even of SIGKILL), and
	// on cancellation SIGTERM to the group, then SIGKILL: a codex-sandbox
	// --json ends the command's whole tree on SIGTERM.
	cmd.SysProcAttr = selfexec.DieWithParent(&syscall.SysProcAttr{Setpgid: true})
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 2 * time.Second
	runErr := cmd.Run()
	var res protocol.ExecResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, fmt.Errorf("sandbox command %s: %v: %s", c.Argv[0], firstErr(runErr, err), bytes.TrimSpace(stderr.Bytes()))
	}
	if err := protocol.CheckVersion("sandbox command "+c.Argv[0]+": its result", res.ProtocolVersion, protocol.ExecProtocolVersion); err != nil {
		return protocol.ExecResult{}, err
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
