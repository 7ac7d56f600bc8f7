package linuxsandbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/codexgo/codex-linux-sandbox/internal/nsinit"
	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// LaunchCloneflags are the namespaces a Launch's init is started in: its
// own PID namespace (of which it is PID 1), mount namespace (which
// Launch.Arm fills from outside) and IPC namespace.
const LaunchCloneflags = unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWIPC

// Control message flags, as csrc/init_amd64.c reads them.
const (
	ctlProc     = 1 // mount the PID namespace's /proc
	ctlBound    = 2 // empty the bounding set too
	ctlLandlock = 4 // a Landlock ruleset comes with the message (none: nothing starts)
)

// initUserNS is the inode of the initial user namespace's
// /proc/PID/ns/user (PROC_USER_INIT_INO), fixed by the kernel.
const initUserNS = 0xEFFFFFFD

// Launch is a sandbox that a supervisor sets up for one command without
// starting this helper, one Go process start less per command: the
// supervisor starts the init program (nsinit, a few KB of C without
// libc) from a memfd as PID 1 of new PID, mount and IPC namespaces,
// blocked on a control socket; Arm (or ArmHere) makes the mounts in that
// mount namespace from a thread of the supervisor's that enters it,
// builds the Landlock ruleset there, and sends it with the seccomp
// program; the init mounts its /proc and restricts itself whole, in the
// order Apply uses, before it starts the command. The plan, the mounts,
// the ruleset and the filter are this package's, as for the helper: only
// the last system calls run in the init.
//
// The shape is the helper's: the command's parent is the init, which is
// restricted whole and single-threaded; the supervisor is outside the
// command's PID namespace (it cannot be named from inside) and its
// Landlock domain (it cannot be traced or signalled from inside), as it
// is when it starts the helper.
type Launch struct {
	plan  *Plan
	setup *Setup
	path  string
	argv  []string
	env   []string
}

// CanLaunch reports whether this process can set a sandbox up itself
// (NewLaunch) on this machine: it needs the init program (x86-64) and
// CAP_SYS_ADMIN and CAP_SYS_CHROOT (to enter the init's mount namespace)
// in the initial user namespace, to make the mounts and the init's /proc
// without a user namespace of its own. Elsewhere the helper
// does it (a user namespace's uid map would have to be written by a
// dumpable supervisor).
func CanLaunch() bool {
	if nsinit.Program == "" {
		return false
	}
	eff, _, err := threadCaps()
	if err != nil || !hasCap(eff, capSysAdmin) || !hasCap(eff, capSysChroot) {
		return false
	}
	var st unix.Stat_t
	return unix.Stat("/proc/self/ns/user", &st) == nil && st.Ino == initUserNS
}

// NewLaunch resolves policy (as the helper would, from policyCwd, with
// TMPDIR and the rest from env) and works out its sandbox for argv. A
// sandbox that this machine cannot enforce is an *ExecError with code
// 125, as the helper reports it; a bad policy one with code 2.
func NewLaunch(policy protocol.SandboxPolicy, policyCwd, commandCwd string, argv, env []string) (*Launch, error) {
	if len(argv) == 0 {
		return nil, errors.New("no command given")
	}
	env = RestoreEnv(env)
	plan, err := NewPlan(policy, policyCwd, commandCwd, Getenv(env))
	if err != nil {
		return nil, &ExecError{Code: ExitUsage, Err: err}
	}
	if !plan.Restricted() {
		return nil, errors.New("launch: nothing to restrict")
	}
	s := prepare(plan, true)
	if s.err != nil {
		return nil, &ExecError{Code: ExitSetupFailed, Err: fmt.Errorf("sandbox setup failed: %w", s.err)}
	}
	if !s.MountNamespace || s.Landlock == nil {
		return nil, &ExecError{Code: ExitSetupFailed, Err: errors.New("sandbox setup failed: launch needs a mount namespace and Landlock")}
	}
	return &Launch{plan: plan, setup: s, path: argv[0], argv: argv, env: CommandEnv(plan, env)}, nil
}

