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
func (*rootResolver) resolve(path, _ string) (string, int, bool) { return resolveDir(path) }

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

// lstatIn is os.Lstat of dir/name; it reports the file type bits.
func lstatIn(_ int, dir, name string) (os.FileMode, error) {
	fi, err := os.Lstat(filepath.Join(dir, name))
	if err != nil {
		return 0, err
	}
	return fi.Mode().Type(), nil
}
