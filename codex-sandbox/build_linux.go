package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
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
	policy, err := json.Marshal(j.plan.Policy)
	if err != nil {
		return nil, reportPipe{}, fmt.Errorf("encode policy: %w", err)
	}
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
