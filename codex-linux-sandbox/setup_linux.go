package linuxsandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/codexgo/codex-linux-sandbox/internal/nsinit"
	"golang.org/x/sys/unix"
)

// Setup is a plan turned into kernel objects, ready to apply to the
// calling thread.
type Setup struct {
	Explanation
	filter   []unix.SockFilter
	canBound bool
	err      error
}

// Prepare works out how plan is enforced on this machine without changing
// anything. A sandbox that cannot be set up (no Landlock, no seccomp) is
// recorded in the result and refused by Apply: we fail closed.
func Prepare(p *Plan) *Setup {
	return prepare(p, os.Getpid() == 1)
}

// prepare is Prepare for a sandbox whose command runs in a new PID
// namespace (where it has a mount namespace) when pidNS.
func prepare(p *Plan, pidNS bool) *Setup {
	s := &Setup{Explanation: Explanation{Plan: p, Mechanism: "none", Active: []string{}, Unavailable: []string{}}}
	if !p.Restricted() {
		return s
	}
	s.Mechanism = "landlock"
	fail := func(err error) *Setup {
		// Nothing will be enforced: say so in every field a reader
		// might look at, not only in Error.
		s.err = err
		s.Error = err.Error()
		s.Mechanism, s.Landlock, s.Seccomp, s.SeccompInstructions = "none", nil, nil, 0
		s.Active = []string{}
		s.Unavailable = append(s.Unavailable, "sandbox: "+err.Error())
		return s
	}
	abi := landlockABI()
	if abi < 1 {
		return fail(errors.New("the kernel has no Landlock (needs Linux 5.13+ with landlock in the lsm= list); refusing to run unsandboxed"))
	}
	if _, err := unix.PrctlRetInt(unix.PR_GET_SECCOMP, 0, 0, 0, 0); err != nil {
		return fail(fmt.Errorf("the kernel has no seccomp: %w", err))
	}
	s.Landlock = buildLandlock(p, abi)
	filter, err := filterProgram(p.Network(), p.Policy.AllowUnixSockets)
	if err != nil {
		return fail(err)
	}
	s.filter, s.Seccomp, s.SeccompInstructions = filter, seccompSummary(p.Network(), p.Policy.AllowUnixSockets), len(filter)
	eff, _, err := threadCaps()
	if err != nil {
		return fail(err)
	}
	// Every kernel that has Landlock has mount namespaces; were unshare
	// refused anyway, Apply fails and nothing runs.
	s.MountNamespace = hasCap(eff, capSysAdmin)
	s.canBound = hasCap(eff, capSetpcap)
	// The IPC namespace comes with the mount namespace (the same
	// capability). A PID namespace cannot be entered by a process that
	// execs in place: codex-sandbox starts the helper in a new one, where
	// it is PID 1, and the helper then gives it its own /proc.
	s.IPCNamespace = s.MountNamespace
	s.PIDNamespace = s.MountNamespace && pidNS

	// Plain concatenation: this is the helper's first use of fmt
	// otherwise, and its first use costs a fresh process ~20 µs.
	add := func(list *[]string, parts ...string) { *list = append(*list, strings.Join(parts, "")) }
	abiS := strconv.Itoa(abi)
	add(&s.Active, "landlock-fs (ABI ", abiS, "): read and execute everywhere, write only in ", strconv.Itoa(len(p.WritableRoots)), " writable roots and standard devices")
	if s.Landlock.HandledNet != nil {
		add(&s.Active, "landlock-net: TCP bind and connect denied")
	} else if !p.Network() {
		add(&s.Unavailable, "landlock-net: Landlock ABI ", abiS, " has no TCP rules (needs 4); seccomp still refuses every non-unix socket")
	}
	if abi >= 6 {
		add(&s.Active, "landlock-scope: ", strings.Join(s.Landlock.Scoped, " and "), " limited to the sandbox")
	} else {
		add(&s.Unavailable, "landlock-scope: Landlock ABI ", abiS, " cannot scope signals and abstract unix sockets (needs 6)")
	}
	add(&s.Active, "seccomp: namespaces, mounts, keyrings, terminal injection, rlimits of other processes refused")
	if !p.Network() {
		if p.Policy.AllowUnixSockets {
			add(&s.Active, "seccomp-net: only unix sockets; io_uring refused; connecting to unix sockets allowed")
		} else {
			add(&s.Active, "seccomp-net: only unix stream and seqpacket sockets; io_uring, connect, and datagram sockets (sendmsg to a pathname socket such as /dev/log) refused")
		}
	}
	add(&s.Active, "no-new-privs")
	if s.canBound {
		add(&s.Active, "capabilities: all sets emptied, bounding set included")
	} else {
		add(&s.Active, "capabilities: effective, permitted, inheritable and ambient sets empty")
		add(&s.Unavailable, "bounding-set: left as is (no CAP_SETPCAP); no_new_privs keeps it from being used")
	}
	if s.MountNamespace {
		where := ""
		if os.Geteuid() != 0 {
			where = " (inside a user namespace)"
		}
		add(&s.Active, "mount-namespace", where, ": every mount read-only except the writable roots")
		if len(p.Protected) > 0 {
			add(&s.Active, "protected-subpaths: ", strings.Join(p.Protected, ", "), " read-only")
		}
		if len(p.Pinned) > 0 {
			add(&s.Active, "pinned-paths: ", strings.Join(p.Pinned, ", "), " cannot be renamed, removed or replaced")
		}
		add(&s.Active, "ipc-namespace: SysV shared memory, semaphores and message queues and POSIX message queues of its own; none of the host's")
	} else {
		if len(p.Protected) > 0 {
			add(&s.Unavailable, "protected-subpaths: no mount namespace (no CAP_SYS_ADMIN, no user namespace), so this sandbox does not keep ", strings.Join(p.Protected, ", "), " read-only")
		}
		if len(p.Pinned) > 0 {
			add(&s.Unavailable, "pinned-paths: no mount namespace, so ", strings.Join(p.Pinned, ", "), " can be renamed away and replaced (Landlock cannot forbid renaming one entry of a writable directory)")
		}
		add(&s.Unavailable, "metadata-outside-roots: chmod, chown and utimes on your own files outside the writable roots are not blocked (Landlock does not cover them; needs CAP_SYS_ADMIN for read-only mounts)")
		add(&s.Unavailable, "ipc-namespace: none (no CAP_SYS_ADMIN, no user namespace): SysV shared memory and message queues of the same user stay writable")
	}
	if s.PIDNamespace {
		add(&s.Active, "pid-namespace: ", pidNSInit(), " of its own with its own /proc; nothing outside can be seen, signalled or traced, and everything in it ends with the command or a killed supervisor")
	} else {
		still := "tracing"
		if abi >= 6 {
			still = "tracing and signalling"
		}
		add(&s.Unavailable, "pid-namespace: none (", pidNSMissing(s.MountNamespace), "): processes outside stay visible in /proc (Landlock still refuses ", still,
			" them), and descendants that leave the process group can outlive a SIGKILLed supervisor")
	}
	for _, r := range p.RefusedRoots {
		add(&s.Unavailable, "writable-roots: ", r, " is reached through a symlink inside another writable root and points outside them (a sandboxed command could have planted it); not made writable")
	}
	for _, u := range p.Unprotectable {
		add(&s.Unavailable, "protected-subpaths: ", u, " does not exist; keeping it from being created would need a mount point on the host")
	}
	return s
}

