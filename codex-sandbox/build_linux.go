package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
	"github.com/codexgo/common/selfexec"
	"golang.org/x/sys/unix"
)

// Capability numbers the helper needs in a user namespace.
const (
	capSetpcap  = 8
	capSysAdmin = 21
	// capSetfcap: mapping uid 0 in a user namespace takes it (below).
	capSetfcap = 31
)

// buildCmd re-executes this binary as codex-linux-sandbox with the Codex
// helper flags; the helper, a process of its own, restricts itself whole
// and execs the command, and reports what it enforced on file
// descriptor 3. The command is therefore never a child of a process that
// keeps an unrestricted thread: its parent is this supervisor, which has
// no restricted thread at all (none of its threads is in the command's
// Landlock domain, so Landlock refuses the command tracing or signalling
// it), is not dumpable (so its memory and descriptors need
// CAP_SYS_PTRACE, which the command never has), and, where a PID
// namespace can be had, cannot even be named.
//
// With CAP_SYS_ADMIN (root) the helper starts in a new PID namespace,
// whose init it and then the command is: nothing outside can be seen,
// named or signalled from inside, and the kernel ends every process in
// it when the command ends or this supervisor is SIGKILLed (the helper
// has PR_SET_PDEATHSIG). Without it, a restricted helper is started in a
// new user, mount and PID namespace (same uid and gid inside, mapped by
// the helper itself; CAP_SYS_ADMIN and CAP_SETPCAP kept as ambient
// capabilities across the exec: helperNamespaces), so it can still make
// .git and the rest of the file system read-only mounts (which also
// stops chmod of one's own files outside the roots). Where user
// namespaces are refused, supervise retries without one (codex-sandbox,
// a subreaper) and the helper reports what that leaves unprotected, or
// (in-process) hands the command to a codex-sandbox process.
//
// danger-full-access restricts nothing: the command is started directly.
func buildCmd(j job) (*exec.Cmd, reportPipe, error) {
	if !j.explain && !j.plan.Restricted() {
		return directCmd(j)
	}
	if !j.explain && j.parked == nil && launches(j.env) {
		return launchCmd(j)
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
	var rf *os.File
	if j.parked != nil {
		// The report file the parked helper already holds as fd 3.
		rf = j.parked.report
	} else if rf, err = newReportFile(); err != nil {
		return nil, reportPipe{}, err
	}
	cmd.ExtraFiles = []*os.File{rf}
	cmd.Env = linuxsandbox.FastStartEnv(j.env)
	cmd.SysProcAttr = childAttr(j.session)
	if j.inProcess && !j.session {
		// A group of its own, as codex-sandbox's is: a ^C typed at the
		// caller's terminal is the caller's to act on.
		cmd.SysProcAttr.Setpgid = true
	}
	if j.inProcess && !inProcessOK(j.plan) {
		_ = rf.Close()
		return nil, reportPipe{}, errors.New("in-process supervision needs a restricted policy")
	}
	if j.plan.Restricted() {
		// Without a PID namespace (never in-process: inProcessOK) the
		// helper runs in place, as where user namespaces are refused.
		cmd.Env, _ = helperNamespaces(cmd.SysProcAttr, cmd.Env)
	}
	return cmd, reportPipe{f: rf}, nil
}

// helperNamespaces gives a restricted helper's start its namespaces, in
// attr, and returns env for it: the one place that decides them, for a
// helper started for its command (buildCmd) and one started ahead
// (startParked).
//
// With CAP_SYS_ADMIN (root) it is a PID namespace. Without, a new user,
// mount and PID namespace, with CAP_SYS_ADMIN and CAP_SETPCAP kept as
// ambient capabilities across the exec, and the same uid and gid inside:
// the helper writes those maps itself as it starts
// (linuxsandbox.MapIDsVar), so this process never has to be dumpable
// for it. Where it could not (helperPIDNamespace) there are none, and
// pidNS is false. Any MapIDsVar already in env goes (a user's must not
// reach a helper that has no user namespace to map).
func helperNamespaces(attr *syscall.SysProcAttr, env []string) (_ []string, pidNS bool) {
	env = linuxsandbox.WithoutMapIDs(env)
	switch {
	case haveSysAdmin():
		attr.Cloneflags = unix.CLONE_NEWPID
		return env, true
	case canMapOwnIDs():
		attr.Cloneflags = unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWPID
		attr.AmbientCaps = []uintptr{capSysAdmin, capSetpcap}
		return append(env[:len(env):len(env)], linuxsandbox.MapIDsEnv()), true
	}
	return env, false
}

// helperPIDNamespace reports whether a helper this process starts gets
// a PID namespace (helperNamespaces), unless the kernel refuses user
// namespaces (which only its start can tell).
func helperPIDNamespace() bool {
	return haveSysAdmin() || canMapOwnIDs()
}

// canMapOwnIDs reports whether a helper started in a user namespace can
// map its ids itself: mapping uid 0 takes CAP_SETFCAP of the process
// that made the namespace (the kernel's verify_root_map, 5.12+), which
// root without CAP_SYS_ADMIN may lack too (a container's dropped
// capabilities). Any other uid maps itself freely.
func canMapOwnIDs() bool {
	return os.Getuid() != 0 || haveCap(capSetfcap)
}

// supervisorPlan is the plan the supervisor works from. On Linux the
// helper resolves the policy itself (the roots, what is protected and
// pinned) and enforces what it found, so the supervisor only checks the
// policy and the working directories: resolving it here too would read
// the same directories and the repositories' index and config twice per
// command, and nothing the supervisor does depends on the result. A
// danger-full-access or read-only plan has no roots either way.
func supervisorPlan(policy protocol.SandboxPolicy, cwd string, _ func(string) string) (*linuxsandbox.Plan, error) {
	return sandboxpolicy.NewUnresolvedPlan(policy, cwd, "")
}

// newReportFile makes the file the helper (and its init) write their
// report lines to: an anonymous memory file, read once the helper has
// been waited for. A pipe would need a reader running beside the helper
// (a goroutine woken twice per command, on a machine where the helper's
// start wants both cores), or could fill up and block the helper while
// the supervisor waits for it.
func newReportFile() (*os.File, error) {
	fd, err := unix.MemfdCreate("codex-sandbox-report", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("report file: %w", err)
	}
	return os.NewFile(uintptr(fd), "report"), nil
}

// withoutUserNS returns a copy of cmd (not started) that does not ask
// for a user namespace (nor the PID namespace that came with it).
func withoutUserNS(cmd *exec.Cmd) *exec.Cmd {
	if cmd.SysProcAttr == nil || cmd.SysProcAttr.Cloneflags&unix.CLONE_NEWUSER == 0 {
		return nil
	}
	attr := *cmd.SysProcAttr
	attr.Cloneflags, attr.AmbientCaps = 0, nil
	c := &exec.Cmd{Path: cmd.Path, Args: cmd.Args, Env: linuxsandbox.WithoutMapIDs(cmd.Env), Dir: cmd.Dir, Stdin: cmd.Stdin,
		Stdout: cmd.Stdout, Stderr: cmd.Stderr, ExtraFiles: cmd.ExtraFiles, SysProcAttr: &attr}
	return c
}

// inProcessOK reports whether a long-lived caller may supervise plan's
// helper itself (job.inProcess): wherever the helper is sure to be the
// init of a PID namespace of its own, so that killing it ends the whole
// tree and nothing inside can name the caller. That is any restricted
// plan where helperPIDNamespace: with CAP_SYS_ADMIN the helper gets a
// PID namespace, without it a user namespace too (helperNamespaces),
// whose maps the helper writes itself, so the caller stays
// non-dumpable throughout. Where user
// namespaces are refused (a sysctl, a nested container) that start
// fails with nothing started, and spawnAndWait, not retrying without
// one as a codex-sandbox process does, reports errUserNSRefused:
// runInProcess then hands the request to a codex-sandbox process, which
// is a subreaper and can end a tree without a PID namespace.
func inProcessOK(plan *linuxsandbox.Plan) bool {
	return plan.Restricted() && helperPIDNamespace()
}

// haveSysAdmin reports whether this process may make mounts itself.
func haveSysAdmin() bool { return haveCap(capSysAdmin) }

// haveCap reports whether c (below 32) is in this thread's effective set.
func haveCap(c uint) bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[0].Effective&(1<<c) != 0
}

