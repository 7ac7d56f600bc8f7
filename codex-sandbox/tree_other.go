//go:build !linux

package sandbox

import "syscall"

// becomeSubreaper is Linux-only; elsewhere the process group is all we
// can end.
func becomeSubreaper() error { return nil }

// childAttr puts the child in its own process group so the group can be
// killed as a whole.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// killTree kills the child's process group.
func killTree(direct int) {
	_ = syscall.Kill(-direct, syscall.SIGKILL)
	_ = syscall.Kill(direct, syscall.SIGKILL)
}

// reapTree kills what is left of the child's process group; processes
// that left the group cannot be found without Linux's subreaper.
func reapTree(direct int) { killTree(direct) }