// pidNSInit says who is PID 1 of the sandbox's PID namespace.
func pidNSInit() string {
	if nsinit.Program == "" {
		return "the command is PID 1 (no init for " + runtime.GOARCH + ") of a PID namespace"
	}
	return "the command runs under a minimal init (PID 1) in a PID namespace"
}

// pidNSMissing says why there is no PID namespace.
func pidNSMissing(mountNS bool) string {
	if !mountNS {
		return "no CAP_SYS_ADMIN, no user namespace"
	}
	return "the helper was not started in one; codex-sandbox starts it so"
}

// Apply restricts the calling OS thread, which must be locked
// (runtime.LockOSThread) and must be the one that then execs: mount
// namespace, no_new_privs, capabilities, Landlock, seccomp, in that order.
func (s *Setup) Apply() error {
	if s.err != nil {
		return s.err
	}
	if !s.Restricted() {
		return nil
	}
	var rootFDs map[string]int
	if s.MountNamespace {
		fds, err := setupMounts(s.Plan)
		if err != nil {
			return err
		}
		defer closeAll(fds)
		rootFDs = fds
		if s.PIDNamespace {
			if err := mountProc(); err != nil {
				// A /proc that hides part of itself (a container's masked
				// paths) may not be mounted again in a user namespace:
				// the host's stays, and the report says so.
				s.Active = slices.DeleteFunc(s.Active, func(a string) bool { return strings.HasPrefix(a, "pid-namespace:") })
				s.Active = append(s.Active, "pid-namespace: "+pidNSInit()+" of its own; everything in it ends with the command or a killed supervisor")
				s.Unavailable = append(s.Unavailable, "pid-namespace: /proc could not be mounted for it ("+err.Error()+"); the host's processes stay visible there")
			}
		}
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	if err := dropCaps(s.canBound); err != nil {
		return err
	}
	if err := s.Landlock.restrict(rootFDs); err != nil {
		return err
	}
	return loadFilter(s.filter)
}

// ExecError is a failure to start the command after the sandbox was set
// up; Code is 127 (not found) or 126 (not executable).
type ExecError struct {
	Code int
	Err  error
}

// Error returns the underlying message.
func (e *ExecError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ExecError) Unwrap() error { return e.Err }

// execve replaces the process with argv (looked up in the PATH of env)
// in directory dir. It only returns on failure.
func execve(argv []string, dir string, env []string) error {
	if err := unix.Chdir(dir); err != nil {
		return &ExecError{Code: 127, Err: fmt.Errorf("change directory to %s: %w", dir, err)}
	}
	path := argv[0]
	if !strings.Contains(path, "/") {
		lp, err := lookPath(path, env)
		if err != nil {
			return err
		}
		path = lp
	}
	err := syscall.Exec(path, argv, env)
	code := 126
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		code = 127
	}
	return &ExecError{Code: code, Err: fmt.Errorf("exec %s: %w", argv[0], err)}
}

