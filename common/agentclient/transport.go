package agentclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"

	"github.com/codexgo/common/selfexec"
)

// MainFunc is a tool's entry point, as every codex tool exports it.
type MainFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// ExitError is the status of an agent that ended with a non-zero code.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("agent exited with status %d", e.Code) }

// SpawnOptions says how to start the agent as a child process.
type SpawnOptions struct {
	// Program is the agent binary. Empty means the running binary
	// re-executed as "codex-agent" (the fused codex binary's arg0 trick).
	Program string
	// Args follow the program name; nil means ["proto"].
	Args []string
	// Dir is the child's working directory; empty means ours.
	Dir string
	// Env is the child's environment; nil means ours.
	Env []string
	// Stderr receives the agent's diagnostics; nil discards them (a TUI
	// must not let them scribble over the screen).
	Stderr io.Writer
}

// Process is a started agent of whatever protocol: its output, its
// input, how to force it to end, and how to reap it (Wait returns its
// status). Spawn and InProcess wrap one in a Client; clients of other
// protocols (the TUI's app-server client) use it directly, so every
// front end starts and ends its agent the same way.
type Process struct {
	Stdout io.Reader
	Stdin  io.WriteCloser
	Stop   func()
	Wait   func() error
}

// Spawn starts the agent as a child process speaking the protocol over
// its stdin and stdout. Cancelling ctx kills the child.
func Spawn(ctx context.Context, o SpawnOptions) (*Client, error) {
	p, err := StartProcess(ctx, o)
	if err != nil {
		return nil, err
	}
	return New(p.Stdout, p.Stdin, p.Stop, p.Wait), nil
}

// StartProcess starts the agent as a child process (Spawn's process):
// its own process group, ended with this process even by SIGKILL, the
// whole group killed by Stop or when ctx is cancelled.
func StartProcess(ctx context.Context, o SpawnOptions) (*Process, error) {
	args := o.Args
	if args == nil {
		args = []string{"proto"}
	}
	var cmd *exec.Cmd
	if o.Program == "" {
		c, err := selfexec.Command(ctx, "codex-agent", args...)
		if err != nil {
			return nil, fmt.Errorf("spawn agent: %w", err)
		}
		cmd = c
	} else {
		cmd = exec.CommandContext(ctx, o.Program, args...)
	}
	cmd.Dir = o.Dir
	cmd.Env = o.Env
	cmd.Stderr = o.Stderr
	// The agent gets its own process group so a Ctrl+C meant for the
	// terminal's foreground job reaches it only through the protocol.
	// It ends (and ends the commands it runs) when this process is
	// killed, even with SIGKILL.
	cmd.SysProcAttr = selfexec.DieWithParent(&syscall.SysProcAttr{Setpgid: true})
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// Bound how long Wait lingers on inherited pipes after the child died.
	cmd.WaitDelay = 2 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("spawn agent: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("spawn agent: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("spawn agent %s: %w", cmd.Path, err)
	}
	stop := func() {
		// Kill the whole group: the agent's own children go too.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	wait := func() error {
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() >= 0 {
				return &ExitError{Code: ee.ExitCode()}
			}
			return fmt.Errorf("agent: %w", err)
		}
		if err != nil {
			return fmt.Errorf("agent: %w", err)
		}
		return nil
	}
	return &Process{Stdout: stdout, Stdin: stdin, Stop: stop, Wait: wait}, nil
}

// InProcess runs main (an agent's Main) in a goroutine with args, wired to
// the client through io.Pipes. stderr nil discards its diagnostics.
// Cancelling ctx, or Close after its grace period, cancels the context
// main runs under.
func InProcess(ctx context.Context, main MainFunc, args []string, stderr io.Writer) *Client {
	p := StartInProcess(ctx, main, args, stderr)
	return New(p.Stdout, p.Stdin, p.Stop, p.Wait)
}

// StartInProcess runs main as InProcess does and returns its pipes.
func StartInProcess(ctx context.Context, main MainFunc, args []string, stderr io.Writer) *Process {
	if stderr == nil {
		stderr = io.Discard
	}
	if args == nil {
		args = []string{"proto"}
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan int, 1)
	go func() {
		code := 1
		defer func() {
			// A panicking agent must not take the front end down with it;
			// it ends the session as a failure instead.
			if r := recover(); r != nil {
				_, _ = fmt.Fprintf(stderr, "agent panic: %v\n", r)
				code = 70
			}
			// Unblock a writer the agent no longer reads and end our reader.
			_ = inR.CloseWithError(io.ErrClosedPipe)
			_ = outW.Close()
			done <- code
		}()
		code = main(ctx, args, inR, outW, stderr)
	}()
	wait := func() error {
		code := <-done
		cancel()
		if code != 0 {
			return &ExitError{Code: code}
		}
		return nil
	}
	return &Process{Stdout: outR, Stdin: inW, Stop: cancel, Wait: wait}
}
