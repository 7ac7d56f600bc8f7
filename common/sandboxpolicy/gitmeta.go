package sandboxpolicy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// What git itself reads besides a repository's own .git, and therefore
// must be as protected: a worktree's common dir (the main repository's
// .git, whose config and hooks git really uses) and each submodule's
// .git file (git status in the superproject runs git in every populated
// submodule, through that file).

// maxSubmodules bounds the submodule scan of one git directory.
const maxSubmodules = 1000

// addGitDirs protects what git reads besides gitdir itself: the files
// and directories its config names (see gitconfig.go), the .git of every
// gitlink in its index (submodules and embedded repositories, see
// gitindex.go) and of every submodule under its modules directory, and
// the common dir of a worktree ("commondir"), each in turn. worktree is
// the working tree gitdir belongs to ("" for a bare repository).
func (p *Plan) addGitDirs(pn *pinner, gitdir, worktree string) {
	if pn.gitdirs[gitdir] {
		return // met already (git directories can point at each other)
	}
	pn.gitdirs[gitdir] = true
	hashLen := 20
	for _, name := range []string{"config", "config.worktree"} {
		if p.addConfigPaths(pn, filepath.Join(gitdir, name), gitdir, worktree, 0) {
			hashLen = 32
		}
	}
	// The user's own configs apply to every repository, and what they
	// name relatively (core.hooksPath = .githooks, set globally by some
	// teams) is this repository's: protected as if its own config said it.
	// The object format is a repository's alone.
	for _, cfg := range pn.user {
		p.addConfigPaths(pn, cfg, gitdir, worktree, 0)
	}
	if worktree != "" {
		indexGitlinks(gitdir, hashLen, func(name string) {
			p.protectDotGitIn(pn, filepath.Join(worktree, name))
		})
	}
	p.addSubmodules(pn, gitdir)
	common := commondirTarget(gitdir)
	if common == "" {
		return
	}
	if real, err := filepath.EvalSymlinks(common); err == nil && !contains(p.Protected, real) {
		if real != filepath.Clean(common) {
			pn.named(common)
		}
		p.protect(real)
		// The common dir's config applies to this worktree too: its
		// relative hooks path is relative to this working tree.
		p.addConfigPaths(pn, filepath.Join(real, "config"), real, worktree, 0)
		p.addGitDirs(pn, real, mainWorktree(real))
	}
}

// mainWorktree is the working tree of the repository whose git
// directory is gitdir: core.worktree, or the parent of a directory named
// .git, or "" (bare).
func mainWorktree(gitdir string) string {
	if wt := configWorktree(filepath.Join(gitdir, "config")); wt != "" {
		if !filepath.IsAbs(wt) {
			// From the git directory as git's chdir goes there: through
			// symlinks before "..", not cleaned first.
			wt = gitdir + string(filepath.Separator) + wt
		}
		if real, err := filepath.EvalSymlinks(wt); err == nil {
			return real
		}
		return filepath.Clean(wt)
	}
	if filepath.Base(gitdir) == ".git" {
		return filepath.Dir(gitdir)
	}
	return ""
}

