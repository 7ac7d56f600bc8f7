//go:build !linux

package selfexec

import "syscall"

// DieWithParent returns a unchanged: there is no parent-death signal
// off Linux.
func DieWithParent(a *syscall.SysProcAttr) *syscall.SysProcAttr { return a }
