package runner

import (
	"context"
	"errors"
	"sync"

	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/protocol"
)

// SandboxRunner runs commands under codex-sandbox's Go API: the running
// binary is re-executed as codex-sandbox (Landlock and seccomp on Linux,
// Seatbelt on macOS), so the binary's main (and a test binary's TestMain)
// must call sandbox.BecomeHelperIfRequested first. Output streams as it
// comes; each stream is capped (head and tail kept).
type SandboxRunner struct{}

// Run implements Runner.
func (r SandboxRunner) Run(ctx context.Context, req protocol.ExecRequest, out func(string, []byte)) (protocol.ExecResult, error) {
	return r.RunInput(ctx, req, Stdio{}, out)
}

// RunInput implements InputRunner. A terminal is the command's
// controlling terminal, so ^C written to it interrupts the command.
func (SandboxRunner) RunInput(ctx context.Context, req protocol.ExecRequest, stdio Stdio, out func(string, []byte)) (protocol.ExecResult, error) {
	return supervised(ctx, req, stdio, out)
}

// supervised runs req under the sandbox's Go API, the one process-tree
// supervisor of every command the agent starts, sandboxed or not; each
// stream is capped (head and tail kept). Where it keeps every guarantee
// (root, a restricted policy) the agent supervises the helper itself,
// one Go process start per command instead of two (codex-sandbox
// README, Speed); the agent is then non-dumpable. Elsewhere a
// codex-sandbox process supervises.
func supervised(ctx context.Context, req protocol.ExecRequest, stdio Stdio, out func(string, []byte)) (protocol.ExecResult, error) {
	if len(req.Argv) == 0 {
		return protocol.ExecResult{}, errors.New("empty command")
	}
	max := req.MaxOutputBytes
	if max <= 0 {
		max = DefaultMaxOutputBytes
	}
	var mu sync.Mutex
	stdout, stderr := NewCapBuffer(max), NewCapBuffer(max)
	so, se := streamSink{&mu, "stdout", stdout, out}, streamSink{&mu, "stderr", stderr, out}
	var res protocol.ExecResult
	var err error
	sup := sandbox.Supervisor{InProcess: true}
	switch {
	case stdio.Terminal != nil:
		res, err = sup.RunTerminal(ctx, req, stdio.Terminal)
	case stdio.Stdin != nil:
		res, err = sup.RunStdin(ctx, req, stdio.Stdin, so, se)
	default:
		res, err = sup.Run(ctx, req, so, se)
	}
	mu.Lock()
	res.Stdout, res.StdoutTruncated = stdout.String(), stdout.Truncated()
	res.Stderr, res.StderrTruncated = stderr.String(), stderr.Truncated()
	mu.Unlock()
	if err != nil && ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, err
}

// DefaultRunner is the runner used when no --sandbox-cmd is given.
func DefaultRunner() Runner { return SandboxRunner{} }
