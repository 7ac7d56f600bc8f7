package sandboxpolicy

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// tree makes the given dirs, files ("path=content") and symlinks
// ("path->target") under a fresh symlink-free base.
func tree(t *testing.T, entries ...string) string {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		link, target, isLink := strings.Cut(e, "->")
		file, content, isFile := strings.Cut(e, "=")
		switch {
		case isLink:
			p := link
			mkdirs(t, filepath.Dir(filepath.Join(base, p)))
			if err := os.Symlink(target, filepath.Join(base, p)); err != nil {
				t.Fatal(err)
			}
		case isFile:
			p := file
			mkdirs(t, filepath.Dir(filepath.Join(base, p)))
			if err := os.WriteFile(filepath.Join(base, p), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			mkdirs(t, filepath.Join(base, e))
		}
	}
	return base
}

func mkdirs(t *testing.T, d string) {
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestPlanProtectedAndPinned(t *testing.T) {
	tests := []struct {
		name      string
		entries   []string
		cwd       string // relative to base
		extra     []string
		protected []string
		pinned    []string
	}{
		{name: "workspace is the outer root", entries: []string{"ws/.git"}, cwd: "ws",
			protected: []string{"ws/.git"}},
		{name: "workspace nested in a writable root", entries: []string{"x/y/ws/.git"}, cwd: "x/y/ws", extra: []string{"."},
			protected: []string{"x/y/ws/.git"}, pinned: []string{"x", "x/y", "x/y/ws"}},
		{name: ".git file and its gitdir", entries: []string{"x/ws/.git=gitdir: ../../gd/repo.git\n", "gd/repo.git"}, cwd: "x/ws", extra: []string{"."},
			protected: []string{"x/ws/.git", "gd/repo.git"}, pinned: []string{"gd", "x", "x/ws"}},
		{name: "worktree common dir", entries: []string{"main/.git/worktrees/ws/commondir=../..\n", "x/ws/.git=gitdir: ../../main/.git/worktrees/ws\n"},
			cwd: "x/ws", extra: []string{"."},
			protected: []string{"x/ws/.git", "main/.git/worktrees/ws", "main/.git"}, pinned: []string{"main", "x", "x/ws"}},
		{name: "symlinked .git", entries: []string{"ws/.git->../real.git", "real.git"}, cwd: "ws", extra: []string{"."},
			protected: []string{"real.git"}, pinned: []string{"ws", "ws/.git"}},
		{name: "workspace named through a symlink", entries: []string{"x/ws/.git", "link->x/ws"}, cwd: "link", extra: []string{"."},
			protected: []string{"x/ws/.git"}, pinned: []string{"link", "x", "x/ws"}},
		{name: ".agents and .aws", entries: []string{"ws/.agents", "ws/.aws"}, cwd: "ws",
			protected: []string{"ws/.agents", "ws/.aws"}},
		{name: "submodule .git files", entries: []string{"ws/.git/modules/lib/HEAD=ref: x\n", "ws/.git/modules/lib/config=[core]\n\tworktree = ../../../lib\n",
			"ws/.git/modules/a/b/HEAD=ref: x\n", "ws/.git/modules/a/b/config=[core]\n\tworktree = ../../../../deep/b\n",
			"ws/lib/.git=gitdir: ../.git/modules/lib\n", "ws/deep/b/.git=gitdir: ../../.git/modules/a/b\n"}, cwd: "ws",
			protected: []string{"ws/.git", "ws/deep/b/.git", "ws/lib/.git"}, pinned: []string{"ws/deep", "ws/deep/b", "ws/lib"}},
		{name: "workspace inside a repository in a writable root", entries: []string{"repo/.git", "repo/sub/ws"}, cwd: "repo/sub/ws", extra: []string{"."},
			protected: []string{"repo/.git"}, pinned: []string{"repo", "repo/sub", "repo/sub/ws"}},
		{name: "hooks path, included config, a program the config names", entries: []string{
			"ws/.git/config=[core]\n\thooksPath = .githooks\n\tfsmonitor = \"tools/fsmon --flag\"\n[include]\n\tpath = ../shared.gitconfig\n",
			"ws/shared.gitconfig=[includeIf \"onbranch:main\"]\n\tpath = team.gitconfig\n", "ws/team.gitconfig=", "ws/.githooks", "ws/tools/fsmon="}, cwd: "ws",
			protected: []string{"ws/.git", "ws/.githooks", "ws/tools/fsmon", "ws/shared.gitconfig", "ws/team.gitconfig"}, pinned: []string{"ws/tools"}},
		{name: "config read as git reads it", entries: []string{
			// A BOM before the first line, a value and a subsection cut at
			// a NUL (git's C strings: include.path), a lone CR ending a
			// value, a tab inside one (two readings: git 2.45 on and before).
			"ws/.git/config=\xef\xbb\xbf[core]hooksPath = hk\x00junk\n[include \"path\x00x\"]\n\tfoo = ../inc.gitconfig\r\r\n" +
				"[includeIf \"onbranch:x\"]\n\tpath = ../t\tc\n",
			"ws/inc.gitconfig=[core]\n\tfsmonitor = tools/fsmon\r", "ws/t\tc=", "ws/t c=", "ws/hk", "ws/tools/fsmon="}, cwd: "ws",
			protected: []string{"ws/.git", "ws/hk", "ws/inc.gitconfig", "ws/tools/fsmon", "ws/t\tc", "ws/t c"}, pinned: []string{"ws/tools"}},
		{name: "included whatever the condition", entries: []string{
			"ws/.git/config=[includeIf \"gitdir/i:/nowhere/\"]\n\tpath = ../g.cfg\n[includeIf \"hasconfig:remote.*.url:https://e.com/**\"]\n" +
				"\tpath = ../h.cfg\n[includeIf \"gitdir:~/x/\"]\n\tpath = ../x.cfg\n",
			"ws/g.cfg=", "ws/h.cfg=[core]\n\thooksPath = hooks\n", "ws/x.cfg=", "ws/hooks"}, cwd: "ws",
			protected: []string{"ws/.git", "ws/g.cfg", "ws/h.cfg", "ws/hooks", "ws/x.cfg"}},
		{name: "hooks path through a link", entries: []string{"ws/.git/config=[core]\n\thooksPath = hooks\n", "ws/hooks->h/real", "ws/h/real"}, cwd: "ws",
			protected: []string{"ws/.git", "ws/h/real"}, pinned: []string{"ws/h", "ws/hooks"}},
		{name: "config paths outside the roots are left alone", entries: []string{"ws/.git/config=[core]\n\thooksPath = /usr\n\tpager = /bin/less\n"}, cwd: "ws",
			protected: []string{"ws/.git"}},
		{name: "repositories directly inside the workspace", entries: []string{"ws/a/.git", "ws/b/.git=gitdir: ../gd/b\n", "ws/gd/b", "ws/c/d/.git", "ws/f"}, cwd: "ws",
			protected: []string{"ws/a/.git", "ws/b/.git", "ws/gd/b"}, pinned: []string{"ws/a", "ws/b", "ws/gd"}},
		{name: "everything writable protects nothing", entries: []string{"ws/.git"}, cwd: "ws", extra: []string{"/"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := tree(t, tc.entries...)
			var extra []string
			for _, e := range tc.extra {
				if !filepath.IsAbs(e) {
					e = filepath.Join(base, e)
				}
				extra = append(extra, e)
			}
			p, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: extra,
				ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true}, filepath.Join(base, tc.cwd), "", nil)
			if err != nil {
				t.Fatal(err)
			}
			abs := func(l []string) []string {
				var out []string
				for _, x := range l {
					out = append(out, filepath.Join(base, x))
				}
				return out
			}
			if want := abs(tc.protected); !reflect.DeepEqual(p.Protected, want) {
				t.Errorf("protected = %q\nwant        %q", p.Protected, want)
			}
			if want := abs(tc.pinned); !reflect.DeepEqual(p.Pinned, want) {
				t.Errorf("pinned = %q\nwant     %q", p.Pinned, want)
			}
		})
	}
}

