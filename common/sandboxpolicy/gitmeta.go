package sandboxpolicy

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// What git itself reads besides a repository's own .git, and therefore
// must be as protected: a worktree's common dir (the main repository's
// .git, whose config and hooks git really uses) and each submodule's
// .git file (git status in the superproject runs git in every populated
// submodule, through that file).

// maxSubmodules bounds the submodule scan of one git directory.
const maxSubmodules = 1000

// addGitDirs protects the common dir of gitdir (a worktree's "commondir"
// file) and the .git entries of gitdir's submodules, and theirs.
func (p *Plan) addGitDirs(pn *pinner, gitdir string) {
	if pn.gitdirs[gitdir] {
		return // met already (git directories can point at each other)
	}
	pn.gitdirs[gitdir] = true
	p.addSubmodules(pn, gitdir)
	b, err := os.ReadFile(filepath.Join(gitdir, "commondir"))
	if err != nil {
		return
	}
	common := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	if common == "" {
		return
	}
	if !filepath.IsAbs(common) {
		common = filepath.Join(gitdir, common)
	}
	if real, err := filepath.EvalSymlinks(common); err == nil && !contains(p.Protected, real) {
		if real != filepath.Clean(common) {
			pn.named(common)
		}
		p.protect(real)
		p.addGitDirs(pn, real)
	}
}

// addSubmodules finds the submodule git directories under gitdir/modules
// (a submodule named a/b lives in modules/a/b) and protects the .git
// file of each one's working tree (its core.worktree); through that
// file's gitdir, the submodule's own submodules follow.
func (p *Plan) addSubmodules(pn *pinner, gitdir string) {
	n := 0
	var walk func(dir string, level int)
	walk = func(dir string, level int) {
		entries, err := os.ReadDir(dir)
		if err != nil || level > 8 {
			return
		}
		for _, e := range entries {
			if !e.IsDir() || n >= maxSubmodules {
				continue
			}
			d := filepath.Join(dir, e.Name())
			if _, err := os.Lstat(filepath.Join(d, "HEAD")); err != nil {
				walk(d, level+1) // part of a name with slashes
				continue
			}
			n++
			if wt := configWorktree(filepath.Join(d, "config")); wt != "" {
				if !filepath.IsAbs(wt) {
					wt = filepath.Join(d, wt)
				}
				p.protectDotGitIn(pn, wt)
			}
		}
	}
	walk(filepath.Join(gitdir, "modules"), 0)
}

// protectDotGitIn protects dir/.git (dir as named, symlinks allowed).
func (p *Plan) protectDotGitIn(pn *pinner, dir string) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return
	}
	if real != filepath.Clean(dir) {
		pn.named(dir)
	}
	fi, err := os.Lstat(filepath.Join(real, ".git"))
	if err != nil {
		if p.writable(real) {
			// Not checked out: creating it cannot be stopped.
			p.Unprotectable = appendOnce(p.Unprotectable, filepath.Join(real, ".git"))
		}
		return
	}
	p.protectEntry(pn, real, ".git", fi.Mode().Type())
}

// configWorktree returns core.worktree of a git config file, or "".
func configWorktree(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	core := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			core = strings.EqualFold(strings.TrimSpace(strings.Trim(line, "[]")), "core")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if core && ok && strings.EqualFold(strings.TrimSpace(k), "worktree") {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

// addEnclosingRepo protects the repository the workspace lies in when
// the workspace is not its top: git run anywhere in the workspace finds
// that .git by walking up, so it must be as protected as the
// workspace's own, and a .git created in the workspace would take its
// place (reported, as it cannot be stopped without a host mount point).
func (p *Plan) addEnclosingRepo(pn *pinner, cwd string) {
	if _, err := os.Lstat(filepath.Join(cwd, ".git")); err == nil {
		return // the workspace is a repository's top (already protected)
	}
	for d := filepath.Dir(cwd); ; d = filepath.Dir(d) {
		dotgit := filepath.Join(d, ".git")
		if fi, err := os.Lstat(dotgit); err == nil {
			if p.writable(dotgit) {
				p.protectEntry(pn, d, ".git", fi.Mode().Type())
			}
			p.Unprotectable = appendOnce(p.Unprotectable, filepath.Join(cwd, ".git"))
			return
		}
		if d == "/" {
			return
		}
	}
}

// readGitdir returns the target of a "gitdir: PATH" file, or "".
func readGitdir(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	if sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "gitdir:"); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
