package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/selfexec"
	"golang.org/x/sys/unix"
)

// parkedPlanFD is the parked helper's end of its plan socket.
const parkedPlanFD = 4

// parked is one helper started ahead (Ahead): pid, the agent's end of
// its plan socket and the report file it will write to (its fd 3).
type parked struct {
	pid    int
	sock   *os.File
	report *os.File
	// done: handed to a command (or reaped trying); discard must not
	// touch it then.
	done bool
	// sent: the command's plan went to it (it became the command's
	// helper).
	sent bool
	// ready: WaitReady read its ready byte.
	ready bool
	// cloneflags and ambient are the namespaces and capabilities it was
	// started with (helperNamespaces).
	cloneflags uintptr
	ambient    []uintptr
}

// Start starts a helper ahead of the next command if none is parked and
// this process does not set the sandbox up itself (see Ahead); it does
// nothing after Close. An error (user namespaces refused, say) only
// means the next command starts its helper itself.
func (a *Ahead) Start() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || a.p != nil {
		return nil
	}
	if !a.Always && launches(os.Environ()) {
		// Launched commands start faster than parked helpers.
		return nil
	}
	if !helperPIDNamespace() {
		// Nothing here is supervised in-process (inProcessOK).
		return nil
	}
	p, err := startParked()
	if err != nil {
		return fmt.Errorf("sandbox: start a helper ahead: %w", err)
	}
	a.p = p
	return nil
}

// WaitReady waits until the parked helper, if any, has started and
// waits for its plan (for benchmarks and tests; a command never needs
// to wait: its plan waits in the socket).
func (a *Ahead) WaitReady() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.p == nil || a.p.ready {
		return nil
	}
	var b [1]byte
	if n, err := a.p.sock.Read(b[:]); n != 1 || b[0] != 'r' {
		return fmt.Errorf("sandbox: parked helper not ready: %v", err)
	}
	a.p.ready = true
	return nil
}

// startParked starts the helper with ParkedArg in the namespaces
// helperNamespaces gives (a PID namespace; without CAP_SYS_ADMIN a user
// and mount namespace too, whose maps it writes as it starts) and a
// process group of its own, with the parent-death signal, exactly as
// buildCmd starts an in-process job's helper, but with an environment
// of its own (GOMAXPROCS=1 and its ids only: nothing of the caller's or
// of a command's reaches its runtime), /dev/null as its standard
// streams, the report file and its end of the plan socket.
func startParked() (*parked, error) {
	path, err := selfexec.Resolve(linuxsandbox.ToolName)
	if err != nil {
		return nil, err
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("plan socket: %w", err)
	}
	sock, theirs := os.NewFile(uintptr(pair[0]), "parked-plan"), os.NewFile(uintptr(pair[1]), "parked-plan-helper")
	defer func() { _ = theirs.Close() }()
	rf, err := newReportFile()
	if err != nil {
		_ = sock.Close()
		return nil, err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		_, _ = sock.Close(), rf.Close()
		return nil, err
	}
	defer func() { _ = devnull.Close() }()
	// Non-dumpable before anything that will run sandboxed exists, as
	// spawnAndWait makes it.
	if err := nonDumpable(); err != nil {
		_, _ = sock.Close(), rf.Close()
		return nil, err
	}
	attr := childAttr(false)
	attr.Setpgid = true
	env, pidNS := helperNamespaces(attr, []string{"GOMAXPROCS=1"})
	if !pidNS {
		_, _ = sock.Close(), rf.Close()
		return nil, errors.New("no PID namespace for a helper here")
	}
	pid, err := syscall.ForkExec(path, []string{linuxsandbox.ToolName, linuxsandbox.ParkedArg, strconv.Itoa(parkedPlanFD)},
		&syscall.ProcAttr{Env: env, Files: []uintptr{devnull.Fd(), devnull.Fd(), devnull.Fd(), rf.Fd(), theirs.Fd()}, Sys: attr})
	if err != nil {
		_, _ = sock.Close(), rf.Close()
		return nil, err
	}
	return &parked{pid: pid, sock: sock, report: rf, cloneflags: attr.Cloneflags, ambient: attr.AmbientCaps}, nil
}

// discard kills and reaps an unused parked helper and closes its files.
func (p *parked) discard() {
	_ = syscall.Kill(p.pid, syscall.SIGKILL)
	_, _ = waitPid(p.pid)
	_, _ = p.sock.Close(), p.report.Close()
}

// usable reports whether cmd is the helper start a parked helper stands
// in for: the same attributes (the namespaces and capabilities it was
// started with, a process group of its own, no session) and its report
// file.
func (p *parked) usable(cmd *exec.Cmd) bool {
	a := cmd.SysProcAttr
	return a != nil && a.Cloneflags == p.cloneflags && a.Cloneflags&unix.CLONE_NEWPID != 0 && a.Setpgid && !a.Setsid && !a.Setctty &&
		a.Pdeathsig == syscall.SIGKILL && len(a.UidMappings) == 0 && slices.Equal(a.AmbientCaps, p.ambient) &&
		cmd.Dir == "" && len(cmd.ExtraFiles) == 1 && cmd.ExtraFiles[0] == p.report && len(cmd.Args) > 1
}

// handOff gives the parked helper cmd's plan (its arguments and
// environment) and standard descriptors, once, and closes this end of
// the socket; the helper then is cmd's process. On failure the helper
// is reaped and its report file emptied, so cmd can be spawned instead.
func handOff(p *parked, cmd *exec.Cmd) (int, error) {
	p.done = true
	err := errNoParked
	if p.usable(cmd) {
		err = sendPlan(p, cmd)
	}
	_ = p.sock.Close()
	if err != nil {
		_ = syscall.Kill(p.pid, syscall.SIGKILL)
		_, _ = waitPid(p.pid)
		fd := int(p.report.Fd())
		if terr := unix.Ftruncate(fd, 0); terr != nil {
			return 0, terr
		}
		if _, serr := unix.Seek(fd, 0, 0); serr != nil {
			return 0, serr
		}
		return 0, err
	}
	p.sent = true
	return p.pid, nil
}

func sendPlan(p *parked, cmd *exec.Cmd) error {
	files, done, err := stdio(cmd)
	defer done()
	if err != nil {
		return err
	}
	msg, err := linuxsandbox.AppendPlanMessage(nil, cmd.Args[1:], cmd.Env)
	if err != nil {
		return err
	}
	fd := int(p.sock.Fd())
	rights := unix.UnixRights(int(files[0]), int(files[1]), int(files[2]))
	sent := 0
	for sent < len(msg) {
		n, err := unix.SendmsgN(fd, msg[sent:], rights, nil, unix.MSG_NOSIGNAL)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("send plan to the parked helper: %w", err)
		}
		sent += n
		rights = nil
	}
	return nil
}