func TestCanWrite(t *testing.T) {
	base := tree(t, "ws/.git", "ws/src", "ws/link->../out", "ws/dangling->../nowhere/x", "out", "tmp/x/ws2/.git", "ws/.agents->../agents")
	ws := filepath.Join(base, "ws")
	p, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{filepath.Join(base, "tmp"), filepath.Join(base, "tmp/x/ws2")},
		ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true}, ws, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"ws/src/a.go":          true,
		"ws/new/dir/f":         true,
		"ws/.git/config":       false,
		"ws/.codex/config":     false, // missing yet: still protected
		"ws/.agents/skills/x":  false, // through the symlink too
		"agents/skills/x":      false, // the symlink's target itself
		"ws/.aws/credentials":  false,
		"ws/link/f":            false, // resolves outside
		"ws/dangling":          false, // lands who knows where
		"out/f":                false,
		"tmp/f":                true,
		"tmp/x/ws2/.git/hooks": false, // a nested root's .git, through the outer root
		"tmp/.git/config":      false,
		"ws/sub/.git/config":   true, // only the roots' own entries are protected, as in the sandbox
	} {
		if got := p.CanWrite(filepath.Join(base, path)); got != want {
			t.Errorf("CanWrite(%s) = %v, want %v", path, got, want)
		}
	}
	ro, _ := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}, ws, "", nil)
	full, _ := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, ws, "", nil)
	if ro.CanWrite(filepath.Join(ws, "f")) || !full.CanWrite("/etc/passwd") {
		t.Errorf("read-only may write, or danger-full-access may not")
	}
}

