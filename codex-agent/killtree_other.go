//go:build !linux

package agent

import "syscall"

// killTree kills a command's process group (the portable part of the
// Linux version: no /proc walk for processes that left the group).
func killTree(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
