// Package swaptest holds the rename, symlink and worktree swap attacks on
// a sandbox's protected paths (issue 14, items 2-5), shared by the tests
// of codex-linux-sandbox (the helper run directly) and codex-sandbox (the
// tool, as root and as an unprivileged user).
//
// Each Case builds a tree inside an outer writable root (standing for
// /tmp, $TMPDIR or an --add-dir) with the workspace somewhere below it,
// then runs an attack script inside the sandbox that tries to leave a
// git repository configured by the attacker (core.fsmonitor and a
// pre-commit hook pointing at a payload) where the user's next host-side
// git will find it. HostGitRan then runs git on the host as the user
// would, and reports whether the payload ran.
//
// Every case must make the payload run when the same script runs
// unsandboxed: that proves the attack and the check are real, so a
// passing sandboxed run means the sandbox stopped it.
package swaptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Case is one attack.
type Case struct {
	Name string
	// Setup builds the tree under base (the outer writable root) and
	// returns the policy cwd as the user names it and the directory the
	// user then runs git in.
	Setup func(t testing.TB, base string) (cwd, gitDir string)
	// Script is sh run inside the sandbox in cwd, with B (base), W (the
	// workspace as named) and P (the payload) set and the functions of
	// Prelude defined.
	Script string
}

// Prelude defines the attacker's helpers: plant_repo DIR makes DIR a
// repository whose config and hooks run $P; plant_gitdir DIR does the
// same for a separate git directory.
const Prelude = `
arm() { git --git-dir="$1" config core.fsmonitor "$P"; mkdir -p "$1/hooks"; printf '#!/bin/sh\nexec "%s"\n' "$P" > "$1/hooks/pre-commit"; chmod +x "$1/hooks/pre-commit"; }
plant_repo() { mkdir -p "$1" && git init -q "$1" && arm "$1/.git"; }
plant_gitdir() { git init -q --bare "$1" && git --git-dir="$1" config core.bare false && arm "$1"; }
`

