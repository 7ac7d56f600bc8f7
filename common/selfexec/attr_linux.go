package selfexec

import "syscall"

// DieWithParent returns a (a new one if nil) with SIGTERM sent to the
// child when the thread that started it ends (PR_SET_PDEATHSIG), as when
// the caller is killed, even with SIGKILL: a codex-sandbox supervisor or
// an agent then ends what it started instead of running on, orphaned.
// Start such a child from a goroutine that has not locked its thread.
func DieWithParent(a *syscall.SysProcAttr) *syscall.SysProcAttr {
	if a == nil {
		a = &syscall.SysProcAttr{}
	}
	a.Pdeathsig = syscall.SIGTERM
	return a
}
