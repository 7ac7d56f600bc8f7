package sandboxpolicy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitfileAsGitReadsIt holds gitfileTarget to the git directory git
// itself finds through a worktree's or submodule's ".git" file (`git
// rev-parse --absolute-git-dir`), for contents that read differently
// when trimmed or cleaned: each case also has a decoy git directory where
// a looser reading would land, which the sandbox would then protect
// instead of the one git uses.
func TestGitfileAsGitReadsIt(t *testing.T) {
	cases := []struct {
		name, content string
		target        string // where git should go, relative to base
		decoy         string // where a looser reading goes ("" none)
		link          [2]string
	}{
		{"plain", "gitdir: ../gd/a.git\n", "gd/a.git", "", [2]string{}},
		{"crlf", "gitdir: ../gd/a.git\r\n", "gd/a.git", "", [2]string{}},
		{"trailing space", "gitdir: ../gd/a.git \n", "gd/a.git ", "gd/a.git", [2]string{}},
		{"two spaces", "gitdir:  ../gd/b.git\n", "wt/ ../gd/b.git", "gd/b.git", [2]string{}},
		{"symlink then ..", "gitdir: link/../c.git\n", "gd/c.git", "wt/c.git", [2]string{"wt/link", "../gd/deep"}},
		{"absolute", "gitdir: BASE/gd/a.git\n", "gd/a.git", "", [2]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			wt := filepath.Join(base, "wt")
			mkdirs(t, wt)
			mkdirs(t, filepath.Join(base, "gd", "deep"))
			for _, d := range []string{c.target, c.decoy} {
				if d != "" {
					runGit(t, "init", "-q", "--bare", filepath.Join(base, d))
				}
			}
			if c.link[0] != "" {
				if err := os.Symlink(c.link[1], filepath.Join(base, c.link[0])); err != nil {
					t.Fatal(err)
				}
			}
			dotgit := filepath.Join(wt, ".git")
			content := strings.ReplaceAll(c.content, "BASE", base)
			if err := os.WriteFile(dotgit, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			gitSees := gitResolves(t, base, "-C", wt, "rev-parse", "--absolute-git-dir")
			if want := filepath.Join(base, c.target); gitSees != want {
				t.Fatalf("git uses %q, the case expects %q", gitSees, want)
			}
			got, err := filepath.EvalSymlinks(gitfileTarget(dotgit))
			if err != nil || got != gitSees {
				t.Errorf("gitfileTarget leads to %q (%v); git uses %q", got, err, gitSees)
			}
		})
	}
	// What git refuses, the sandbox need not follow.
	for _, content := range []string{"gitdir:../gd/a.git\n", "gitdir: \n", "not a gitfile\n", ""} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ".git"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := gitfileTarget(filepath.Join(dir, ".git")); got != "" {
			t.Errorf("%q: gitfileTarget = %q, want none (git refuses it)", content, got)
		}
	}
}

// TestCommondirAsGitReadsIt holds commondirTarget to the common dir git
// itself finds for a worktree (`git rev-parse --git-common-dir`) when its
// "commondir" file reads differently trimmed or cleaned.
func TestCommondirAsGitReadsIt(t *testing.T) {
	for _, c := range []struct {
		name, content string
		link          string // a symlink "lnk" in the worktree's git dir to base/LINK
		want          string // relative to base
	}{
		{"as git writes it", "../..\n", "", "main/.git"},
		{"crlf", "../..\r\n", "", "main/.git"},
		{"symlink then ..", "lnk/../../main/.git\n", "other/deep", "main/.git"},
		{"trailing space", "../.. \n", "", "main/.git/worktrees/.. "},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			main := filepath.Join(base, "main")
			runGit(t, "init", "-q", main)
			runGit(t, "-C", main, "commit", "-q", "--allow-empty", "-m", "x")
			runGit(t, "-C", main, "worktree", "add", "-q", filepath.Join(base, "wt"))
			gitdir := filepath.Join(main, ".git", "worktrees", "wt")
			if c.link != "" {
				mkdirs(t, filepath.Join(base, c.link))
				if err := os.Symlink(filepath.Join(base, c.link), filepath.Join(gitdir, "lnk")); err != nil {
					t.Fatal(err)
				}
			}
			if want := filepath.Join(base, c.want); !strings.HasSuffix(c.want, "main/.git") {
				runGit(t, "init", "-q", "--bare", want)
			}
			if err := os.WriteFile(filepath.Join(gitdir, "commondir"), []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			gitSees := gitResolves(t, base, "-C", filepath.Join(base, "wt"), "rev-parse", "--path-format=absolute", "--git-common-dir")
			if want := filepath.Join(base, c.want); gitSees != want {
				t.Fatalf("git uses %q, the case expects %q", gitSees, want)
			}
			got, err := filepath.EvalSymlinks(commondirTarget(gitdir))
			if err != nil || got != gitSees {
				t.Errorf("commondirTarget leads to %q (%v); git uses %q", got, err, gitSees)
			}
		})
	}
}

// TestCoreWorktreeAsGitReadsIt holds mainWorktree to the working tree git
// finds for a git directory whose core.worktree is relative and passes
// through a symlink before "..": git goes there by chdir, so the link is
// followed first.
func TestCoreWorktreeAsGitReadsIt(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gitdir := filepath.Join(base, "repo.git")
	runGit(t, "init", "-q", "--bare", gitdir)
	mkdirs(t, filepath.Join(base, "far", "deep"))
	mkdirs(t, filepath.Join(base, "far", "tree"))
	mkdirs(t, filepath.Join(base, "tree")) // where a cleaned path lands
	if err := os.Symlink(filepath.Join(base, "far", "deep"), filepath.Join(gitdir, "lnk")); err != nil {
		t.Fatal(err)
	}
	runGit(t, "--git-dir="+gitdir, "config", "core.bare", "false")
	runGit(t, "--git-dir="+gitdir, "config", "core.worktree", "lnk/../tree")
	gitSees := gitResolves(t, base, "--git-dir="+gitdir, "rev-parse", "--show-toplevel")
	if gitSees != filepath.Join(base, "far", "tree") {
		t.Fatalf("git's working tree is %q, the test expects far/tree", gitSees)
	}
	if got := mainWorktree(gitdir); got != gitSees {
		t.Errorf("mainWorktree = %q, git's working tree is %q", got, gitSees)
	}
}

// gitResolves runs git with args (no system or global config, HOME and
// the working directory base) and returns the one path it prints, its
// symlinks resolved: what git itself makes of the files under test.
func gitResolves(t *testing.T, base string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = base
	cmd.Env = []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME=" + base, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %q: %v", args, err)
	}
	p, err := filepath.EvalSymlinks(strings.TrimSuffix(string(out), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
