package sandboxpolicy

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// pinner collects the paths that must not be renamed away: those a
// sandboxed command could rename, i.e. strictly inside one of the
// outermost writable roots (an outermost root's own parent is not
// writable).
type pinner struct {
	outer   []string
	set     map[string]bool
	links   map[string]bool        // the pins that are symlinks
	gitdirs map[string]bool        // git directories already looked into
	home    string                 // $HOME, for ~/ in git config paths
	user    []string               // the user's global and system git configs (userConfigs)
	configs map[string][]configVar // git config files read so far, by path
}

func newPinner(roots []string, home string, user []string) *pinner {
	return &pinner{outer: Outermost(roots), set: map[string]bool{}, links: map[string]bool{}, gitdirs: map[string]bool{}, home: home, user: user,
		configs: map[string][]configVar{}}
}

// container returns the outermost root path lies strictly inside, or "".
func (pn *pinner) container(path string) string {
	for _, o := range pn.outer {
		if path != o && Within(path, o) {
			return o
		}
	}
	return ""
}

// real pins path (symlink-free) and each of its parents up to the
// outermost root containing it.
func (pn *pinner) real(path string) {
	o := pn.container(path)
	if o == "" {
		return
	}
	for q := path; q != o && !pn.set[q]; q = filepath.Dir(q) {
		pn.set[q] = true
	}
}

// named walks path as the kernel would, component by component, and
// pins every entry on the way that lies inside a writable root: the
// directories and the symlinks themselves, then the way through each
// link's target.
func (pn *pinner) named(path string) {
	cur, rest, links := "/", strings.TrimPrefix(path, "/"), 0
	for rest != "" {
		var c string
		c, rest, _ = strings.Cut(rest, "/")
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		if err != nil {
			return
		}
		if pn.container(next) != "" {
			pn.real(next) // cur is symlink-free: its parents are real
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			cur = next
			continue
		}
		pn.links[next] = true
		if links++; links > 40 {
			return
		}
		target, err := os.Readlink(next)
		if err != nil {
			return
		}
		if filepath.IsAbs(target) {
			cur = "/"
		}
		if rest != "" {
			target += "/" + rest
		}
		rest = strings.TrimPrefix(target, "/")
	}
}

// linkList returns the pins of pinned that are symlinks, sorted.
func (pn *pinner) linkList(pinned []string) []string {
	var out []string
	for _, q := range pinned {
		if pn.links[q] {
			out = append(out, q)
		}
	}
	return out
}

// list returns the pins, parents first, without the protected paths
// (those get a read-only mount of their own).
func (pn *pinner) list(protected []string) []string {
	var out []string
next:
	for q := range pn.set {
		for _, x := range protected {
			// Inside a read-only mount nothing can be renamed anyway.
			if Within(q, x) {
				continue next
			}
		}
		out = append(out, q)
	}
	sort.Strings(out) // a parent sorts before its children
	return out
}

// Outermost returns the roots that are not inside another root, sorted.
// Sorted with '/' before every other byte, a root's descendants directly
// follow it, so each root is only compared with the last outermost one.
func Outermost(roots []string) []string {
	sorted := append([]string(nil), roots...)
	slices.SortFunc(sorted, compareSlashFirst)
	out := sorted[:0]
	for _, r := range sorted {
		if len(out) > 0 && Within(r, out[len(out)-1]) {
			continue
		}
		out = append(out, r)
	}
	if !sort.StringsAreSorted(out) {
		sort.Strings(out)
	}
	return out
}

// compareSlashFirst orders paths byte by byte with '/' lowest.
func compareSlashFirst(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x == '/' {
			return -1
		}
		if y == '/' {
			return 1
		}
		if x < y {
			return -1
		}
		return 1
	}
	return len(a) - len(b)
}

// linkWithin reports whether walking path meets a symlink that lies
// inside one of roots (symlink-free paths).
func linkWithin(path string, roots []string) bool {
	cur, rest, links := "/", strings.TrimPrefix(path, "/"), 0
	for rest != "" {
		var c string
		c, rest, _ = strings.Cut(rest, "/")
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		if err != nil {
			return false
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			cur = next
			continue
		}
		for _, r := range roots {
			if Within(next, r) {
				return true
			}
		}
		if links++; links > 40 {
			return true
		}
		target, err := os.Readlink(next)
		if err != nil {
			return true
		}
		if filepath.IsAbs(target) {
			cur = "/"
		}
		if rest != "" {
			target += "/" + rest
		}
		rest = strings.TrimPrefix(target, "/")
	}
	return false
}

// config is readGitConfig(path), read once per plan: the user's own
// configs apply to every repository the plan looks into.
func (pn *pinner) config(path string) []configVar {
	if vs, ok := pn.configs[path]; ok {
		return vs
	}
	vs := readGitConfig(path)
	pn.configs[path] = vs
	return vs
}
