package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/selfexec"
	"golang.org/x/sys/unix"
)

// Capability numbers the helper needs in a user namespace.
const (
	capSetpcap  = 8
	capSysAdmin = 21
)

// buildCmd re-executes this binary as codex-linux-sandbox with the Codex
// helper flags; the helper restricts itself and execs the command, and
// reports what it enforced on file descriptor 3.
//
// Without CAP_SYS_ADMIN, a restricted helper is started in a new user
// and mount namespace (same uid and gid inside, CAP_SYS_ADMIN and
// CAP_SETPCAP kept as ambient capabilities across the exec), so it can
// still make .git and the rest of the file system read-only mounts (which
// also stops chmod of one's own files outside the roots). Where
// user namespaces are refused, supervise retries without one and the
// helper reports the protection as unavailable.
func buildCmd(j job) (*exec.Cmd, reportPipe, error) {
	if !j.explain && (!j.plan.Restricted() || haveSysAdmin()) {
		return directCmd(j)
	}
	policy := j.plan.Policy.AppendJSON(nil)
	args := []string{
		"--sandbox-policy-cwd", j.plan.PolicyCwd,
		"--sandbox-policy", string(policy),
		"--command-cwd", j.plan.CommandCwd,
		"--report-fd", "3",
	}
	if j.explain {
		args = append(args, "--explain")
	}
	args = append(append(args, "--"), j.argv...)
	// The supervisor ends the child itself; no context here.
	cmd, err := selfexec.Command(context.Background(), linuxsandbox.ToolName, args...)
	if err != nil {
		return nil, reportPipe{}, fmt.Errorf("find own executable: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, reportPipe{}, fmt.Errorf("report pipe: %w", err)
	}
	cmd.ExtraFiles = []*os.File{w}
	cmd.Env = linuxsandbox.FastStartEnv(j.env)
	cmd.SysProcAttr = childAttr()
	if j.plan.Restricted() && !haveSysAdmin() {
		uid, gid := os.Getuid(), os.Getgid()
		cmd.SysProcAttr.Cloneflags = unix.CLONE_NEWUSER | unix.CLONE_NEWNS
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
		cmd.SysProcAttr.GidMappingsEnableSetgroups = false
		cmd.SysProcAttr.AmbientCaps = []uintptr{capSysAdmin, capSetpcap}
	}
	return cmd, reportPipe{r: r, w: w}, nil
}

// withoutUserNS returns a copy of cmd (not started) that does not ask
// for a user namespace.
func withoutUserNS(cmd *exec.Cmd) *exec.Cmd {
	if cmd.SysProcAttr == nil || cmd.SysProcAttr.Cloneflags&unix.CLONE_NEWUSER == 0 {
		return nil
	}
	c := &exec.Cmd{Path: cmd.Path, Args: cmd.Args, Env: cmd.Env, Dir: cmd.Dir, Stdin: cmd.Stdin,
		Stdout: cmd.Stdout, Stderr: cmd.Stderr, ExtraFiles: cmd.ExtraFiles, SysProcAttr: childAttr()}
	return c
}

// haveSysAdmin reports whether this process may make mounts itself.
func haveSysAdmin() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[0].Effective&(1<<capSysAdmin) != 0
}

// directCmd skips the helper process where no user namespace is needed
// (CAP_SYS_ADMIN held, or nothing to restrict): the supervisor restricts
// one of its own OS threads exactly as the helper would restrict itself
// (mount namespace, no_new_privs, capabilities, Landlock, seccomp are all
// per thread) and forks the command from that thread, which the child
// inherits. That saves a whole Go process start per command.
func directCmd(j job) (*exec.Cmd, reportPipe, error) {
	setup := linuxsandbox.Prepare(j.plan)
	env := linuxsandbox.CommandEnv(j.plan, linuxsandbox.RestoreEnv(j.env))
	cmd := &exec.Cmd{Path: j.argv[0], Args: j.argv, Dir: j.plan.CommandCwd, Env: env, SysProcAttr: childAttr()}
	d := &directStart{setup: setup, argv: j.argv, env: env}
	return cmd, reportPipe{static: setup.Report(), direct: d}, nil
}