// LookPath finds file in the PATH of env, as execvp would; the error is
// an *ExecError with code 127 (not found) or 126 (not executable).
func LookPath(file string, env []string) (string, error) { return lookPath(file, env) }

// lookPath finds file in the PATH of env, as execvp would.
func lookPath(file string, env []string) (string, error) { return lookPathIn(file, env, "") }

// lookPathIn is lookPath for a process whose working directory will be
// base: a relative PATH entry is taken from there, and so is the result.
func lookPathIn(file string, env []string, base string) (string, error) {
	pathEnv := "/usr/local/bin:/usr/bin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = v
		}
	}
	denied := false
	for _, dir := range strings.Split(pathEnv, ":") {
		if dir == "" {
			dir = "."
		}
		if base != "" && !strings.HasPrefix(dir, "/") {
			dir = base + "/" + dir
		}
		p := dir + "/" + file
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() {
			continue
		}
		if fi.Mode()&0o111 == 0 || unix.Access(p, unix.X_OK) != nil {
			denied = true
			continue
		}
		return p, nil
	}
	if denied {
		return "", &ExecError{Code: 126, Err: fmt.Errorf("%s: permission denied", file)}
	}
	return "", &ExecError{Code: 127, Err: fmt.Errorf("%s: %w", file, exec.ErrNotFound)}
}

// execInit execs the PID namespace's init (nsinit.Program, from a memfd)
// in dir, which forks argv (looked up in the PATH of env) and reports
// its wait status on reportFD (-1: none). It only returns on failure.
func execInit(argv []string, dir string, env []string, reportFD int) error {
	if err := unix.Chdir(dir); err != nil {
		return &ExecError{Code: 127, Err: fmt.Errorf("change directory to %s: %w", dir, err)}
	}
	path := argv[0]
	if !strings.Contains(path, "/") {
		lp, err := lookPath(path, env)
		if err != nil {
			return err
		}
		path = lp
	} else if err := unix.Access(path, unix.X_OK); err != nil {
		code := 126
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
			code = 127
		}
		return &ExecError{Code: code, Err: fmt.Errorf("exec %s: %w", argv[0], err)}
	}
	prog, err := InitProgram()
	if err != nil {
		return err
	}
	defer func() { _ = prog.Close() }()
	fd := prog.Fd()
	if reportFD >= 0 {
		// The init reports the command's status there; the command
		// itself never gets it (close-on-exec in the init's child).
		if _, err := unix.FcntlInt(uintptr(reportFD), unix.F_SETFD, 0); err != nil {
			return fmt.Errorf("init: report fd: %w", err)
		}
	}
	args := append([]string{strconv.Itoa(reportFD), path}, argv...)
	argvp, err := syscall.SlicePtrFromStrings(args)
	if err != nil {
		return &ExecError{Code: 126, Err: err}
	}
	envp, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return &ExecError{Code: 126, Err: err}
	}
	empty := [1]byte{}
	_, _, e := unix.Syscall6(unix.SYS_EXECVEAT, uintptr(fd), uintptr(unsafe.Pointer(&empty[0])),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])), unix.AT_EMPTY_PATH, 0)
	if reportFD >= 0 {
		syscall.CloseOnExec(reportFD)
	}
	return &ExecError{Code: 126, Err: fmt.Errorf("exec init for %s: %w", argv[0], e)}
}

// closeInherited marks every descriptor above stderr close-on-exec: a
// sandboxed command gets only its standard input, output and error, never
// a descriptor its caller left open to something outside the sandbox
// (opened before Landlock, a write through it would not be checked).
func closeInherited() {
	_ = unix.CloseRange(3, ^uint(0)>>1, unix.CLOSE_RANGE_CLOEXEC)
}
