//go:build linux

package linuxsandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// siblingTree makes base/p/{a,b,c,d} (c with a .git dir, d with a .git
// file pointing at base/gitdir), base/link -> base/p/b, base/plink -> base/p
// and returns base, symlink-free.
func siblingTree(t *testing.T) string {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"p/a", "p/b", "p/c/.git", "p/d", "gitdir"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(base, "p/d/.git"), []byte("gitdir: "+filepath.Join(base, "gitdir")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"link": "p/b", "plink": "p"} {
		if err := os.Symlink(filepath.Join(base, target), filepath.Join(base, link)); err != nil {
			t.Fatal(err)
		}
	}
	return base
}

func TestRootResolver(t *testing.T) {
	base := siblingTree(t)
	p := func(s string) string { return filepath.Join(base, s) }
	tests := []struct {
		name   string
		paths  []string
		want   []string // real paths, "" for missing
		shared bool     // the last one was resolved through a shared parent
	}{
		{"siblings", []string{p("p/a"), p("p/b"), p("p/c")}, []string{p("p/a"), p("p/b"), p("p/c")}, true},
		{"missing sibling", []string{p("p/a"), p("p/zz"), p("p/b")}, []string{p("p/a"), "", p("p/b")}, true},
		{"symlinked sibling", []string{p("link"), p("plink"), p("p")}, []string{p("p/b"), p("p"), p("p")}, true},
		{"parent through a symlink", []string{p("plink/a"), p("plink/b")}, []string{p("p/a"), p("p/b")}, false},
		{"file is not a root", []string{p("p/d/.git"), p("p/d/x")}, []string{"", ""}, true},
		{"lone roots", []string{p("p/a"), p("gitdir"), "/"}, []string{p("p/a"), p("gitdir"), "/"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rr := newRootResolver()
			defer rr.close()
			for i, path := range tc.paths {
				next := ""
				if i+1 < len(tc.paths) {
					next = tc.paths[i+1]
				}
				real, ref, ok := rr.resolve(path, next)
				if want := tc.want[i]; real != want || ok != (want != "") {
					t.Errorf("resolve(%q) = %q, %v; want %q", path, real, ok, want)
				}
				if !ok {
					continue
				}
				// The reference leads to the directory itself.
				var a, b unix.Stat_t
				if ref.rel == "" {
					if err := unix.Fstat(ref.fd, &a); err != nil {
						t.Fatalf("fstat %q: %v", path, err)
					}
					closeDir(ref.fd)
				} else if err := unix.Fstatat(ref.fd, ref.rel, &a, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					t.Fatalf("fstatat %q: %v", path, err)
				}
				if err := unix.Stat(real, &b); err != nil || a.Ino != b.Ino || a.Dev != b.Dev {
					t.Errorf("reference of %q is not %q (%v)", path, real, err)
				}
				if tc.shared && i > 0 && tc.want[i] != "" && ref.rel == "" && real == path {
					t.Errorf("resolve(%q) opened the root, want a lookup in its shared parent", path)
				}
			}
			if shared := rr.fd >= 0; shared != tc.shared {
				t.Errorf("shared parent open = %v, want %v", shared, tc.shared)
			}
		})
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct{ path, dir, base string }{
		{"/", "", ""}, {"/a", "/", "a"}, {"/a/b", "/a", "b"}, {"/a/b/c", "/a/b", "c"},
	}
	for _, tc := range tests {
		if dir, base := splitPath(tc.path); dir != tc.dir || base != tc.base {
			t.Errorf("splitPath(%q) = %q, %q; want %q, %q", tc.path, dir, base, tc.dir, tc.base)
		}
	}
}

// TestCloseDirs checks that a run of descriptors is closed and that a
// descriptor that is not in the list survives, even between two that are.
func TestCloseDirs(t *testing.T) {
	open := func() int {
		fd, err := unix.Open("/", unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		return fd
	}
	isOpen := func(fd int) bool {
		_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		return err == nil
	}
	run := []int{open(), open(), open()}
	closeDirs(append([]int{-1}, run...))
	for _, fd := range run {
		if isOpen(fd) {
			t.Errorf("fd %d still open after closeDirs(%v)", fd, run)
		}
	}
	a, keep, b := open(), open(), open()
	defer closeDir(keep)
	closeDirs([]int{b, a})
	if isOpen(a) || isOpen(b) {
		t.Errorf("fds %d, %d still open", a, b)
	}
	if !isOpen(keep) {
		t.Errorf("closeDirs([%d %d]) closed %d too", b, a, keep)
	}
	closeDirs(nil)
}

// TestPlanSiblingRoots plans many sibling roots, some symlinked, some
// missing, some nested with their own .git (a directory, a file with a
// gitdir), and checks the result is that of resolving each alone.
func TestPlanSiblingRoots(t *testing.T) {
	base := siblingTree(t)
	p := func(s string) string { return filepath.Join(base, s) }
	policy := protocol.SandboxPolicy{
		Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true,
		WritableRoots: []string{p("p/a"), p("p/b"), p("p/zz"), p("link"), p("p/c"), p("p/d"), "p/a", p("plink/c"), p("p")},
	}
	plan, err := NewPlan(policy, base, "", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := &Plan{
		WritableRoots: []string{base, p("p"), p("p/a"), p("p/b"), p("p/c"), p("p/d")},
		MissingRoots:  []string{p("p/zz")},
		Protected:     []string{p("p/c/.git"), p("p/d/.git"), p("gitdir")},
		Unprotectable: []string{p(".codex")},
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"roots", plan.WritableRoots, want.WritableRoots},
		{"missing", plan.MissingRoots, want.MissingRoots},
		{"protected", plan.Protected, want.Protected},
		{"unprotectable", plan.Unprotectable, want.Unprotectable},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if got := outermost(plan.WritableRoots); !reflect.DeepEqual(got, []string{base}) {
		t.Errorf("outermost = %q, want [%q]", got, base)
	}
	// No descriptor is left open by planning.
	before := openFDs(t)
	for i := 0; i < 5; i++ {
		if _, err := NewPlan(policy, base, "", func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
	}
	if after := openFDs(t); after != before {
		t.Errorf("open descriptors %d -> %d after planning", before, after)
	}
	if _, err := json.Marshal(plan); err != nil {
		t.Errorf("marshal plan: %v", err)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestSiblingRootsEnforced runs the helper with sibling roots (mounted
// through their shared parent), a symlinked root, a missing one and roots
// with their own .git: each root is writable, its parent and the other
// entries beside them are not, and every .git stays read-only.
func TestSiblingRootsEnforced(t *testing.T) {
	ws, out := workspace(t)
	parent := filepath.Join(out, "p")
	for _, d := range []string{"a", "b", "c/.git", "d", "not-a-root", "gitdir"} {
		if err := os.MkdirAll(filepath.Join(parent, d), 0o777); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(parent, "d", ".git"), []byte("gitdir: "+filepath.Join(parent, "gitdir")+"\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(parent, "b"), filepath.Join(out, "link-to-b")); err != nil {
		t.Fatal(err)
	}
	roots := []string{filepath.Join(parent, "a"), filepath.Join(out, "link-to-b"), filepath.Join(parent, "c"),
		filepath.Join(parent, "missing"), filepath.Join(parent, "d")}
	rj, err := json.Marshal(roots)
	if err != nil {
		t.Fatal(err)
	}
	s := sbx{policy: `{"mode":"workspace-write","exclude_slash_tmp":true,"exclude_tmpdir_env_var":true,"writable_roots":` + string(rj) + `}`, policyCwd: ws}
	tests := []struct{ path, want string }{
		{filepath.Join(parent, "a", "new"), "ok"},
		{filepath.Join(parent, "b", "new"), "ok"},
		{filepath.Join(out, "link-to-b", "new2"), "ok"},
		{filepath.Join(parent, "c", "new"), "ok"},
		{filepath.Join(parent, "d", "new"), "ok"},
		{filepath.Join(ws, "new"), "ok"},
		{filepath.Join(parent, "new"), "err: EROFS"},
		{filepath.Join(parent, "not-a-root", "new"), "err: EROFS"},
		{filepath.Join(parent, "c", ".git", "config"), "err: EROFS"},
		{filepath.Join(parent, "d", ".git"), "err: EROFS"},
		{filepath.Join(parent, "gitdir", "HEAD"), "err: EROFS"},
		{filepath.Join(ws, ".git", "config"), "err: EROFS"},
	}
	for _, tc := range tests {
		if got := s.probeOut(t, "write", tc.path); got != tc.want {
			t.Errorf("write %s: got %q, want %q", tc.path, got, tc.want)
		}
	}
	if got := s.probeOut(t, "chmod", filepath.Join(parent, "not-a-root")); got != "err: EROFS" {
		t.Errorf("chmod beside the roots: got %q, want err: EROFS", got)
	}
}

func TestNameLookup(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("d", filepath.Join(dir, "l")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(dir, "p"), 0o644); err != nil {
		t.Fatal(err)
	}
	names := []string{"d", "f", "l", "p", "missing"}
	want := []os.FileMode{os.ModeDir, 0, os.ModeSymlink, os.ModeNamedPipe, 0}
	l := newNameLookup(names)
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDir(fd)
	pfd, err := unix.Open(filepath.Dir(dir), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDir(pfd)
	for _, in := range []dirRef{{fd: fd}, {fd: pfd, rel: filepath.Base(dir)}, {fd: -1}} {
		for i, n := range names {
			mode, err := l.lstat(in, dir, i)
			if n == "missing" {
				if !os.IsNotExist(err) {
					t.Errorf("lstat(%v, %q) error = %v, want not-exist", in, n, err)
				}
				continue
			}
			if err != nil || mode != want[i] {
				t.Errorf("lstat(%v, %q) = %v, %v; want %v", in, n, mode, err, want[i])
			}
		}
	}
}
