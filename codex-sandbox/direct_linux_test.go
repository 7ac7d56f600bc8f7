//go:build linux

package sandbox

import (
	"os"
	"strings"
	"testing"
)

// TestCommandHoldsNoPrivileges checks what the command itself carries,
// whichever way it was started (as root: forked from a restricted thread
// of the supervisor; otherwise: through the helper).
func TestCommandHoldsNoPrivileges(t *testing.T) {
	ws, _ := workspace(t)
	want := []string{"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
		"CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2"}
	for _, mode := range []string{"read-only", "workspace-write"} {
		t.Run(mode, func(t *testing.T) {
			r := cs(t, "", "--cd", ws, "--sandbox", mode, "--", "cat", "/proc/self/status")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, w := range want {
				if !strings.Contains(r.stdout, w+"\n") {
					t.Errorf("command's status lacks %q", w)
				}
			}
		})
	}
}

// TestDirectStartRestoresEnvironment checks that the GOMAXPROCS the Go API
// sets for the supervisor's start is undone for the command, and that the
// sandbox variables are added.
func TestDirectStartRestoresEnvironment(t *testing.T) {
	ws, _ := workspace(t)
	cmd := csCmd(t, "--cd", ws, "--sandbox", "workspace-write", "--", "env")
	cmd.Env = append(testEnv(), "GOMAXPROCS=1", "CODEX_SANDBOX_GOMAXPROCS_ORIG=set:3")
	out, err := cmd.Output()
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("exit %d", code)
	}
	env := "\n" + string(out)
	for _, w := range []string{"\nGOMAXPROCS=3\n", "\nCODEX_SANDBOX=landlock\n", "\nCODEX_SANDBOX_NETWORK_DISABLED=1\n"} {
		if !strings.Contains(env, w) {
			t.Errorf("command's environment lacks %q", strings.TrimSpace(w))
		}
	}
	for _, bad := range []string{"\nGOMAXPROCS=1\n", "CODEX_SANDBOX_GOMAXPROCS_ORIG="} {
		if strings.Contains(env, bad) {
			t.Errorf("command's environment has %q", strings.TrimSpace(bad))
		}
	}
	if os.Geteuid() != 0 {
		t.Log("not root: the helper path was tested, not the direct one")
	}
}
