package linuxsandbox

import (
	"io/fs"
	"strings"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
)

// Plan is a sandbox policy resolved against the file system (see
// sandboxpolicy.Plan, which decides it for every OS).
type Plan = sandboxpolicy.Plan

// ProtectedNames returns the entries kept read-only inside every writable
// root (sandboxpolicy.ProtectedNames).
func ProtectedNames() []string { return sandboxpolicy.ProtectedNames() }

// NewPlan resolves policy against policyCwd with this OS's fast lookups.
// commandCwd defaults to policyCwd. getenv supplies TMPDIR. Missing roots
// are recorded, not fatal.
func NewPlan(policy protocol.SandboxPolicy, policyCwd, commandCwd string, getenv func(string) string) (*Plan, error) {
	return sandboxpolicy.NewPlanWith(newFastResolver(), policy, policyCwd, commandCwd, getenv)
}

// fastResolver is the sandboxpolicy.Resolver of the helper: roots are
// resolved with rootResolver and their protected names looked up
// relative to the descriptors it opened.
type fastResolver struct {
	rr    *rootResolver
	names *nameLookup
	refs  map[string]dirRef
	own   []int // the roots' own descriptors
}

func newFastResolver() *fastResolver {
	return &fastResolver{rr: newRootResolver(), names: newNameLookup(ProtectedNames()), refs: map[string]dirRef{}}
}

// Root resolves path; the first reference to a real path is kept for Name.
func (f *fastResolver) Root(path, next string) (string, bool) {
	real, ref, ok := f.rr.resolve(path, next)
	if !ok {
		return "", false
	}
	if ref.rel == "" && ref.fd >= 0 {
		f.own = append(f.own, ref.fd)
	}
	if _, seen := f.refs[real]; !seen {
		f.refs[real] = ref
	}
	return real, true
}

// Name looks root/ProtectedNames()[i] up relative to root's reference.
func (f *fastResolver) Name(root string, i int) (fs.FileMode, error) {
	ref, ok := f.refs[root]
	if !ok {
		ref = dirRef{fd: -1}
	}
	return f.names.lstat(ref, root, i)
}

// Close releases the descriptors.
func (f *fastResolver) Close() {
	f.rr.close()
	closeDirs(f.own)
}

// resolveDirPortable resolves symlinks path component by component.
func resolveDirPortable(path string) (string, bool) { return sandboxpolicy.ResolveDir(path) }

// dirRef is where a root's names are looked up from: a descriptor of the
// root itself (rel ""), or of its parent and the root's name in it; fd
// -1: none, use the path.
type dirRef struct {
	fd  int
	rel string
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
func Within(path, dir string) bool { return sandboxpolicy.Within(path, dir) }

// outermost returns the roots that are not inside another root, sorted.
func outermost(roots []string) []string { return sandboxpolicy.Outermost(roots) }