// directCmd starts an unrestricted (danger-full-access) command itself:
// there is nothing to restrict, so no helper. It stays in this PID
// namespace (such a command may be asked to see or signal the machine's
// processes); the subreaper and the tree walk end it.
func directCmd(j job) (*exec.Cmd, reportPipe, error) {
	env := linuxsandbox.CommandEnv(j.plan, linuxsandbox.RestoreEnv(j.env))
	path := j.argv[0]
	if !strings.Contains(path, "/") {
		lp, err := linuxsandbox.LookPath(path, env)
		if err != nil {
			return nil, reportPipe{}, err
		}
		path = lp
	}
	cmd := &exec.Cmd{Path: path, Args: j.argv, Dir: j.plan.CommandCwd, Env: env, SysProcAttr: childAttr(j.session)}
	return cmd, reportPipe{static: linuxsandbox.Prepare(j.plan).Report(), direct: true}, nil
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

// launches reports whether this supervisor sets a restricted command's
// sandbox up itself (launchCmd) rather than starting the helper process:
// where linuxsandbox.CanLaunch, unless CODEX_SANDBOX_HELPER=1 in env asks
// for the helper (for comparing the two, or should a kernel refuse the
// former). Ahead decides by it too.
func launches(env []string) bool {
	for _, kv := range env {
		if kv == "CODEX_SANDBOX_HELPER=1" {
			return false
		}
	}
	return linuxsandbox.CanLaunch()
}
