package sandbox

import (
	"errors"
	"sync"
)

// errNoParked: the command starts its own helper.
var errNoParked = errors.New("no parked helper")

// Ahead keeps at most one codex-linux-sandbox helper started ahead of
// the next command, for a Supervisor with InProcess (README, Speed): the
// helper's process and runtime start, the dearest part of a sandboxed
// command's start, then happen while the caller waits for something
// else (the agent, for the model), not on the command's path.
//
// A parked helper holds no policy, command, environment or restriction:
// it waits, non-dumpable, in a PID namespace (as an ordinary user inside
// a user and mount namespace, its ids mapped) and process group of its
// own, with the parent-death signal, for one plan decided when the
// command is run (the policy of that call, never an earlier one), with
// the command's three standard descriptors; it then restricts itself
// whole and execs exactly as a helper started for that command would.
// Each parked helper serves one command. Close reaps one still unused.
// The zero value is ready to use; use one per session, from any
// goroutines.
//
// Where the supervisor sets the sandbox up itself (as root on amd64,
// linuxsandbox.CanLaunch) nothing is parked: that is cheaper per command
// than a parked helper, and costs no process while the caller waits
// (README, Speed), unless Always or CODEX_SANDBOX_HELPER=1 says so.
// Everywhere else (an ordinary user, another architecture) a helper is
// parked by default: it takes the helper's whole process start off the
// command's path (as uid 65534, +1.7-2.3 ms per command against
// +3.7-5.6 ms starting one per command; README, Speed).
type Ahead struct {
	// Always parks helpers even where the supervisor would set the
	// sandbox up itself (to compare the two).
	Always bool
	mu     sync.Mutex
	p      *parked
	closed bool
}

// take hands the parked helper, if any, to one command.
func (a *Ahead) take() *parked {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.p
	a.p = nil
	return p
}

// Close kills and reaps the parked helper, if one is left unused, and
// makes later Start calls start nothing. It is safe to call twice.
func (a *Ahead) Close() error {
	a.mu.Lock()
	p := a.p
	a.p, a.closed = nil, true
	a.mu.Unlock()
	if p != nil {
		p.discard()
	}
	return nil
}
