package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// guardSupervisor makes orphaned descendants (daemons, setsid'd
// processes) children of this process instead of init, so they can be
// found and ended. It is process-wide: only a process dedicated to
// supervising (codex-sandbox itself) calls it.
func guardSupervisor() error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("become subreaper: %w", err)
	}
	return nil
}

// nonDumpable makes this process non-dumpable: tracing it, reading or
// writing its memory, taking its descriptors (pidfd_getfd) or reading
// its /proc files then needs CAP_SYS_PTRACE, which no sandboxed command
// has. Process-wide, like guardSupervisor.
func nonDumpable() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("make the supervisor non-dumpable: %w", err)
	}
	return nil
}

// childAttr makes the direct child die with the supervisor; with
// session, it also gets a session of its own whose controlling terminal
// is its standard input (so ^C typed there interrupts it).
func childAttr(session bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setsid: session, Setctty: session}
}

// descendants lists every live process below pid by walking the parent
// links in /proc (the per-task children files need a kernel option that
// is often missing).
func descendants(pid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	kids := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || i+4 >= len(b) {
			continue
		}
		fields := bytes.Fields(b[i+2:])
		if len(fields) < 2 {
			continue
		}
		ppid, err := strconv.Atoi(string(fields[1]))
		if err != nil {
			continue
		}
		kids[ppid] = append(kids[ppid], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			out = append(out, k)
			queue = append(queue, k)
		}
	}
	return out
}

// killTree sends SIGKILL to every descendant of this process without
// reaping any, so the direct child's status stays for its waiter.
func killTree(direct int) {
	_ = unix.Kill(direct, unix.SIGKILL)
	for _, p := range descendants(os.Getpid()) {
		_ = unix.Kill(p, unix.SIGKILL)
	}
}

// reapTree ends and reaps every remaining descendant. It must run only
// after the direct child has been waited for: it waits for any child.
// The common case (nothing left) costs one wait4 call.
func reapTree(_ int) {
	var ws unix.WaitStatus
	for {
		for {
			pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if err == unix.ECHILD {
				return
			}
			if err == unix.EINTR {
				continue
			}
			if pid <= 0 || err != nil {
				break
			}
		}
		for _, p := range descendants(os.Getpid()) {
			_ = unix.Kill(p, unix.SIGKILL)
		}
		if _, err := unix.Wait4(-1, &ws, 0, nil); err == unix.ECHILD {
			return
		}
	}
}

// inPIDNamespace reports whether cmd starts in a new PID namespace.
func inPIDNamespace(cmd *exec.Cmd) bool {
	return cmd.SysProcAttr != nil && cmd.SysProcAttr.Cloneflags&unix.CLONE_NEWPID != 0
}