// git runs git for the setup (as the test, on the host).
func git(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Env = HostEnv(t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// HostEnv is the environment of the user's host-side git: no system or
// global config but one that trusts every directory (the user owns the
// workspace; as root, git would otherwise refuse one owned by the
// sandbox's uid and the check would pass for the wrong reason).
func HostEnv(home string) []string {
	global := filepath.Join(home, "gitconfig")
	_ = os.WriteFile(global, []byte("[safe]\n\tdirectory = *\n[user]\n\tname = u\n\temail = u@example.com\n[init]\n\tdefaultBranch = main\n"), 0o644)
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + global}
}

// layout makes base/x/y/ws a repository with one commit and returns it.
func layout(t testing.TB, base string) string {
	ws := filepath.Join(base, "x", "y", "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, "init", "-q", ws)
	git(t, "-C", ws, "commit", "-q", "--allow-empty", "-m", "init")
	return ws
}

// Cases returns the attacks.
func Cases() []Case {
	return []Case{
		{
			Name:   "workspace renamed away",
			Setup:  func(t testing.TB, b string) (string, string) { ws := layout(t, b); return ws, ws },
			Script: `mv "$W" "$W.old"; plant_repo "$W"`,
		},
		{
			Name:   "parent renamed away",
			Setup:  func(t testing.TB, b string) (string, string) { ws := layout(t, b); return ws, ws },
			Script: `mv "$B/x/y" "$B/x/y.old"; plant_repo "$W"`,
		},
		{
			Name:   "grandparent renamed away",
			Setup:  func(t testing.TB, b string) (string, string) { ws := layout(t, b); return ws, ws },
			Script: `mv "$B/x" "$B/x.old"; plant_repo "$W"`,
		},
		{
			Name: "workspace named with ..",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := layout(t, b)
				return filepath.Join(b, "x", "y", "..", "y", "ws"), ws
			},
			Script: `mv "$B/x/y" "$B/x/y.old"; plant_repo "$B/x/y/ws"`,
		},
		{
			Name:   ".git removed or renamed",
			Setup:  func(t testing.TB, b string) (string, string) { ws := layout(t, b); return ws, ws },
			Script: `mv "$W/.git" "$W/old.git" || rm -rf "$W/.git"; plant_repo "$W"; arm "$W/.git"`,
		},
		{
			Name:   ".git hard-linked out",
			Setup:  func(t testing.TB, b string) (string, string) { ws := layout(t, b); return ws, ws },
			Script: `ln "$W/.git/config" "$B/cfg" && printf '[core]\n\tfsmonitor = %s\n' "$P" >> "$B/cfg"`,
		},
		{
			Name: "gitdir renamed away",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := separateGitDir(t, b)
				return ws, ws
			},
			Script: `mv "$B/gd" "$B/gd.old"; plant_gitdir "$B/gd/repo.git"`,
		},
		{
			Name: "gitdir written",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := separateGitDir(t, b)
				return ws, ws
			},
			Script: `arm "$B/gd/repo.git"`,
		},
		{
			Name: "relative gitdir renamed away",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := separateGitDir(t, b)
				writeFile(t, filepath.Join(ws, ".git"), "gitdir: ../../../gd/repo.git\n")
				return ws, ws
			},
			Script: `mv "$B/gd" "$B/gd.old"; plant_gitdir "$B/gd/repo.git"`,
		},
		{
			Name:   ".git symlink replaced",
			Setup:  symlinkedGit,
			Script: `rm -f "$W/.git"; plant_repo "$W"`,
		},
		{
			Name:   ".git symlink retargeted",
			Setup:  symlinkedGit,
			Script: `plant_gitdir "$B/evil.git"; ln -s "$B/evil.git" "$B/l"; mv -T "$B/l" "$W/.git"`,
		},
		{
			Name:   ".git symlink target renamed away",
			Setup:  symlinkedGit,
			Script: `mv "$B/real.git" "$B/old.git"; plant_gitdir "$B/real.git"`,
		},
		{
			Name:   "worktree common dir written",
			Setup:  worktree,
			Script: `arm "$B/main/.git"`,
		},
		{
			Name:  "worktree common dir renamed away",
			Setup: worktree,
			Script: `mv "$B/main" "$B/main.old"; plant_repo "$B/main"; mkdir -p "$B/main/.git/worktrees"; ` +
				`cp -r "$B/main.old/.git/worktrees/ws" "$B/main/.git/worktrees/ws"`,
		},
		{
			Name:   "submodule .git file replaced",
			Setup:  submodule,
			Script: `plant_gitdir "$B/evil.git"; git --git-dir="$B/evil.git" config core.worktree "$W/lib"; rm -f "$W/lib/.git"; echo "gitdir: $B/evil.git" > "$W/lib/.git"`,
		},
		{
			Name:   "submodule renamed away",
			Setup:  submodule,
			Script: `plant_gitdir "$B/evil.git"; git --git-dir="$B/evil.git" config core.worktree "$W/lib"; mv "$W/lib" "$W/lib.old"; mkdir "$W/lib"; echo "gitdir: $B/evil.git" > "$W/lib/.git"`,
		},
		{
			Name: "workspace inside a repository",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := layout(t, b)
				sub := filepath.Join(ws, "sub")
				if err := os.Mkdir(sub, 0o755); err != nil {
					t.Fatal(err)
				}
				return sub, sub
			},
			Script: `arm "$B/x/y/ws/.git"`,
		},
		{
			Name: "workspace named through a symlink",
			Setup: func(t testing.TB, b string) (string, string) {
				layout(t, b)
				link := filepath.Join(b, "link")
				if err := os.Symlink("x/y/ws", link); err != nil {
					t.Fatal(err)
				}
				return link, link
			},
			Script: `rm "$B/link"; plant_repo "$B/evil"; ln -s "$B/evil" "$B/link"`,
		},
		{
			Name:   "embedded repository written",
			Setup:  embedded,
			Script: `arm "$W/a/emb/.git"`,
		},
		{
			Name:   "embedded repository renamed away",
			Setup:  embedded,
			Script: `mv "$W/a/emb" "$W/a/emb.old"; plant_repo "$W/a/emb"`,
		},
		{
			Name: "repository in a workspace of repositories written",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := filepath.Join(b, "x", "y", "ws")
				proj := filepath.Join(ws, "proj")
				if err := os.MkdirAll(proj, 0o755); err != nil {
					t.Fatal(err)
				}
				git(t, "init", "-q", proj)
				git(t, "-C", proj, "commit", "-q", "--allow-empty", "-m", "init")
				return ws, proj
			},
			Script: `arm "$W/proj/.git"`,
		},
		{
			Name: "untracked clone in the workspace written",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := layout(t, b)
				clone := filepath.Join(ws, "vendor")
				git(t, "init", "-q", clone)
				git(t, "-C", clone, "commit", "-q", "--allow-empty", "-m", "init")
				return ws, clone
			},
			Script: `arm "$W/vendor/.git"`,
		},
		{
			Name: "included config written",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := layout(t, b)
				writeFile(t, filepath.Join(ws, "shared.gitconfig"), "[user]\n\tname = u\n")
				git(t, "-C", ws, "config", "include.path", "../shared.gitconfig")
				return ws, ws
			},
			Script: `printf '[core]\n\tfsmonitor = %s\n' "$P" >> "$W/shared.gitconfig"`,
		},
		{
			Name: "conditionally included config written",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := layout(t, b)
				writeFile(t, filepath.Join(b, "x", "team.gitconfig"), "[user]\n\tname = u\n")
				git(t, "-C", ws, "config", "includeIf.gitdir:/.path", filepath.Join(b, "x", "team.gitconfig"))
				return ws, ws
			},
			Script: `printf '[core]\n\tfsmonitor = %s\n' "$P" >> "$B/x/team.gitconfig"`,
		},
		{
			Name:   "hooks path written",
			Setup:  hooksPath,
			Script: `printf '#!/bin/sh\nexec "%s"\n' "$P" > "$W/.githooks/pre-commit"; chmod +x "$W/.githooks/pre-commit"`,
		},
		{
			Name:  "hooks path renamed away",
			Setup: hooksPath,
			Script: `mv "$W/.githooks" "$W/hooks.old"; mkdir "$W/.githooks"; ` +
				`printf '#!/bin/sh\nexec "%s"\n' "$P" > "$W/.githooks/pre-commit"; chmod +x "$W/.githooks/pre-commit"`,
		},
		{
			Name: "fsmonitor script in the workspace written",
			Setup: func(t testing.TB, b string) (string, string) {
				ws := layout(t, b)
				writeFile(t, filepath.Join(ws, "fsmon.sh"), "#!/bin/sh\nexit 1\n")
				if err := os.Chmod(filepath.Join(ws, "fsmon.sh"), 0o755); err != nil {
					t.Fatal(err)
				}
				git(t, "-C", ws, "config", "core.fsmonitor", "./fsmon.sh")
				return ws, ws
			},
			Script: `printf '#!/bin/sh\nexec "%s"\n' "$P" > "$W/fsmon.sh"`,
		},
	}
}

