package linuxsandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/codexgo/common/protocol"
)

func TestNewPlan(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(base, "repo")
	wt := filepath.Join(base, "worktree")
	gitdir := filepath.Join(repo, ".git", "worktrees", "wt")
	tmpdir := filepath.Join(base, "tmpdir")
	for _, d := range []string{gitdir, wt, tmpdir, filepath.Join(repo, ".agents"), filepath.Join(base, "agents-real")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: "+gitdir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "agents-real"), filepath.Join(wt, ".agents")); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "TMPDIR" {
			return tmpdir
		}
		return ""
	}
	ws := protocol.SandboxWorkspaceWrite
	tests := []struct {
		name          string
		policy        protocol.SandboxPolicy
		cwd           string
		roots         []string
		missing       []string
		protected     []string
		unprotectable []string
	}{
		{name: "read-only has no roots", policy: protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}, cwd: repo},
		{name: "danger has no roots", policy: protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, cwd: repo},
		{
			name: "defaults add cwd, /tmp and TMPDIR", policy: protocol.SandboxPolicy{Mode: ws}, cwd: repo,
			roots:         []string{"/tmp", repo, tmpdir},
			protected:     []string{filepath.Join(repo, ".git"), filepath.Join(repo, ".agents")},
			unprotectable: []string{filepath.Join(repo, ".codex")},
		},
		{
			name: "exclusions and relative roots", cwd: repo,
			policy:        protocol.SandboxPolicy{Mode: ws, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true, WritableRoots: []string{"../worktree", "/no/such"}},
			roots:         []string{repo, wt},
			missing:       []string{"/no/such"},
			protected:     []string{filepath.Join(repo, ".git"), filepath.Join(repo, ".agents"), filepath.Join(wt, ".git"), filepath.Join(base, "agents-real")}, // gitdir: inside repo/.git,
			unprotectable: []string{filepath.Join(repo, ".codex")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlan(tc.policy, tc.cwd, "", env)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got, want []string) {
				if len(got) == 0 && len(want) == 0 {
					return
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("roots", p.WritableRoots, tc.roots)
			check("missing", p.MissingRoots, tc.missing)
			check("protected", p.Protected, tc.protected)
			check("unprotectable", p.Unprotectable, tc.unprotectable)
			if p.CommandCwd != tc.cwd {
				t.Errorf("command cwd = %q, want %q", p.CommandCwd, tc.cwd)
			}
		})
	}
	if _, err := NewPlan(protocol.SandboxPolicy{Mode: "sideways"}, repo, "", env); err == nil {
		t.Errorf("bad mode accepted")
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		path, dir string
		want      bool
	}{
		{"/a/b", "/a", true}, {"/a", "/a", true}, {"/ab", "/a", false}, {"/x", "/", true},
		{"/a-b", "/a", false}, {"/", "/a", false}, {"/a", "/a/b", false}, {"/", "/", true},
	}
	for _, tc := range tests {
		if got := Within(tc.path, tc.dir); got != tc.want {
			t.Errorf("Within(%q, %q) = %v, want %v", tc.path, tc.dir, got, tc.want)
		}
	}
}

// FuzzPolicy feeds arbitrary --sandbox-policy JSON and paths through
// parsing and planning: errors are fine, panics are not.
func FuzzPolicy(f *testing.F) {
	f.Add(`{"mode":"workspace-write","writable_roots":["a","/b"],"network_access":true}`, "/", "sub")
	f.Add(`"read-only"`, "/tmp", "")
	f.Add(`{"mode":"danger-full-access"}`, "rel", "../x")
	f.Fuzz(func(t *testing.T, policyJSON, cwd, commandCwd string) {
		var p protocol.SandboxPolicy
		if json.Unmarshal([]byte(policyJSON), &p) != nil {
			return
		}
		plan, err := NewPlan(p, cwd, commandCwd, func(string) string { return "" })
		if err != nil {
			return
		}
		for _, r := range plan.WritableRoots {
			if !filepath.IsAbs(r) {
				t.Errorf("relative writable root %q", r)
			}
		}
		if p.Mode != protocol.SandboxWorkspaceWrite && len(plan.WritableRoots) > 0 {
			t.Errorf("mode %s has writable roots %v", p.Mode, plan.WritableRoots)
		}
	})
}
