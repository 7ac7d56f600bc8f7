package sandbox

import (
	"fmt"
	"os"
	"syscall"
)

// withPidFD returns sys (a new one if nil) asking the kernel for a pidfd
// of the child (CLONE_PIDFD), and where it will be (-1 if none given).
func withPidFD(sys *syscall.SysProcAttr) (*syscall.SysProcAttr, *int) {
	if sys == nil {
		sys = &syscall.SysProcAttr{}
	}
	fd := -1
	sys.PidFD = &fd
	return sys, &fd
}

// waitPidFD waits for c through its pidfd, which it closes: readable
// once the child has ended, then reaped with a wait4 that cannot block.
// ok is false (and the pidfd closed) where the poller refuses the pidfd;
// the caller then waits for the pid.
func waitPidFD(c child) (ws syscall.WaitStatus, ok bool, err error) {
	if err := syscall.SetNonblock(c.pidfd, true); err != nil {
		_ = syscall.Close(c.pidfd)
		return 0, false, nil
	}
	f := os.NewFile(uintptr(c.pidfd), "pidfd")
	defer func() { _ = f.Close() }()
	rc, rerr := f.SyscallConn()
	if rerr != nil {
		return 0, false, nil
	}
	reaped := false
	rerr = rc.Read(func(uintptr) bool {
		for {
			pid, e := syscall.Wait4(c.pid, &ws, syscall.WNOHANG, nil)
			switch {
			case e == syscall.EINTR:
				continue
			case e != nil:
				err = fmt.Errorf("wait for %d: %w", c.pid, e)
				return true
			}
			reaped = pid == c.pid
			return reaped // not yet: the pidfd says when
		}
	})
	if rerr != nil && !reaped && err == nil {
		// Not pollable here: nothing was reaped, so wait4 still can.
		return 0, false, nil
	}
	return ws, true, err
}
