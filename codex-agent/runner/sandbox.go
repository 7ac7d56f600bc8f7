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
type SandboxRunner struct {
	// Ahead, when set (WithAhead), is where the helper of the next
	// command this process supervises may wait, started ahead (see
	// sandbox.Ahead): Run and RunInput without a terminal hand it the
	// plan decided for that call. Nil: each command starts its own.
	Ahead *sandbox.Ahead
}

// WithAhead returns r with a as the place its sandboxed commands' helpers
// are started ahead, and whether r uses it: only a SandboxRunner starts
// helpers (any Ahead it had is replaced, so a copied configuration does
// not share one); any other runner is returned as it is.
func WithAhead(r Runner, a *sandbox.Ahead) (Runner, bool) {
	sr, ok := r.(SandboxRunner)
	if !ok {
		return r, false
	}
	sr.Ahead = a
	return sr, true
}

// Run implements Runner.
func (r SandboxRunner) Run(ctx context.Context, req protocol.ExecRequest, out func(string, []byte)) (protocol.ExecResult, error) {
	return r.RunInput(ctx, req, Stdio{}, out)
}

// RunInput implements InputRunner. A terminal is the command's
// controlling terminal, so ^C written to it interrupts the command.
func (r SandboxRunner) RunInput(ctx context.Context, req protocol.ExecRequest, stdio Stdio, out func(string, []byte)) (protocol.ExecResult, error) {
	return supervised(ctx, req, stdio, out, r.Ahead)
}

// supervised runs req under the sandbox's Go API, the one process-tree
// supervisor of every command the agent starts, sandboxed or not; each
// stream is capped (head and tail kept). Where it keeps every guarantee
// (a restricted policy; as an ordinary user, user namespaces allowed)
// the agent supervises the helper itself, one Go process start per
// command instead of two (codex-sandbox README, Speed); the agent is
// then non-dumpable, and stays so. Elsewhere a codex-sandbox process
// supervises. ahead, if not nil, may hold the
// helper started ahead for it (sandbox.Supervisor.Ahead decides when it
// applies: not to a terminal, nor where a codex-sandbox supervises).
func supervised(ctx context.Context, req protocol.ExecRequest, stdio Stdio, out func(string, []byte), ahead *sandbox.Ahead) (protocol.ExecResult, error) {
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
	sup := sandbox.Supervisor{InProcess: true, Ahead: ahead}
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
