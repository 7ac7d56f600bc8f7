package linuxsandbox

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/codexgo/codex-linux-sandbox/internal/nsinit"
	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// initRun is what the init program did with one control message.
type initRun struct {
	status syscall.WaitStatus
	report string
	ran    bool
}

// runInit starts the init program as a plain child (no namespaces: every
// case here is refused before anything privileged), with the report on
// fd 3 and, unless ctl is nil, the control socket on fd 4 over which ctl
// sends; the command touches a marker file.
func runInit(t *testing.T, ctl func(fd int), argv ...string) initRun {
	t.Helper()
	if nsinit.Program == "" {
		t.Skip("no init program for this architecture")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	prog, err := InitProgram()
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	rep, err := os.Create(filepath.Join(dir, "report"))
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	files := []uintptr{0, 1, 2, rep.Fd()}
	head := "3"
	parent := -1
	if ctl != nil {
		pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(pair[1])
		parent = pair[0]
		files = append(files, uintptr(pair[1]))
		head = "3,4"
	}
	files = append(files, prog.Fd())
	if argv == nil {
		argv = []string{"/bin/sh", "sh", "-c", "touch " + marker}
	}
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		// Namespaces of its own, as a launch gives it: were a check
		// below to let a bad plan through, its mounts stay in there.
		attr.Cloneflags = LaunchCloneflags
	}
	pid, err := syscall.ForkExec("/proc/self/fd/"+strconv.Itoa(len(files)-1), append([]string{head}, argv...),
		&syscall.ProcAttr{Env: []string{"PATH=/usr/bin:/bin"}, Files: files, Sys: attr})
	if err != nil {
		t.Fatal(err)
	}
	if ctl != nil {
		ctl(parent)
		_ = unix.Close(parent)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(rep.Name())
	_, serr := os.Stat(marker)
	return initRun{status: ws, report: string(b), ran: serr == nil}
}

// ctlMessage is a control message with the given header fields and body.
func ctlMessage(version, flags, ninsns, cwdlen uint32, body []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, version)
	b = binary.LittleEndian.AppendUint32(b, flags)
	b = binary.LittleEndian.AppendUint32(b, ninsns)
	b = binary.LittleEndian.AppendUint32(b, cwdlen)
	return append(b, body...)
}

// TestInitRefusesBadPlans: whatever goes wrong with the plan (no
// supervisor, a truncated or foreign message, a Landlock ruleset
// announced but missing), the init starts nothing and says why, 125.
func TestInitRefusesBadPlans(t *testing.T) {
	oneInsn := make([]byte, 8) // a valid-length program; never loaded here
	tests := []struct {
		name string
		send func(fd int) error
		want string
	}{
		{"supervisor gone", func(int) error { return nil }, "no plan from the supervisor"},
		{"wrong version", func(fd int) error {
			return unix.Send(fd, ctlMessage(2, ctlLandlock, 1, 0, oneInsn), 0)
		}, "no plan from the supervisor"},
		{"length mismatch", func(fd int) error {
			return unix.Send(fd, ctlMessage(1, ctlLandlock, 2, 0, oneInsn), 0)
		}, "no plan from the supervisor"},
		{"no seccomp program", func(fd int) error {
			return unix.Send(fd, ctlMessage(1, ctlLandlock, 0, 0, nil), 0)
		}, "no plan from the supervisor"},
		{"landlock announced, no ruleset", func(fd int) error {
			return unix.Send(fd, ctlMessage(1, ctlLandlock, 1, 0, oneInsn), 0)
		}, "no Landlock ruleset from the supervisor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runInit(t, func(fd int) {
				if err := tc.send(fd); err != nil {
					t.Fatal(err)
				}
			})
			if r.ran {
				t.Fatalf("the command ran")
			}
			if !r.status.Exited() || r.status.ExitStatus() != ExitSetupFailed {
				t.Errorf("status %v, want exit %d", r.status, ExitSetupFailed)
			}
			h, err := DecodeHelperReport([]byte(strings.TrimSuffix(r.report, "\n")))
			if err != nil || h.Stage != "error" || h.ExitCode != ExitSetupFailed || !strings.Contains(h.Error, tc.want) {
				t.Errorf("report %q (%v), want an error line with %q", r.report, err, tc.want)
			}
		})
	}
}

// TestInitReportsExecFailure: a command that cannot be executed is
// reported by the init with the helper's words and codes.
func TestInitReportsExecFailure(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "notexec")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/no/such/file", ExitNotFound, "exec /no/such/file: no such file or directory"},
		{notExec, ExitNotExecutable, "exec " + notExec + ": permission denied"},
	}
	for _, tc := range tests {
		r := runInit(t, nil, tc.path, tc.path)
		if !r.status.Exited() || r.status.ExitStatus() != tc.code {
			t.Errorf("%s: status %v, want exit %d", tc.path, r.status, tc.code)
		}
		lines := strings.Split(strings.TrimSuffix(r.report, "\n"), "\n")
		h, err := DecodeHelperReport([]byte(lines[0]))
		if len(lines) != 2 || err != nil || h.Stage != "error" || h.ExitCode != tc.code || h.Error != tc.want {
			t.Errorf("%s: report %q, want an error line %q (code %d) then the exit line", tc.path, r.report, tc.want, tc.code)
		}
	}
}