// userConfigs lists the git config files besides a repository's own that
// git reads for every repository: the system's ($GIT_CONFIG_SYSTEM,
// /etc/gitconfig) and the user's ($GIT_CONFIG_GLOBAL,
// $XDG_CONFIG_HOME/git/config or ~/.config/git/config, ~/.gitconfig).
// All of them, whatever GIT_CONFIG_NOSYSTEM or GIT_CONFIG_GLOBAL say:
// the git the user runs next need not share the command's environment,
// and a path protected in vain costs nothing.
func userConfigs(getenv func(string) string) []string {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	out := []string{"/etc/gitconfig"}
	add := func(p string) {
		if filepath.IsAbs(p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(getenv("GIT_CONFIG_SYSTEM"))
	add(getenv("GIT_CONFIG_GLOBAL"))
	home := getenv("HOME")
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		add(filepath.Join(x, "git", "config"))
	} else if home != "" {
		add(filepath.Join(home, ".config", "git", "config"))
	}
	if home != "" {
		add(filepath.Join(home, ".gitconfig"))
	}
	return out
}

// addConfigPaths protects what the git config file at path names inside
// the writable roots: included files (read in turn), the hooks
// directory, and programs named by a path. gitdir and worktree are the
// repository's. It reports whether the config declares SHA-256 objects.
func (p *Plan) addConfigPaths(pn *pinner, path, gitdir, worktree string, depth int) bool {
	sha256 := false
	for _, v := range pn.config(path) {
		section, sub, key := v.split()
		if section == "extensions" && key == "objectformat" {
			sha256 = strings.EqualFold(v.value, "sha256")
			continue
		}
		// Each reading of the value (see configVar), as the user's git
		// may be either.
		for _, value := range v.readings() {
			switch {
			case key == "path" && (section == "include" && sub == "" || section == "includeif"):
				// Included whatever the condition: the condition may hold
				// for the next git the user runs.
				inc := expandConfigPath(value, configDir(path), pn.home)
				if inc == "" {
					continue
				}
				p.protectPath(pn, inc)
				if depth < maxIncludeDepth {
					sha256 = p.addConfigPaths(pn, inc, gitdir, worktree, depth+1) || sha256
				}
			case section == "core" && sub == "" && key == "hookspath":
				base := worktree
				if base == "" {
					base = gitdir
				}
				p.protectPath(pn, expandConfigPath(value, base, pn.home))
			case commandKey(section, sub, key, value):
				for _, c := range commandPaths(value) {
					if worktree != "" {
						p.protectPath(pn, expandConfigPath(c, worktree, pn.home))
					}
				}
			}
		}
	}
	return sha256
}

// protectPath protects path, a file or directory a git config names,
// when it lies in a writable root: its real path read-only, the way to
// it (links included) pinned. A missing one inside a writable root is
// reported: whatever is created there would be used.
func (p *Plan) protectPath(pn *pinner, path string) {
	if path == "" {
		return
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if p.writable(path) {
			p.Unprotectable = appendOnce(p.Unprotectable, path)
		}
		return
	}
	if real != path {
		pn.named(path)
	}
	if p.writable(real) {
		p.protect(real)
	}
}

// addNestedRepos protects the repositories directly inside root (a
// workspace holding several repositories, or a clone inside one): the
// user's next git in one of them reads its .git. Deeper ones are not
// looked for (that would mean walking the whole tree on every start).
func (p *Plan) addNestedRepos(pn *pinner, root string) {
	// In name order, so that a plan does not depend on directory order.
	entries, _ := readDirSorted(root, maxNestedEntries)
	for _, e := range entries {
		if !e.IsDir() || IsProtectedName(e.Name()) {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if fi, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			p.protectEntry(pn, dir, ".git", fi.Mode().Type())
		}
	}
}

// maxNestedEntries bounds the entries of one root looked at for nested
// repositories.
const maxNestedEntries = 4096

// addSubmodules finds the submodule git directories under gitdir/modules
// (a submodule named a/b lives in modules/a/b) and protects the .git
// file of each one's working tree (its core.worktree); through that
// file's gitdir, the submodule's own submodules follow.
func (p *Plan) addSubmodules(pn *pinner, gitdir string) {
	n := 0
	var walk func(dir string, level int)
	walk = func(dir string, level int) {
		entries, err := readDirSorted(dir, 0)
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
		if p.writable(dir) {
			// Not even its directory exists: whoever makes both is run.
			p.Unprotectable = appendOnce(p.Unprotectable, filepath.Join(dir, ".git"))
		}
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

// configWorktree returns core.worktree of a git config file as git
// reads it (the last one, cut, unquoted and unescaped as any value), ""
// if none. Of its two readings (see configVar) the one of current git:
// a core.worktree holding a tab is not worth a second plan.
func configWorktree(path string) string {
	wt := ""
	for _, v := range readGitConfig(path) {
		// Exactly this name: git's setup compares it whole, so
		// [core ""] worktree is not it.
		if v.name == "core.worktree" {
			wt = v.value
		}
	}
	return wt
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

// maxGitfileSize is the largest .git file git reads (read_gitfile_gently).
const maxGitfileSize = 1 << 20

// gitfileTarget returns the git directory a "gitdir:" file at dotgit
// names, "" where git would refuse the file.
func gitfileTarget(dotgit string) string {
	b, err := readRegular(dotgit, maxGitfileSize+1)
	if err != nil || len(b) > maxGitfileSize {
		return ""
	}
	rest, ok := bytes.CutPrefix(b, []byte("gitdir: "))
	if !ok {
		return ""
	}
	return gitPath(rest, filepath.Dir(dotgit))
}

// commondirTarget returns the common dir a worktree's git directory
// names in its "commondir" file, "" if none.
func commondirTarget(gitdir string) string {
	b, err := readRegular(filepath.Join(gitdir, "commondir"), maxGitfileSize+1)
	if err != nil || len(b) > maxGitfileSize {
		return ""
	}
	return gitPath(b, gitdir)
}

// gitPath is a path as git reads it from a file of its own (a "gitdir:"
// file after its prefix, as read_gitfile_gently reads it; "commondir",
// as get_common_dir_noenv does): trailing line ends dropped (and nothing
// else: spaces are part of the path), then up to a NUL; a relative one is
// taken from dir as the kernel resolves it, not cleaned first ("link/../x"
// goes where link points, then up, as git's open and real_path do). A
// reader that trimmed spaces, stopped at the first line or cleaned the
// path would protect some other directory than the one git uses. "" for
// an empty path.
func gitPath(b []byte, dir string) string {
	b = bytes.TrimRight(b, "\r\n")
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	switch p := string(b); {
	case p == "":
		return ""
	case filepath.IsAbs(p):
		return p
	default:
		return dir + string(filepath.Separator) + p
	}
}
