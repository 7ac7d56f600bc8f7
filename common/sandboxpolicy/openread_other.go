//go:build !unix

package sandboxpolicy

import (
	"errors"
	"os"
)

// errNotRegular is what openRegular says of anything but a regular file.
var errNotRegular = errors.New("not a regular file")

// openRegular opens path for reading when it is a regular file.
func openRegular(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	return f, nil
}

// openDir opens a directory for ReadDir.
func openDir(path string) (*os.File, error) { return os.Open(path) }
