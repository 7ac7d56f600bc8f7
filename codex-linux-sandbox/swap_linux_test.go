//go:build linux

package linuxsandbox

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/codexgo/codex-linux-sandbox/swaptest"
)

// TestSwapAttacks runs every rename, symlink and worktree swap of
// swaptest inside the helper as root, then the user's git on the host:
// the attacker's payload must not run. The same script run with
// danger-full-access must make it run, which proves the attack and the
// check work. As uid 65534 without a user namespace (no mount namespace)
// nothing can be pinned: the report must say so instead of claiming it.
func TestSwapAttacks(t *testing.T) {
	for _, tc := range swaptest.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			for _, mode := range []string{"danger-full-access", "workspace-write"} {
				base := swaptest.Base(t)
				cwd, gitDir := tc.Setup(t, base)
				payload, marker := swaptest.Payload(t)
				policy, _ := json.Marshal(map[string]any{"mode": mode, "writable_roots": []string{base},
					"exclude_slash_tmp": true, "exclude_tmpdir_env_var": true})
				env := append(swaptest.HostEnv(t.TempDir()), swaptest.Env(base, cwd, payload)...)
				o := runHelper(t, []string{"--sandbox-policy", string(policy), "--sandbox-policy-cwd", cwd, "--",
					"sh", "-c", swaptest.Prelude + "echo started; " + tc.Script}, "/", nil, env, false, (*exec.Cmd).Start)
				if !strings.HasPrefix(o.stdout, "started\n") {
					// A sandbox that refuses to start would pass the check
					// below for the wrong reason.
					t.Fatalf("%s: the attack did not start: exit %d, stderr %q", mode, o.code, o.stderr)
				}
				ran, log := swaptest.HostGitRan(t, gitDir, marker)
				switch {
				case mode == "danger-full-access" && !ran:
					t.Fatalf("unsandboxed, the attack did not work (so this test could not fail): exit %d\n%s\n%s", o.code, o.stderr, log)
				case mode == "workspace-write" && ran:
					t.Errorf("the attacker's payload ran in the user's git after a sandboxed run: exit %d\n%s\n%s", o.code, o.stderr, log)
				}
			}
		})
	}
}

// TestSwapUnprotectedIsReported: as uid 65534 with no way to a mount
// namespace, the pins cannot be made; the report says so.
func TestSwapUnprotectedIsReported(t *testing.T) {
	base := swaptest.Base(t)
	cwd, _ := swaptest.Cases()[0].Setup(t, base)
	swaptest.Own(t, base, 65534)
	policy := `{"mode":"workspace-write","writable_roots":["` + base + `"],"exclude_slash_tmp":true,"exclude_tmpdir_env_var":true}`
	o := sbx{policy: policy, policyCwd: cwd, cred: &syscall.Credential{Uid: 65534, Gid: 65534}, reportFD: true}.run(t, "true")
	if o.code != 0 || len(o.reports) == 0 || o.reports[0].Report == nil {
		t.Fatalf("exit %d, reports %+v, stderr %q", o.code, o.reports, o.stderr)
	}
	if u := strings.Join(o.reports[0].Report.Unavailable, "\n"); !strings.Contains(u, "pinned-paths: no mount namespace") {
		t.Errorf("unavailable = %q, want the unpinned paths listed", u)
	}
}

// TestPlantedRootLink: one sandboxed run replaces a nested writable root
// (an --add-dir inside another root, as $TMPDIR inside /tmp) with a
// symlink to a directory outside every root; the next run with the same
// policy must not make that directory writable. Unsandboxed (the first
// run danger-full-access, the second's plan ignored) the write lands, so
// the test can fail.
func TestPlantedRootLink(t *testing.T) {
	for _, second := range []string{"danger-full-access", "workspace-write"} {
		base := swaptest.Base(t)
		ws := filepath.Join(base, "ws")
		cache := filepath.Join(base, "cache")
		victim := t.TempDir() // outside every root
		for _, d := range []string{ws, cache} {
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		policy, _ := json.Marshal(map[string]any{"mode": "workspace-write", "writable_roots": []string{base, cache},
			"exclude_slash_tmp": true, "exclude_tmpdir_env_var": true})
		o := runHelper(t, []string{"--sandbox-policy", string(policy), "--sandbox-policy-cwd", ws, "--",
			"sh", "-c", `rmdir "$1" && ln -s "$2" "$1" && echo planted`, "sh", cache, victim}, "/", nil, nil, false, (*exec.Cmd).Start)
		if o.stdout != "planted\n" {
			t.Fatalf("first run: exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
		}
		if second == "danger-full-access" {
			policy, _ = json.Marshal(map[string]any{"mode": second})
		}
		runHelper(t, []string{"--sandbox-policy", string(policy), "--sandbox-policy-cwd", ws, "--",
			"sh", "-c", `echo x > "$1/pwned"`, "sh", cache}, "/", nil, nil, false, (*exec.Cmd).Start)
		_, err := os.Stat(filepath.Join(victim, "pwned"))
		switch {
		case second == "danger-full-access" && err != nil:
			t.Fatalf("unsandboxed, the write did not land (so this test could not fail)")
		case second == "workspace-write" && err == nil:
			t.Errorf("a root replaced by a planted symlink made %s writable", victim)
		}
	}
}
