package sandboxpolicy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/codexgo/common/protocol"
)

func TestConfigWorktree(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		"[core]\n\tworktree = ../../../lib\n":                       "../../../lib",
		"[Core]\n\tWorkTree=\"/abs/lib\"\n":                         "/abs/lib",
		"[remote \"origin\"]\n\tworktree = x\n[core]\n\tbare = 0\n": "",
		"": "",
		// As git reads it: the last one, a value like any other, and
		// exactly core.worktree (git config --get core.worktree agrees).
		"[core]\n\tworktree = a\n[core \"\"]\n\tworktree = b\n[core]\n\tworktree = c\n": "c",
		"[core]\n\tworktree = a\n[core \"\"]\n\tworktree = b\n":                         "a",
		"[core]\n\tworktree = \"../x\" # c\n[core]\n\tbare\n":                           "../x",
		"\xef\xbb\xbf[core] worktree = ../w\\\n/x\n":                                    "../w/x",
	} {
		p := filepath.Join(dir, "config")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := configWorktree(p); got != want {
			t.Errorf("configWorktree(%q) = %q, want %q", content, got, want)
		}
	}
}

// FuzzGitMetadata plans a workspace whose .git file, commondir and
// submodule config hold arbitrary text: any content gives a plan (or an
// error), never a panic or a hang, and every protected path is absolute.
func FuzzGitMetadata(f *testing.F) {
	f.Add("gitdir: ../gd\n", "../..\n", "[core]\n\tworktree = ../../../lib\n")
	f.Add("gitdir: /\n", "/\n", "[core]\nworktree=/\n")
	f.Fuzz(func(t *testing.T, dotgit, commondir, config string) {
		base := t.TempDir()
		ws := filepath.Join(base, "ws")
		gd := filepath.Join(base, "gd")
		for _, d := range []string{ws, filepath.Join(gd, "modules", "lib"), filepath.Join(ws, "lib")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for p, c := range map[string]string{
			filepath.Join(ws, ".git"): dotgit, filepath.Join(gd, "commondir"): commondir,
			filepath.Join(gd, "modules", "lib", "HEAD"): "ref: x\n", filepath.Join(gd, "modules", "lib", "config"): config,
			filepath.Join(ws, "lib", ".git"): dotgit,
		} {
			if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		plan, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{base},
			ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true}, ws, "", nil)
		if err != nil {
			return
		}
		for _, x := range append(plan.Protected, plan.Pinned...) {
			if !filepath.IsAbs(x) {
				t.Fatalf("relative path %q in %+v", x, plan)
			}
		}
	})
}
