//go:build !linux

package linuxsandbox

import (
	"os"
	"path/filepath"
)

// rootResolver resolves writable roots one after another.
type rootResolver struct{}

func newRootResolver() *rootResolver { return &rootResolver{} }

// close has nothing to release off Linux.
func (*rootResolver) close() {}

// resolve is resolveDir(path); next only matters on Linux.
func (*rootResolver) resolve(path, _ string) (string, dirRef, bool) {
	real, ok := resolveDirPortable(path)
	return real, dirRef{fd: -1}, ok
}

// resolveDir returns the symlink-free path of an existing directory (and
// no descriptor: -1).
func resolveDir(path string) (string, int, bool) {
	real, ok := resolveDirPortable(path)
	return real, -1, ok
}

// closeDir has nothing to close off Linux.
func closeDir(int) {}

// closeDirs has nothing to close off Linux.
func closeDirs([]int) {}

// nameLookup looks up names (the protected ones) inside one directory
// after another.
type nameLookup struct{ names []string }

func newNameLookup(names []string) *nameLookup { return &nameLookup{names: names} }

// lstat is os.Lstat of dir/names[i]; it reports the file type bits.
func (l *nameLookup) lstat(_ dirRef, dir string, i int) (os.FileMode, error) {
	fi, err := os.Lstat(filepath.Join(dir, l.names[i]))
	if err != nil {
		return 0, err
	}
	return fi.Mode().Type(), nil
}
