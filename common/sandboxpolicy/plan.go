package sandboxpolicy

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/codexgo/common/protocol"
)

// Plan is a sandbox policy resolved against the file system: which
// directories are writable, which paths inside them stay read-only,
// which must not be renamed away, and whether the network is open.
type Plan struct {
	Policy protocol.SandboxPolicy `json:"policy"`
	// PolicyCwd is the directory relative writable roots resolve against
	// and, under workspace-write, the first writable root.
	PolicyCwd string `json:"policy_cwd"`
	// CommandCwd is where the command starts.
	CommandCwd string `json:"command_cwd"`
	// WritableRoots are absolute, symlink-free, existing directories.
	WritableRoots []string `json:"writable_roots,omitempty"`
	// MissingRoots were asked for but do not exist; they are ignored.
	MissingRoots []string `json:"missing_roots,omitempty"`
	// RefusedRoots were asked for but are reached through a symlink that
	// lies inside another writable root and points outside them all: a
	// sandboxed command could have planted it, so it is not followed.
	RefusedRoots []string `json:"refused_roots,omitempty"`
	// Protected are existing, symlink-free paths inside writable roots
	// that stay read-only: the protected names, what a symlinked one
	// points at, a .git file's gitdir, a worktree's common dir, the .git
	// of submodules, gitlinks and repositories directly inside the
	// workspace, and what a repository's config names (gitmeta.go).
	Protected []string `json:"read_only_subpaths,omitempty"`
	// Pinned are paths inside writable roots (never a root that is not
	// inside another) that must keep their place: every directory on the
	// way from a writable root to a protected path or to the workspace,
	// and the symlinks met on the way (a symlinked .git, a root named
	// through a link). Renaming one away and planting a copy would hand
	// the user's next host-side git a config of the command's choosing.
	// Sorted, parents first.
	Pinned []string `json:"pinned_paths,omitempty"`
	// PinnedLinks are the pinned paths that are symlinks (the others are
	// directories): a pin found to be of the other kind when it is
	// mounted fails the set-up.
	PinnedLinks []string `json:"pinned_links,omitempty"`
	// Unprotectable are protected names that do not exist yet; keeping
	// them from being created would need a mount point on the host.
	Unprotectable []string `json:"unprotectable_subpaths,omitempty"`
}

// Restricted reports whether the plan restricts anything at all.
func (p *Plan) Restricted() bool { return p.Policy.Mode != protocol.SandboxDangerFullAccess }

// Network reports whether sockets of every family are allowed.
func (p *Plan) Network() bool { return !p.Restricted() || p.Policy.NetworkAccess }

// Resolver looks the roots and their protected names up in the file
// system. Portable is the plain os-package one; the Linux helper brings
// a faster one (shared parent descriptors, no allocation per lookup).
type Resolver interface {
	// Root returns the symlink-free path of an existing directory; path
	// is absolute and clean, next is the root asked after it ("" if none).
	Root(path, next string) (real string, ok bool)
	// Name is the file type of root/ProtectedNames()[i] (not followed),
	// root being a path Root returned.
	Name(root string, i int) (fs.FileMode, error)
	// Close releases what the lookups held.
	Close()
}

// Portable resolves with the os package on any OS.
type Portable struct{}

// Root resolves symlinks component by component.
func (Portable) Root(path, _ string) (string, bool) { return ResolveDir(path) }

// Name is os.Lstat's file type.
func (Portable) Name(root string, i int) (fs.FileMode, error) {
	fi, err := os.Lstat(filepath.Join(root, ProtectedNames()[i]))
	if err != nil {
		return 0, err
	}
	return fi.Mode().Type(), nil
}

// Close has nothing to release.
func (Portable) Close() {}

// ResolveDir returns the symlink-free path of an existing directory.
func ResolveDir(path string) (string, bool) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", false
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return "", false
	}
	return real, true
}

// NewPlan resolves policy against policyCwd with the portable resolver.
func NewPlan(policy protocol.SandboxPolicy, policyCwd, commandCwd string, getenv func(string) string) (*Plan, error) {
	return NewPlanWith(Portable{}, policy, policyCwd, commandCwd, getenv)
}