// startInit starts l's init as codex-sandbox does (its report, if any,
// on fd 3, the control socket on fd 4) and returns its pid and this end
// of the socket.
func startInit(t *testing.T, l *Launch, report *os.File) (pid, pidfd, ctl int) {
	t.Helper()
	if err := l.Find(); err != nil {
		t.Fatal(err)
	}
	prog, err := InitProgram()
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Close(pair[0]) })
	defer unix.Close(pair[1])
	pidfd = -1
	pid, err = syscall.ForkExec("/proc/self/fd/5", l.InitArgs(3, 4), &syscall.ProcAttr{Env: l.Env(),
		Files: []uintptr{0, 1, 2, report.Fd(), uintptr(pair[1]), prog.Fd()},
		Sys:   &syscall.SysProcAttr{Cloneflags: LaunchCloneflags, Pdeathsig: syscall.SIGKILL, PidFD: &pidfd}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Close(pidfd) })
	return pid, pidfd, pair[0]
}

// needLaunch skips where this process cannot launch.
func needLaunch(t *testing.T) {
	if os.Geteuid() != 0 || !CanLaunch() {
		t.Skip("needs root on amd64: launching sets mounts up (CI runs as root and fails on any skip)")
	}
}

// TestArmHereComesBack launches a command with ArmHere from this test's
// goroutine, as codex-sandbox does: the command runs sandboxed, and the
// thread that made its mounts is back in this process's mount namespace,
// root and working directory afterwards (codex-sandbox's later /proc
// walk and paths depend on it).
func TestArmHereComesBack(t *testing.T) {
	needLaunch(t)
	// This goroutine stays on the thread ArmHere uses, to look at it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ws, _ := workspace(t)
	before, _ := os.Readlink("/proc/thread-self/ns/mnt")
	wd, _ := os.Getwd()
	l, err := NewLaunch(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}, ws, ws,
		[]string{"sh", "-c", "touch inside && ! touch /usr/outside 2>/dev/null"}, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	report, err := os.Create(filepath.Join(t.TempDir(), "report"))
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	pid, pidfd, ctl := startInit(t, l, report)
	armErr := l.ArmHere(pidfd, ctl)
	after, _ := os.Readlink("/proc/thread-self/ns/mnt")
	wdAfter, _ := os.Getwd()
	var ws2 syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws2, 0, nil); err != nil {
		t.Fatal(err)
	}
	if armErr != nil {
		t.Fatal(armErr)
	}
	if after != before || wdAfter != wd {
		t.Errorf("the thread is in %s at %s after ArmHere, want %s at %s", after, wdAfter, before, wd)
	}
	if !ws2.Exited() || ws2.ExitStatus() != 0 {
		t.Errorf("command: %v", ws2)
	}
	if _, err := os.Stat(filepath.Join(ws, "inside")); err != nil {
		t.Errorf("the command did not run in the workspace: %v", err)
	}
}

// TestArmRefusesASwappedPath: a protected path swapped for a symlink
// after planning (as a sandboxed command could) makes the set-up fail
// (Arm and ArmHere alike), and the init, left without its plan once the
// supervisor closes the socket, starts nothing and reports 125.
func TestArmRefusesASwappedPath(t *testing.T) {
	needLaunch(t)
	for _, here := range []bool{false, true} {
		ws, _ := workspace(t)
		git := filepath.Join(ws, ".git")
		if err := os.MkdirAll(git, 0o755); err != nil {
			t.Fatal(err)
		}
		l, err := NewLaunch(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}, ws, ws,
			[]string{"touch", filepath.Join(ws, "ran")}, os.Environ())
		if err != nil {
			t.Fatal(err)
		}
		// Swapped between planning and mounting.
		if err := os.Rename(git, git+".moved"); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(t.TempDir(), git); err != nil {
			t.Fatal(err)
		}
		report, err := os.Create(filepath.Join(t.TempDir(), "report"))
		if err != nil {
			t.Fatal(err)
		}
		pid, pidfd, ctl := startInit(t, l, report)
		if here {
			err = l.ArmHere(pidfd, ctl)
		} else {
			err = l.Arm(pidfd, ctl)
		}
		_ = unix.Close(ctl)
		var st syscall.WaitStatus
		if _, werr := syscall.Wait4(pid, &st, 0, nil); werr != nil {
			t.Fatal(werr)
		}
		b, _ := os.ReadFile(report.Name())
		_ = report.Close()
		if err == nil || !strings.Contains(err.Error(), ".git") {
			t.Errorf("here=%v: arm error %v, want one about the swapped .git", here, err)
		}
		if !st.Exited() || st.ExitStatus() != ExitSetupFailed || !strings.Contains(string(b), "no plan from the supervisor") {
			t.Errorf("here=%v: init %v, report %q; want 125 and no plan", here, st, b)
		}
		if _, serr := os.Stat(filepath.Join(ws, "ran")); serr == nil {
			t.Errorf("here=%v: the command ran", here)
		}
	}
}
