//go:build !linux

package sandbox

import (
	"fmt"
	"os/exec"
	"runtime"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/codex-sandbox/seatbelt"
	"github.com/codexgo/common/protocol"
)

// supervisorPlan resolves policy here: Seatbelt's profile names the
// roots and protected paths.
func supervisorPlan(policy protocol.SandboxPolicy, cwd string, getenv func(string) string) (*linuxsandbox.Plan, error) {
	return linuxsandbox.NewPlan(policy, cwd, "", getenv)
}

// buildCmd runs the command under Seatbelt on macOS, by absolute path so
// PATH cannot substitute sandbox-exec. Other systems have no sandbox.
func buildCmd(j job) (*exec.Cmd, reportPipe, error) {
	if !j.plan.Restricted() {
		cmd := exec.Command(j.argv[0], j.argv[1:]...)
		cmd.Dir = j.plan.CommandCwd
		return cmd, reportPipe{static: &protocol.SandboxReport{Mechanism: "none"}}, nil
	}
	if runtime.GOOS != "darwin" {
		return nil, reportPipe{}, fmt.Errorf("no sandbox mechanism on %s", runtime.GOOS)
	}
	prof := seatbelt.Generate(j.plan)
	args := append(prof.Args(), "--")
	args = append(args, j.argv...)
	cmd := exec.Command(seatbelt.SandboxExec, args...)
	cmd.Dir = j.plan.CommandCwd
	cmd.Env = append(append([]string(nil), j.env...), "CODEX_SANDBOX=seatbelt")
	if !j.plan.Network() {
		cmd.Env = append(cmd.Env, "CODEX_SANDBOX_NETWORK_DISABLED=1")
	}
	rep := &protocol.SandboxReport{Mechanism: "seatbelt", WritableRoots: j.plan.WritableRoots, ReadOnlySubpaths: j.plan.Protected,
		Active: []string{"seatbelt: deny by default, reads allowed, writes only in the writable roots"}}
	if !j.plan.Network() {
		rep.Active = append(rep.Active, "seatbelt-net: network denied")
	}
	rep.Unavailable = []string{"process-tree: without a subreaper only the command's process group is ended"}
	return cmd, reportPipe{static: rep}, nil
}

// withoutUserNS has nothing to retry off Linux.
func withoutUserNS(*exec.Cmd) *exec.Cmd { return nil }

// startError words a failed start of the command itself.
func startError(_ *exec.Cmd, name string, err error) error {
	return fmt.Errorf("exec %s: %w", name, err)
}

// inProcessOK is false off Linux: without a PID namespace only a
// dedicated supervisor process can end the command's tree.
func inProcessOK(*linuxsandbox.Plan) bool { return false }