// NewUnresolvedPlan checks policy and makes the working directories
// absolute exactly as NewPlanWith does, without looking at the file
// system: the Plan has Policy, PolicyCwd and CommandCwd only. It is for a
// process that hands the policy on to the one that enforces it and
// resolves it itself (codex-sandbox on Linux starts its helper with the
// policy, not the plan), so that the roots are not resolved, nor the
// repositories' index and config read, twice per command.
func NewUnresolvedPlan(policy protocol.SandboxPolicy, policyCwd, commandCwd string) (*Plan, error) {
	if _, err := protocol.ParseSandboxMode(string(policy.Mode)); err != nil {
		return nil, err
	}
	if policyCwd == "" {
		return nil, fmt.Errorf("policy cwd is empty")
	}
	if !filepath.IsAbs(policyCwd) {
		abs, err := filepath.Abs(policyCwd)
		if err != nil {
			return nil, fmt.Errorf("resolve policy cwd: %w", err)
		}
		policyCwd = abs
	}
	if commandCwd == "" {
		commandCwd = policyCwd
	} else if !filepath.IsAbs(commandCwd) {
		commandCwd = filepath.Join(policyCwd, commandCwd)
	}
	return &Plan{Policy: policy, PolicyCwd: filepath.Clean(policyCwd), CommandCwd: filepath.Clean(commandCwd)}, nil
}

// NewPlanWith resolves policy against policyCwd (made absolute) with r.
// commandCwd defaults to policyCwd; getenv supplies TMPDIR. Missing roots
// are recorded, not fatal.
func NewPlanWith(r Resolver, policy protocol.SandboxPolicy, policyCwd, commandCwd string, getenv func(string) string) (*Plan, error) {
	p, err := NewUnresolvedPlan(policy, policyCwd, commandCwd)
	if err != nil {
		return nil, err
	}
	asked := AskedRoots(policy, p.PolicyCwd, getenv)
	if len(asked) == 0 {
		return p, nil
	}
	defer r.Close()
	// named: roots whose asked path differs from the real one (a symlink
	// on the way), walked again for pins.
	type root struct{ asked, real string }
	var plain, viaLink []root
	cwdReal := ""
	for i, a := range asked {
		next := ""
		if i+1 < len(asked) {
			next = asked[i+1]
		}
		real, ok := r.Root(a, next)
		if !ok {
			p.MissingRoots = appendOnce(p.MissingRoots, a)
			continue
		}
		if i == 0 {
			cwdReal = real
		}
		if real == a {
			plain = append(plain, root{a, real})
		} else {
			viaLink = append(viaLink, root{a, real})
		}
	}
	// A root named through a symlink that lies inside another writable
	// root may have been planted by an earlier sandboxed command (replace
	// a nested root or $TMPDIR with a link to $HOME, and the next run
	// would make $HOME writable). Such a root, the workspace included, is
	// kept only when what it points at is writable anyway.
	trusted := make([]string, 0, len(plain)+len(viaLink))
	for _, x := range plain {
		trusted = append(trusted, x.real)
	}
	var suspect []root
	for _, x := range viaLink {
		if linkWithin(x.asked, trusted) {
			suspect = append(suspect, x)
			continue
		}
		plain = append(plain, x)
	}
	for _, x := range plain[len(trusted):] {
		trusted = append(trusted, x.real)
	}
	for _, x := range suspect {
		in := false
		for _, t := range trusted {
			in = in || Within(x.real, t)
		}
		if !in {
			p.RefusedRoots = append(p.RefusedRoots, x.asked)
			if x.real == cwdReal {
				cwdReal = "" // not a root: nothing of it to pin
			}
			continue
		}
		plain = append(plain, x)
	}
	var named []string
	seen := make(map[string]bool, len(plain))
	for _, x := range plain {
		if x.real != x.asked {
			named = append(named, x.asked)
		}
		if seen[x.real] {
			continue
		}
		seen[x.real] = true
		p.WritableRoots = append(p.WritableRoots, x.real)
	}
	sort.Strings(p.WritableRoots)
	if len(p.WritableRoots) > 0 && p.WritableRoots[0] == "/" {
		// Everything is writable (~/.gitconfig included): keeping .git
		// read-only would protect nothing. As the Codex CLI's
		// unrestricted file system, nothing is protected.
		return p, nil
	}
	home := ""
	if getenv != nil {
		home = getenv("HOME")
	}
	pn := newPinner(p.WritableRoots, home, userConfigs(getenv))
	for _, root := range p.WritableRoots {
		p.addProtected(r, pn, root)
		if root == cwdReal {
			// Only the workspace is looked into for repositories of its
			// own (one directory read): doing so for every --add-dir
			// would cost each of many roots as much.
			p.addNestedRepos(pn, root)
		}
	}
	for _, x := range policy.ReadOnlySubpaths {
		if x == "" {
			continue
		}
		if !filepath.IsAbs(x) {
			x = filepath.Join(p.PolicyCwd, x)
		}
		x = filepath.Clean(x)
		if p.protectNamed(pn, x, "") == "" && p.writable(x) {
			p.Unprotectable = appendOnce(p.Unprotectable, x)
		}
	}
	// The workspace keeps its place too, and so does each symlink a
	// root was named through.
	if cwdReal != "" {
		pn.real(cwdReal)
	}
	for _, a := range named {
		pn.named(a)
	}
	if cwdReal != "" {
		p.addEnclosingRepo(pn, cwdReal)
	}
	for _, x := range p.Protected {
		// A protected path is a read-only mount of its own; its parents
		// are what could be renamed.
		pn.real(filepath.Dir(x))
	}
	p.Pinned = pn.list(p.Protected)
	p.PinnedLinks = pn.linkList(p.Pinned)
	return p, nil
}

