package sandbox

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"golang.org/x/sys/unix"
)

// Descriptors of the init that a launch starts (linuxsandbox.Launch).
const (
	launchReportFD  = 3
	launchControlFD = 4
	launchProgramFD = 5
)

// launching is a sandbox this supervisor sets up itself for the init it
// starts, instead of starting the helper (launchCmd).
type launching struct {
	l *linuxsandbox.Launch
	// ctl is this end of the control socket, -1 once closed: the plan
	// goes out on it, and the init's word that the command and all it
	// started have ended comes back on it (wait).
	ctl int
	// ends are the child's copies' originals: the control socket's
	// other end and the init program's memfd.
	ends []io.Closer
	// here: this process runs one command (the command line, which
	// never changes its working directory), so the mounts are made on
	// the calling thread (ArmHere) rather than by the mount worker that
	// long-lived callers share (Arm).
	here bool
}

// launchCmd starts j's command under a sandbox this supervisor sets up
// itself (linuxsandbox.Launch): one Go process start less per command
// than the helper. The child is the init program, PID 1 of new PID, mount
// and IPC namespaces, which waits for Arm (spawnAndWait) and then
// restricts itself whole before it starts the command. Everything else
// (waiting, the report file, the kill switch, the tree) is as with the
// helper, which was PID 1 of the same namespaces in the same place.
func launchCmd(j job) (*exec.Cmd, reportPipe, error) {
	l, err := linuxsandbox.NewLaunch(j.plan.Policy, j.plan.PolicyCwd, j.plan.CommandCwd, j.argv, j.env)
	if err != nil {
		return nil, reportPipe{}, err
	}
	if err := l.Find(); err != nil {
		return nil, reportPipe{static: l.Report()}, err
	}
	rf, err := newReportFile()
	if err != nil {
		return nil, reportPipe{}, err
	}
	st := &launching{l: l, ctl: -1, here: !j.inProcess}
	fail := func(err error) (*exec.Cmd, reportPipe, error) {
		_ = rf.Close()
		st.close()
		return nil, reportPipe{}, err
	}
	prog, err := linuxsandbox.InitProgram()
	if err != nil {
		return fail(err)
	}
	st.ends = append(st.ends, prog)
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("control socket: %w", err))
	}
	st.ctl = pair[0]
	child := os.NewFile(uintptr(pair[1]), "control")
	st.ends = append(st.ends, child)
	cmd := &exec.Cmd{
		Path:        fmt.Sprintf("/proc/self/fd/%d", launchProgramFD),
		Args:        l.InitArgs(launchReportFD, launchControlFD),
		Env:         l.Env(),
		ExtraFiles:  []*os.File{rf, child, prog},
		SysProcAttr: childAttr(j.session),
	}
	cmd.SysProcAttr.Cloneflags = linuxsandbox.LaunchCloneflags
	if j.inProcess && !j.session {
		// A group of its own, as for the helper (buildCmd).
		cmd.SysProcAttr.Setpgid = true
	}
	return cmd, reportPipe{f: rf, static: l.Report(), launch: st}, nil
}

// arm sets the sandbox up for the init started as c: the child has its
// copies of the ends by now, so they are closed first. This end stays
// open for wait (on an error the caller kills the init).
func (s *launching) arm(c child) error {
	s.closeEnds()
	pidfd := c.pidfd
	if pidfd < 0 {
		// Not started by spawn (never so today): the init is our
		// unreaped child, so its pid is still its own.
		fd, err := unix.PidfdOpen(c.pid, 0)
		if err != nil {
			return fmt.Errorf("pidfd of the init: %w", err)
		}
		defer func() { _ = unix.Close(fd) }()
		pidfd = fd
	}
	if s.here {
		return s.l.ArmHere(pidfd, s.ctl)
	}
	return s.l.Arm(pidfd, s.ctl)
}

// wait waits for the init started as c to say, on the control socket,
// that the command has ended and everything else in its PID namespace
// has been ended and reaped, and returns the command's wait status with
// ended set: the init's own exit (the namespaces' teardown) then goes on
// beside the caller, and the init is reaped in the background. If the
// init ends without saying so (killed, or a set-up failure), it is
// waited for as any child.
func (s *launching) wait(c child) (ws syscall.WaitStatus, ended bool, err error) {
	if st, ok := s.ended(); ok {
		if !s.here {
			go func() { _, _ = waitChild(c) }()
		}
		// else: this process (the command line) exits now; its init,
		// already empty, goes to whoever reaps orphans (a goroutine
		// would only wake a thread for it first).
		return st, true, nil
	}
	ws, err = waitChild(c)
	return ws, false, err
}

// ended reads the init's last word on the control socket: the command's
// raw wait status, 4 bytes. ok is false on anything else (the init ended
// first, and the socket says EOF). The read parks in the runtime's
// poller, as waitChild does.
func (s *launching) ended() (ws syscall.WaitStatus, ok bool) {
	if s.ctl < 0 || unix.SetNonblock(s.ctl, true) != nil {
		return 0, false
	}
	f := os.NewFile(uintptr(s.ctl), "control")
	s.ctl = -1 // f's now
	defer func() { _ = f.Close() }()
	var b [8]byte
	n, err := f.Read(b[:])
	if err != nil || n != 4 {
		return 0, false
	}
	return syscall.WaitStatus(binary.NativeEndian.Uint32(b[:4])), true
}

// closeEnds closes the originals of what the child got.
func (s *launching) closeEnds() {
	for _, c := range s.ends {
		_ = c.Close()
	}
	s.ends = nil
}

// close releases everything.
func (s *launching) close() {
	s.closeEnds()
	if s.ctl >= 0 {
		_ = unix.Close(s.ctl)
		s.ctl = -1
	}
}