// Find looks the command up in the PATH of its environment, seen from its
// working directory, as the helper does before it starts it: the error
// is an *ExecError, 127 (not found) or 126 (not executable). A path with
// a slash is left to the exec, whose failure the init reports.
func (l *Launch) Find() error {
	if strings.Contains(l.path, "/") {
		return nil
	}
	p, err := lookPathIn(l.path, l.env, l.plan.CommandCwd)
	if err != nil {
		return err
	}
	l.path = p
	return nil
}

// Report is what the sandbox enforces.
func (l *Launch) Report() *protocol.SandboxReport { return l.setup.Report() }

// Env is the command's environment (the init's too).
func (l *Launch) Env() []string { return l.env }

// InitArgs is the init's argv when the report descriptor is reportFD and
// the control socket ctlFD in it.
func (l *Launch) InitArgs(reportFD, ctlFD int) []string {
	head := strconv.Itoa(reportFD) + "," + strconv.Itoa(ctlFD)
	return append([]string{head, l.path}, l.argv...)
}

// InitProgram returns a memfd holding the init program, for the
// supervisor to start (as /proc/self/fd/N of the child it is passed to).
func InitProgram() (*os.File, error) {
	fd, err := unix.MemfdCreate("codex-init", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("init: memfd: %w", err)
	}
	f := os.NewFile(uintptr(fd), "codex-init")
	if n, err := unix.Write(fd, []byte(nsinit.Program)); err != nil || n != len(nsinit.Program) {
		_ = f.Close()
		return nil, fmt.Errorf("init: write memfd: %d bytes, %v", n, err)
	}
	// Sealed: nothing can change the program once written.
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SEAL|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("init: seal memfd: %w", err)
	}
	return f, nil
}

// Arm sets the sandbox up for the init started (with LaunchCloneflags,
// InitArgs and the other end of ctl) as the process pidfd refers to (its
// pidfd, as CLONE_PIDFD or pidfd_open give it: no pid that could have
// been reused), and sends it what it restricts itself with. The mounts
// are made by this process's mount worker (mountWorker), in the init's
// mount namespace. On an error the caller kills the init.
func (l *Launch) Arm(pidfd int, ctl int) error {
	done := make(chan error, 1)
	mountWorker() <- armJob{l: l, pidfd: pidfd, ctl: ctl, msg: l.message(), done: done}
	return <-done
}

// ArmHere is Arm on the calling goroutine's own thread, for a process
// that runs one command and then ends (codex-sandbox): no hand-off to
// the mount worker, whose start and two wake-ups cost a fresh process
// from 0.1 ms (idle) to over 5 ms (two busy cores) per command. The
// thread comes back to the process's mount namespace, root and working
// directory and goes back to the scheduler, with a file-system context
// of its own: a later chdir, chroot or umask of the process would not
// reach it, so a caller that changes them uses Arm. (Keeping the thread
// locked instead would end it with the goroutine, and a thread's end
// sends PR_SET_PDEATHSIG to every child it started for anyone.) If it
// cannot come back, the thread stays locked to the goroutine.
func (l *Launch) ArmHere(pidfd int, ctl int) error {
	runtime.LockOSThread()
	back := true // the thread is where the process is: it may go back
	defer func() {
		if back {
			runtime.UnlockOSThread()
		}
	}()
	home, err := enterOwnFS()
	if err != nil {
		return err
	}
	defer func() { _ = unix.Close(home) }()
	root, err := unix.Open("/", unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /: %w", err)
	}
	defer func() { _ = unix.Close(root) }()
	cwd, err := unix.Open(".", unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open the working directory: %w", err)
	}
	defer func() { _ = unix.Close(cwd) }()
	err = l.arm(pidfd, ctl, l.message())
	// Back where the process is, whatever happened: its /proc, its
	// paths (setns moved root and working directory to the
	// namespace's root).
	back = false
	if rerr := unix.Setns(home, unix.CLONE_NEWNS); rerr != nil {
		return fmt.Errorf("return to the process's mount namespace: %w", rerr)
	}
	if rerr := unix.Fchdir(root); rerr != nil {
		return fmt.Errorf("return to the process's root: %w", rerr)
	}
	if rerr := unix.Chroot("."); rerr != nil {
		return fmt.Errorf("return to the process's root: %w", rerr)
	}
	if rerr := unix.Fchdir(cwd); rerr != nil {
		return fmt.Errorf("return to the working directory: %w", rerr)
	}
	back = true
	return err
}

