package proctest

import (
	"time"

	"golang.org/x/sys/unix"
)

// Exits waits up to d for the process behind pidfd to end (the pidfd
// turns readable); d <= 0 checks once. poll(2) is never restarted after
// a signal handler, so EINTR (a SIGCHLD of another test's child, the Go
// runtime's preemption signal) is no answer: it waits on until the
// deadline.
func Exits(pidfd int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		left := max(int(time.Until(deadline).Milliseconds()), 0)
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}, left)
		if err == unix.EINTR && left > 0 {
			continue
		}
		return err == nil && n == 1
	}
}