func TestAskedRootsAndFromConfig(t *testing.T) {
	env := func(k string) string {
		if k == "TMPDIR" {
			return "/var/tmp/me/"
		}
		return ""
	}
	ww := Workspace{WritableRoots: []string{"/data"}, NetworkAccess: true}
	p, err := FromConfig("workspace-write", ww, "", "/extra/")
	if err != nil {
		t.Fatal(err)
	}
	// --add-dir's roots before config.toml's, as 0.169 lists them.
	want := protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{"/extra", "/data"}, NetworkAccess: true}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("FromConfig = %+v, want %+v", p, want)
	}
	if got, want := AskedRoots(p, "/w", env), []string{"/w", "/extra", "/data", "/tmp", "/var/tmp/me"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AskedRoots = %q, want %q", got, want)
	}
	p.ExcludeSlashTmp, p.ExcludeTmpdirEnvVar = true, true
	if got, want := AskedRoots(p, "/w", env), []string{"/w", "/extra", "/data"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AskedRoots excluded = %q, want %q", got, want)
	}
	if p, _ := FromConfig("workspace-write", ww, "read-only"); p.Mode != protocol.SandboxReadOnly || len(p.WritableRoots) != 0 {
		t.Errorf("a --sandbox read-only override gives %+v", p)
	}
	if p, _ := FromConfig("", Workspace{}, ""); p.Mode != protocol.SandboxReadOnly {
		t.Errorf("no config gives %+v, want read-only", p)
	}
	if _, err := FromConfig("", Workspace{}, "sideways"); err == nil {
		t.Errorf("bad mode accepted")
	}
	if got := WritableRoots(protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, "/w", env); !reflect.DeepEqual(got, []string{"/"}) {
		t.Errorf("danger roots = %q", got)
	}
}

// TestRootsThroughPlantedLinks: a root reached through a symlink inside
// another writable root is kept only when it points inside the roots.
func TestRootsThroughPlantedLinks(t *testing.T) {
	base := tree(t, "ws", "outer/real", "home", "outer/tmp->../home", "outer/in->real", "elsewhere", "link->elsewhere", "outer/wslink->../home")
	env := func(k string) string {
		if k == "TMPDIR" {
			return filepath.Join(base, "outer/tmp")
		}
		return ""
	}
	p, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true,
		WritableRoots: []string{filepath.Join(base, "outer"), filepath.Join(base, "outer/in"), filepath.Join(base, "link")}},
		filepath.Join(base, "ws"), "", env)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(base, "elsewhere"), filepath.Join(base, "outer"), filepath.Join(base, "outer/real"), filepath.Join(base, "ws")}
	if !reflect.DeepEqual(p.WritableRoots, want) {
		t.Errorf("roots = %q\nwant    %q", p.WritableRoots, want)
	}
	if want := []string{filepath.Join(base, "outer/tmp")}; !reflect.DeepEqual(p.RefusedRoots, want) {
		t.Errorf("refused = %q, want %q ($TMPDIR planted as a link to home)", p.RefusedRoots, want)
	}
	// The workspace too, when it is named through such a link.
	p, err = NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true,
		WritableRoots: []string{filepath.Join(base, "outer")}}, filepath.Join(base, "outer/wslink"), "", env)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(base, "outer")}; !reflect.DeepEqual(p.WritableRoots, want) || len(p.RefusedRoots) != 1 {
		t.Errorf("roots = %q, refused %q; want %q and the workspace refused", p.WritableRoots, p.RefusedRoots, want)
	}
}

// TestPlanUnprotectable: a hooks path or include that does not exist yet
// inside a writable root is reported, not silently left open.
func TestPlanUnprotectable(t *testing.T) {
	base := tree(t, "ws/.git/config=[core]\n\thooksPath = .husky\n[include]\n\tpath = ~/.gitconfig.local\n")
	home := filepath.Join(base, "ws")
	p, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true},
		filepath.Join(base, "ws"), "", func(k string) string {
			if k == "HOME" {
				return home
			}
			return ""
		})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{filepath.Join(base, "ws", ".husky"), filepath.Join(home, ".gitconfig.local")} {
		if !contains(p.Unprotectable, want) {
			t.Errorf("unprotectable = %q, want %s among them", p.Unprotectable, want)
		}
	}
}