// armJob is one Arm for the mount worker.
type armJob struct {
	l          *Launch
	pidfd, ctl int
	msg        []byte
	done       chan<- error
}

// mountWorker starts, once per process, the one thread that enters
// sandboxes' mount namespaces, and returns its queue.
//
// Process-wide on purpose, the package's one piece of state: entering a
// mount namespace needs a thread with a file-system context of its own
// (unshare CLONE_FS), which must then never run anything else, nor end:
// a thread's end sends PR_SET_PDEATHSIG to every child it started, and a
// thread handed out by the Go scheduler may have started any of the
// process's children (an init, an MCP server). So this thread is locked
// for good, enters each init's namespace in turn and returns to the
// process's own after each, so that no ended sandbox's mounts are kept
// alive; the jobs are queued (a mount set-up takes well under a
// millisecond).
var mountWorker = sync.OnceValue(func() chan<- armJob {
	jobs := make(chan armJob)
	go func() {
		runtime.LockOSThread() // never unlocked: see above
		home, err := enterOwnFS()
		for j := range jobs {
			if err != nil {
				j.done <- err
				continue
			}
			j.done <- j.l.arm(j.pidfd, j.ctl, j.msg)
			if rerr := unix.Setns(home, unix.CLONE_NEWNS); rerr != nil {
				// Stuck in a sandbox's namespace: no more launches
				// here (the supervisor then reports a set-up failure).
				err = fmt.Errorf("mount worker: return to the process's mount namespace: %w", rerr)
			}
		}
	}()
	return jobs
})

// enterOwnFS gives the calling (locked) thread a file-system context of
// its own and returns a descriptor of its mount namespace.
func enterOwnFS() (int, error) {
	home, err := unix.Open("/proc/thread-self/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("mount worker: own mount namespace: %w", err)
	}
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		_ = unix.Close(home)
		return -1, fmt.Errorf("mount worker: unshare fs: %w", err)
	}
	return home, nil
}

// arm is Arm on the mount worker's thread. setns takes the init's pidfd
// itself (Linux 5.8; Landlock needs 5.13): no /proc lookup, and no pid.
func (l *Launch) arm(pidfd, ctl int, msg []byte) error {
	if err := unix.Setns(pidfd, unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("enter the sandbox's mount namespace: %w", err)
	}
	fds, err := makeMounts(l.plan)
	if err != nil {
		return err
	}
	defer closeAll(fds)
	rfd, err := l.setup.Landlock.ruleset(fds)
	if err != nil {
		return err
	}
	defer func() { _ = unix.Close(rfd) }()
	if err := unix.Sendmsg(ctl, msg, unix.UnixRights(rfd), nil, unix.MSG_NOSIGNAL); err != nil {
		return fmt.Errorf("send the plan to the init: %w", err)
	}
	return nil
}

// message is the control message (csrc/init_amd64.c, struct ctlhead):
// version, flags, the number of seccomp instructions and the length of
// the working directory, then the instructions and the directory.
func (l *Launch) message() []byte {
	prog := l.setup.filter
	flags := uint32(ctlProc | ctlLandlock)
	if l.setup.canBound {
		flags |= ctlBound
	}
	cwd := l.plan.CommandCwd
	b := make([]byte, 0, 16+8*len(prog)+len(cwd))
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, flags)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(prog)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(cwd)))
	for _, f := range prog {
		b = binary.LittleEndian.AppendUint16(b, f.Code)
		b = append(b, f.Jt, f.Jf)
		b = binary.LittleEndian.AppendUint32(b, f.K)
	}
	return append(b, cwd...)
}
