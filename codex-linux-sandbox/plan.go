package linuxsandbox

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/codexgo/common/protocol"
)

// ProtectedNames returns the entries kept read-only inside every writable
// root, as the Codex CLI does: repository metadata and agent configuration
// that a sandboxed command must not be able to rewrite.
func ProtectedNames() []string { return []string{".git", ".codex", ".agents"} }

// Plan is a sandbox policy resolved against the file system: which
// directories are writable, which paths inside them stay read-only and
// whether the network is open. It is computed the same way on every OS so
// the Linux helper, --explain and the Seatbelt generator agree.
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
	// Protected are existing paths inside writable roots that stay
	// read-only (a .git file's gitdir included).
	Protected []string `json:"read_only_subpaths,omitempty"`
	// Unprotectable are protected names that do not exist yet; keeping
	// them from being created would need a mount point on the host.
	Unprotectable []string `json:"unprotectable_subpaths,omitempty"`
}

// Restricted reports whether the plan restricts anything at all.
func (p *Plan) Restricted() bool { return p.Policy.Mode != protocol.SandboxDangerFullAccess }

// Network reports whether sockets of every family are allowed.
func (p *Plan) Network() bool { return !p.Restricted() || p.Policy.NetworkAccess }

// NewPlan resolves policy against policyCwd. commandCwd defaults to
// policyCwd. getenv supplies TMPDIR. Missing roots are recorded, not fatal.
func NewPlan(policy protocol.SandboxPolicy, policyCwd, commandCwd string, getenv func(string) string) (*Plan, error) {
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
	p := &Plan{Policy: policy, PolicyCwd: filepath.Clean(policyCwd), CommandCwd: filepath.Clean(commandCwd)}
	if policy.Mode != protocol.SandboxWorkspaceWrite {
		return p, nil
	}
	asked := make([]string, 0, 3+len(policy.WritableRoots))
	asked = append(asked, p.PolicyCwd)
	for _, r := range policy.WritableRoots {
		if r == "" {
			continue
		}
		if !filepath.IsAbs(r) {
			r = filepath.Join(p.PolicyCwd, r)
		}
		asked = append(asked, filepath.Clean(r))
	}
	if !policy.ExcludeSlashTmp {
		asked = append(asked, "/tmp")
	}
	if t := getenv("TMPDIR"); t != "" && !policy.ExcludeTmpdirEnvVar && filepath.IsAbs(t) {
		asked = append(asked, filepath.Clean(t))
	}
	// Where each root's protected names are looked up from.
	refs := make(map[string]dirRef, len(asked))
	var own []int // the roots' own descriptors
	rr := newRootResolver()
	defer func() {
		rr.close()
		closeDirs(own)
	}()
	for i, r := range asked {
		next := ""
		if i+1 < len(asked) {
			next = asked[i+1]
		}
		real, ref, ok := rr.resolve(r, next)
		if !ok {
			p.MissingRoots = appendOnce(p.MissingRoots, r)
			continue
		}
		if ref.rel == "" && ref.fd >= 0 {
			own = append(own, ref.fd)
		}
		if _, seen := refs[real]; seen {
			continue
		}
		refs[real] = ref
		p.WritableRoots = append(p.WritableRoots, real)
	}
	sort.Strings(p.WritableRoots)
	names := newNameLookup(ProtectedNames())
	for _, root := range p.WritableRoots {
		p.addProtected(names, root, refs[root])
	}
	return p, nil
}

// resolveDirPortable resolves symlinks path component by component.
func resolveDirPortable(path string) (string, bool) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", false
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return "", false
	}
	return real, true
}

// dirRef is where a root's names are looked up from: a descriptor of the
// root itself (rel ""), or of its parent and the root's name in it; fd
// -1: none, use the path.
type dirRef struct {
	fd  int
	rel string
}

// addProtected records the protected entries of one writable root, found
// relative to in.
func (p *Plan) addProtected(names *nameLookup, root string, in dirRef) {
	for i, name := range names.names {
		mode, err := names.lstat(in, root, i)
		if err != nil {
			if name == ".codex" && root == p.PolicyCwd {
				p.Unprotectable = appendOnce(p.Unprotectable, filepath.Join(root, name))
			}
			continue
		}
		// Joined only for the names that exist: most lookups miss.
		path := filepath.Join(root, name)
		if mode&os.ModeSymlink != 0 {
			// Protect what the link points at; the link itself lives in a
			// writable directory and is reported as such.
			real, err := filepath.EvalSymlinks(path)
			if err != nil {
				continue
			}
			p.Protected = appendOnce(p.Protected, real)
			continue
		}
		p.Protected = appendOnce(p.Protected, path)
		if name == ".git" && mode.IsRegular() {
			if gitdir := readGitdir(path); gitdir != "" {
				if !filepath.IsAbs(gitdir) {
					gitdir = filepath.Join(root, gitdir)
				}
				if real, err := filepath.EvalSymlinks(gitdir); err == nil {
					p.Protected = appendOnce(p.Protected, real)
				}
			}
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

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// splitPath splits a clean absolute path into its parent directory and
// last component; base is "" for "/".
func splitPath(path string) (dir, base string) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 || i == len(path)-1 {
		return "", ""
	}
	if i == 0 {
		return "/", path[1:]
	}
	return path[:i], path[i+1:]
}

// Within reports whether path is dir or below it.
func Within(path, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	// No dir+"/": this runs once per pair of roots and must not allocate.
	return strings.HasPrefix(path, dir) && (len(path) == len(dir) || path[len(dir)] == '/')
}