// protect records path as protected unless a protected path holds it
// already (a read-only mount covers what is beneath it).
func (p *Plan) protect(path string) {
	for _, x := range p.Protected {
		if Within(path, x) {
			return
		}
	}
	p.Protected = append(p.Protected, path)
}

// writable reports whether path lies in a writable root (lexically).
func (p *Plan) writable(path string) bool {
	for _, r := range p.WritableRoots {
		if Within(path, r) {
			return true
		}
	}
	return false
}

// addProtected records the protected entries of one writable root.
func (p *Plan) addProtected(r Resolver, pn *pinner, root string) {
	for i, name := range ProtectedNames() {
		mode, err := r.Name(root, i)
		if err != nil {
			if name == ".codex" && root == p.PolicyCwd {
				p.Unprotectable = appendOnce(p.Unprotectable, filepath.Join(root, name))
			}
			continue
		}
		p.protectEntry(pn, root, name, mode)
	}
}

// protectEntry protects dir/name, an existing entry of type mode (dir
// symlink-free), and for a .git what git reads through it.
func (p *Plan) protectEntry(pn *pinner, dir, name string, mode fs.FileMode) {
	// Joined only for the names that exist: most lookups miss.
	path := filepath.Join(dir, name)
	if mode&fs.ModeSymlink != 0 {
		// The link itself lives in a writable directory: it is pinned
		// (a mount point cannot be removed or replaced), and what it
		// points at is protected.
		pn.named(path)
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return
		}
		p.protect(real)
		if name == ".git" {
			p.addGitDirs(pn, real, dir)
		}
		return
	}
	p.protect(path)
	if name != ".git" {
		return
	}
	if mode.IsRegular() {
		if gitdir := gitfileTarget(path); gitdir != "" {
			p.protectNamed(pn, gitdir, dir)
		}
	} else if mode.IsDir() {
		p.addGitDirs(pn, path, dir)
	}
}

// protectNamed protects the real path of named, pinning the way to it,
// and what git reads through it when it is a git directory of worktree.
// It returns the real path, "" if named does not exist.
func (p *Plan) protectNamed(pn *pinner, named, worktree string) string {
	real, err := filepath.EvalSymlinks(named)
	if err != nil {
		return ""
	}
	if real != filepath.Clean(named) {
		pn.named(named)
	}
	p.protect(real)
	p.addGitDirs(pn, real, worktree)
	return real
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func appendOnce(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

// CanWrite reports whether the plan lets a command write path (absolute;
// symlinks in its existing part resolved as the kernel would): inside a
// writable root, not inside a protected path, and not under a protected
// name directly inside any root that contains it, whether that name
// exists yet or not. The agent asks it before applying a patch without
// approval, so a patch never writes where the sandbox would not.
func (p *Plan) CanWrite(path string) bool {
	switch {
	case !p.Restricted():
		return true
	case p.Policy.Mode != protocol.SandboxWorkspaceWrite || !filepath.IsAbs(path):
		return false
	}
	real := resolveExisting(filepath.Clean(path))
	if real == "" {
		return false
	}
	in := false
	for _, r := range p.WritableRoots {
		if !Within(real, r) {
			continue
		}
		if r == "/" {
			return true // nothing is protected then
		}
		in = true
		rest := strings.TrimPrefix(strings.TrimPrefix(real, r), "/")
		if first, _, _ := strings.Cut(rest, "/"); IsProtectedName(first) {
			return false
		}
	}
	if !in {
		return false
	}
	for _, x := range p.Protected {
		if Within(real, x) {
			return false
		}
	}
	return true
}

// resolveExisting resolves the symlinks of the longest existing prefix
// of path and appends the rest; "" when an existing entry on the way
// does not resolve.
func resolveExisting(path string) string {
	rest := ""
	for cur := path; ; cur = filepath.Dir(cur) {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest)
		} else if _, lerr := os.Lstat(cur); lerr == nil {
			// It exists but does not resolve (a dangling or looping
			// link): where a write would land is unknown.
			return ""
		}
		if cur == "/" || cur == "." {
			return path
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}
