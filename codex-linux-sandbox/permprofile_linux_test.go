//go:build linux

package linuxsandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// profileFacts is testdata/permission-profiles.json: what the Codex CLI
// 0.169 helper did with each --permission-profile.
type profileFacts struct {
	Cases []struct {
		Name      string          `json:"name"`
		Profile   string          `json:"profile"`
		RefExit   int             `json:"ref_exit"`
		RefInet   bool            `json:"ref_inet"`
		RefWrites map[string]bool `json:"ref_writes"`
		Ours      string          `json:"ours"`
	} `json:"cases"`
}

// TestPermissionProfileLike0169 runs each recorded profile through our
// helper, in the same layout and argv form 0.169's `codex sandbox` uses
// (--sandbox-policy-cwd, --command-cwd, --permission-profile, --), and
// checks every write and the network against what 0.169 did: the same
// outcome, or a refusal (exit 2, nothing run) where we chose to differ.
func TestPermissionProfileLike0169(t *testing.T) {
	b, err := os.ReadFile("testdata/permission-profiles.json")
	if err != nil {
		t.Fatal(err)
	}
	var facts profileFacts
	if err := json.Unmarshal(b, &facts); err != nil {
		t.Fatal(err)
	}
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range facts.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			// Under /tmp as in the recording, whatever TMPDIR says.
			base, err := os.MkdirTemp("/tmp", "codex-profile-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.RemoveAll(base) })
			ws := filepath.Join(base, "ws")
			for _, d := range []string{".git", ".aws", "sub"} {
				if err := os.MkdirAll(filepath.Join(ws, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range []string{"out", "tmpd"} {
				if err := os.Mkdir(filepath.Join(base, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			probeName := "codex-profile-probe-" + filepath.Base(base)
			expand := func(s string) string {
				return strings.NewReplacer("$WS", ws, "$BASE", base, "$PROBE", probeName).Replace(s)
			}
			var script strings.Builder
			var paths []string
			for p := range tc.RefWrites {
				paths = append(paths, p)
				fmt.Fprintf(&script, "if (echo x > '%s') 2>/dev/null; then echo '%s=1'; else echo '%s=0'; fi; ", expand(p), p, p)
			}
			fmt.Fprintf(&script, "CODEX_TEST_PROBE=1 '%s' socket %d %d", bin, unix.AF_INET, unix.SOCK_STREAM)
			t.Cleanup(func() { _ = os.Remove("/tmp/" + probeName) })
			o := runHelper(t, []string{"--sandbox-policy-cwd", ws, "--command-cwd", ws, "--permission-profile", expand(tc.Profile),
				"--", "sh", "-c", script.String()}, ws, nil, []string{"TMPDIR=" + filepath.Join(base, "tmpd")}, false, (*exec.Cmd).Start)
			switch {
			case tc.Ours != "" || tc.RefExit == 2:
				if o.code != ExitUsage || o.stdout != "" || strings.Count(o.stderr, "\n") != 1 {
					t.Fatalf("want a refusal (exit 2, one line, nothing run): exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
				}
				return
			case o.code != 0:
				t.Fatalf("exit %d, stderr %q", o.code, o.stderr)
			}
			got := map[string]bool{}
			lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
			for _, l := range lines[:len(lines)-1] {
				k, v, _ := strings.Cut(l, "=")
				got[k] = v == "1"
			}
			for _, p := range paths {
				if got[p] != tc.RefWrites[p] {
					t.Errorf("writing %s: ours %v, 0.169 %v", p, got[p], tc.RefWrites[p])
				}
			}
			if inet := lines[len(lines)-1] == "ok"; inet != tc.RefInet {
				t.Errorf("AF_INET socket: ours %q, 0.169 allowed %v", lines[len(lines)-1], tc.RefInet)
			}
		})
	}
}
