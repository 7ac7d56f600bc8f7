//go:build !linux

package linuxsandbox

// resolveDir returns the symlink-free path of an existing directory.
func resolveDir(path string) (string, bool) { return resolveDirPortable(path) }
