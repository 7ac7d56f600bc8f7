//go:build !linux

package sandbox

import (
	"os/exec"
	"syscall"
)

// guardSupervisor is Linux-only; elsewhere the process group is all we
// can end.
func guardSupervisor() error { return nil }

// childAttr puts the child in its own process group so the group can be
// killed as a whole (with session, in a session of its own whose
// controlling terminal is its standard input).
func childAttr(session bool) *syscall.SysProcAttr {
	if session {
		return &syscall.SysProcAttr{Setsid: true, Setctty: true}
	}
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

// nonDumpable is Linux-only.
func nonDumpable() error { return nil }

// inPIDNamespace is Linux-only.
func inPIDNamespace(*exec.Cmd) bool { return false }
