//go:build unix && !linux

package sandbox

import "syscall"

// withPidFD returns sys unchanged: pidfds are Linux's.
func withPidFD(sys *syscall.SysProcAttr) (*syscall.SysProcAttr, *int) {
	fd := -1
	return sys, &fd
}

// waitPidFD is never reached without a pidfd.
func waitPidFD(child) (syscall.WaitStatus, bool, error) { return 0, false, nil }