// directStart starts a command from a sandboxed thread of this process.
type directStart struct {
	setup *linuxsandbox.Setup
	argv  []string
	env   []string
}

// run restricts a locked OS thread, starts cmd from it, lets it run once
// ready is closed (the supervisor's signals are caught), and waits for it
// there.
// With own, that thread is the caller's, which stays locked and
// restricted (the process exits after Main); otherwise a fresh goroutine
// locks one and never unlocks it, so the Go runtime ends the thread with
// the goroutine and no other goroutine ever runs restricted.
// PR_SET_PDEATHSIG fires when the forking thread ends, which is after
// the command has been waited for either way.
func (d *directStart) run(cmd *exec.Cmd, ready <-chan struct{}, kill *killSwitch, afterStart func(), own bool) runResult {
	if own {
		runtime.LockOSThread()
		return d.restricted(cmd, ready, kill, afterStart)
	}
	res := make(chan runResult, 1)
	go func() {
		runtime.LockOSThread()
		res <- d.restricted(cmd, ready, kill, afterStart)
	}()
	return <-res
}

func (d *directStart) restricted(cmd *exec.Cmd, ready <-chan struct{}, kill *killSwitch, afterStart func()) runResult {
	if err := d.setup.Apply(); err != nil {
		return runResult{err: &linuxsandbox.ExecError{Code: ExitSetupFailed, Err: fmt.Errorf("sandbox setup failed: %w", err)}}
	}
	if !strings.Contains(d.argv[0], "/") {
		lp, err := linuxsandbox.LookPath(d.argv[0], d.env)
		if err != nil {
			return runResult{err: err}
		}
		cmd.Path = lp
	}
	if kill.isFired() {
		return runResult{err: errStopped}
	}
	// Until ready, the command stays stopped at the end of its exec
	// (ptrace): setting up the signals then overlaps the exec instead of
	// delaying it (~0.1 ms here; README, Speed), and a supervisor killed
	// meanwhile takes the stopped child with it (PR_SET_PDEATHSIG)
	// before it has run an instruction of its own, let alone forked.
	traced := ready != nil
	if traced {
		attr := *cmd.SysProcAttr
		attr.Ptrace = true
		cmd.SysProcAttr = &attr
	}
	pid, err := spawn(cmd)
	if traced && errors.Is(err, syscall.EPERM) {
		// ptrace refused (Yama, a container's seccomp profile): start
		// the command once the signals are caught instead.
		traced = false
		cmd.SysProcAttr.Ptrace = false
		<-ready
		if kill.isFired() {
			return runResult{err: errStopped}
		}
		pid, err = spawn(cmd)
	}
	if err != nil {
		return runResult{err: startError(cmd, d.argv[0], err)}
	}
	kill.started(pid)
	if traced {
		<-ready
		if ws, exited, err := release(pid); exited {
			// Killed while stopped (the kill switch fired).
			kill.waited()
			afterStart()
			return runResult{pid: pid, ws: ws, waitErr: err}
		}
	}
	return waitStarted(pid, kill, afterStart)
}

// release lets a child stopped at the end of its exec by PTRACE_TRACEME
// go on, untraced; exited reports that it ended instead, with its status.
func release(pid int) (ws syscall.WaitStatus, exited bool, err error) {
	for {
		// A traced child's stop is reported without WUNTRACED.
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || !ws.Stopped() {
		return ws, true, err
	}
	// An error means it is gone meanwhile: the next wait says how.
	_ = syscall.PtraceDetach(pid)
	return ws, false, nil
}

// startError gives a failed start the helper's exit code: 127 for a
// missing command or working directory, 126 for anything else.
func startError(cmd *exec.Cmd, name string, err error) error {
	code := ExitNotExecutable
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		code = ExitNotFound
	}
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Op == "chdir" {
		return &linuxsandbox.ExecError{Code: ExitNotFound, Err: fmt.Errorf("change directory to %s: %w", cmd.Dir, pe.Err)}
	}
	return &linuxsandbox.ExecError{Code: code, Err: fmt.Errorf("exec %s: %w", name, err)}
}
