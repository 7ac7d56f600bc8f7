package sandbox

import (
	"strings"
	"testing"
)

// TestEndedEarly: as root, a launch's init ends and reaps everything in
// the sandbox when the command ends, then says so on its control socket,
// and the supervisor (codex-sandbox, or the agent in-process) returns on
// that word rather than on the init's exit. A command that sends what
// that word looks like (a status of 0) on every socket it holds, then
// exits 7, must change nothing: the control socket is close-on-exec in
// the init before the command's process starts, so the status is still
// the command's own. (With the socket inherited, the supervisor returns
// 0.)
func TestEndedEarly(t *testing.T) {
	needRoot(t)
	ws, _ := workspace(t)
	args := append([]string{"--sandbox", "workspace-write", "--cd", ws, "--"}, probeArgv(t, "forge-end")...)
	for _, agent := range []bool{false, true} {
		name := "codex-sandbox"
		if agent {
			name = "agent"
		}
		t.Run(name, func(t *testing.T) {
			cmd := csCmd(t, args...)
			if agent {
				cmd = agentCmd(t, args...)
			}
			out, err := cmd.Output()
			if code := exitCode(t, err); code != 7 {
				t.Fatalf("exit %d, want the command's 7 (output %q)", code, out)
			}
			if !strings.Contains(string(out), "sockets written: 0") {
				t.Fatalf("the command held a socket it could write to: %q", out)
			}
		})
	}
}
