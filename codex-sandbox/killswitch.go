package sandbox

import (
	"context"
	"sync"
	"syscall"
)

// killSwitch ends the command's tree when fired: at once while the
// command runs, as soon as it starts if it has not yet, and not at all
// once it has been waited for (its pid could be reused).
type killSwitch struct {
	// ctx, once done, counts as fired: context.AfterFunc calls fire from
	// a goroutine, possibly after the start was decided.
	ctx context.Context
	// initOnly: pid is the init of the command's PID namespace, whose
	// death ends everything in it; the caller's other descendants are
	// not the switch's to kill.
	initOnly    bool
	mu          sync.Mutex
	pid         int
	fired, done bool
}

// kill ends pid's tree.
func (k *killSwitch) kill(pid int) {
	if k.initOnly {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		return
	}
	killTree(pid)
}

// fire ends the tree (or stops it from starting).
func (k *killSwitch) fire() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fired = true
	if k.pid > 0 && !k.done {
		k.kill(k.pid)
	}
}

// isFired reports whether fire was called or ctx is done.
func (k *killSwitch) isFired() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fired || (k.ctx != nil && k.ctx.Err() != nil)
}

// started records the command's pid, ending it at once if fire came first.
func (k *killSwitch) started(pid int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.pid = pid
	if k.fired {
		k.kill(pid)
	}
}

// waited records that the command has been reaped.
func (k *killSwitch) waited() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.done = true
}
