//go:build linux

package sandbox

import (
	"bytes"
	"strings"
	"syscall"
	"testing"

	"github.com/codexgo/codex-linux-sandbox/swaptest"
)

// TestSwapAttacks runs the rename, symlink and worktree swaps of
// swaptest through codex-sandbox, as root and as uid 65534 (whose helper
// gets its mount namespace inside a user namespace), then the user's git
// on the host: the attacker's payload must never run. Each attack is
// first run with danger-full-access, where it must work, so the test
// can fail.
func TestSwapAttacks(t *testing.T) {
	for _, who := range []struct {
		name string
		uid  int
	}{{"root", 0}, {"uid 65534", 65534}} {
		for _, tc := range swaptest.Cases() {
			t.Run(who.name+"/"+tc.Name, func(t *testing.T) {
				for _, mode := range []string{"danger-full-access", "workspace-write"} {
					base := swaptest.Base(t)
					cwd, gitDir := tc.Setup(t, base)
					swaptest.Own(t, base, who.uid)
					payload, marker := swaptest.Payload(t)
					cmd := csCmd(t, "--sandbox", mode, "--cd", cwd, "--add-dir", base,
						"--exclude-slash-tmp", "--exclude-tmpdir-env-var", "--",
						"sh", "-c", swaptest.Prelude+"echo started; "+tc.Script)
					cmd.Env = append(append(testEnv(), swaptest.HostEnv(t.TempDir())...), swaptest.Env(base, cwd, payload)...)
					if who.uid != 0 {
						cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(who.uid), Gid: uint32(who.uid)}}
					}
					var stdout, stderr bytes.Buffer
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					code := exitCode(t, cmd.Run())
					if !strings.HasPrefix(stdout.String(), "started\n") {
						// A sandbox that refuses to start would pass the
						// check below for the wrong reason.
						t.Fatalf("%s: the attack did not start: exit %d, stderr %q", mode, code, stderr.String())
					}
					ran, log := swaptest.HostGitRan(t, gitDir, marker)
					switch {
					case mode == "danger-full-access" && !ran:
						t.Fatalf("unsandboxed, the attack did not work (so this test could not fail): exit %d\n%s\n%s", code, stderr.String(), log)
					case mode == "workspace-write" && ran:
						t.Errorf("the attacker's payload ran in the user's git after a sandboxed run: exit %d\n%s\n%s", code, stderr.String(), log)
					}
				}
			})
		}
	}
}