// separateGitDir makes base/x/y/ws a repository whose git directory is
// base/gd/repo.git (ws/.git is a "gitdir:" file).
func separateGitDir(t testing.TB, b string) string {
	ws := filepath.Join(b, "x", "y", "ws")
	for _, d := range []string{ws, filepath.Join(b, "gd")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	git(t, "init", "-q", "--separate-git-dir", filepath.Join(b, "gd", "repo.git"), ws)
	return ws
}

// symlinkedGit makes ws/.git a symlink to base/real.git.
func symlinkedGit(t testing.TB, b string) (string, string) {
	ws := layout(t, b)
	if err := os.Rename(filepath.Join(ws, ".git"), filepath.Join(b, "real.git")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(b, "real.git"), filepath.Join(ws, ".git")); err != nil {
		t.Fatal(err)
	}
	return ws, ws
}

// submodule makes base/x/y/ws a repository with base/lib as its
// submodule "lib" (ws/lib/.git a file pointing into ws/.git/modules).
func submodule(t testing.TB, b string) (string, string) {
	lib := filepath.Join(b, "libsrc")
	git(t, "init", "-q", lib)
	git(t, "-C", lib, "commit", "-q", "--allow-empty", "-m", "lib")
	ws := layout(t, b)
	git(t, "-C", ws, "-c", "protocol.file.allow=always", "submodule", "add", "-q", lib, "lib")
	git(t, "-C", ws, "commit", "-q", "-m", "submodule")
	return ws, ws
}

// embedded makes base/x/y/ws a repository holding another one, a/emb,
// added with git add (a gitlink, no .gitmodules): git status in ws runs
// git in a/emb, which reads a/emb/.git/config.
func embedded(t testing.TB, b string) (string, string) {
	ws := layout(t, b)
	emb := filepath.Join(ws, "a", "emb")
	if err := os.MkdirAll(emb, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, "init", "-q", emb)
	git(t, "-C", emb, "commit", "-q", "--allow-empty", "-m", "emb")
	git(t, "-C", ws, "add", "a/emb")
	git(t, "-C", ws, "commit", "-q", "-m", "embedded")
	return ws, ws
}

// hooksPath makes base/x/y/ws a repository whose core.hooksPath is its
// own .githooks (as husky and friends set it).
func hooksPath(t testing.TB, b string) (string, string) {
	ws := layout(t, b)
	if err := os.Mkdir(filepath.Join(ws, ".githooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, "-C", ws, "config", "core.hooksPath", ".githooks")
	return ws, ws
}

// worktree makes base/main a repository and base/x/y/ws a worktree of it.
func worktree(t testing.TB, b string) (string, string) {
	main := filepath.Join(b, "main")
	git(t, "init", "-q", main)
	git(t, "-C", main, "commit", "-q", "--allow-empty", "-m", "init")
	ws := filepath.Join(b, "x", "y", "ws")
	git(t, "-C", main, "worktree", "add", "-q", ws)
	return ws, ws
}

func writeFile(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Payload writes a script that appends to a marker file when run; both
// live in a directory the sandbox cannot write.
func Payload(t testing.TB) (payload, marker string) {
	dir := t.TempDir()
	marker = filepath.Join(dir, "ran")
	payload = filepath.Join(dir, "payload")
	writeFile(t, payload, "#!/bin/sh\necho ran >> '"+marker+"'\n")
	if err := os.Chmod(payload, 0o755); err != nil {
		t.Fatal(err)
	}
	return payload, marker
}

// Base makes the outer writable root: a fresh directory, symlink-free,
// reachable by uid (its parents opened up) and owned by uid after setup
// (call Own once the case's Setup is done).
func Base(t testing.TB) string {
	t.Helper()
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(tmp), tmp} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	base := filepath.Join(tmp, "outer")
	if err := os.Mkdir(base, 0o755); err != nil {
		t.Fatal(err)
	}
	return base
}

// Own gives the tree under base to uid, as a user's own files are.
func Own(t testing.TB, base string, uid int) {
	t.Helper()
	if out, err := exec.Command("chown", "-R", "-h", strconv.Itoa(uid)+":"+strconv.Itoa(uid), base).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
}

// Env is the environment of the attack script.
func Env(base, ws, payload string) []string {
	return []string{"B=" + base, "W=" + ws, "P=" + payload}
}

// HostGitRan runs the user's git in dir on the host (status, then a
// commit, which runs the pre-commit hook) and reports whether the payload
// ran, with git's output for the log.
func HostGitRan(t testing.TB, dir, marker string) (bool, string) {
	t.Helper()
	var log strings.Builder
	for _, args := range [][]string{{"status", "--porcelain"}, {"commit", "-q", "--allow-empty", "-m", "after"}} {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = HostEnv(t.TempDir())
		out, _ := cmd.CombinedOutput()
		log.Write(out)
	}
	_, err := os.Stat(marker)
	return err == nil, log.String()
}
