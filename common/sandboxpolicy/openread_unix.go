//go:build unix

package sandboxpolicy

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// errNotRegular is what openRegular says of anything but a regular file.
var errNotRegular = errors.New("not a regular file")

// regularFile reads a file through its descriptor alone: no *os.File,
// whose first open of a regular file sets up the runtime's poller
// (epoll and eventfd descriptors, a failed registration), which every
// plan of the helper would pay in a fresh process.
type regularFile struct{ fd int }

// openRegular opens path (following symlinks, as os.Open does) for
// reading when it is a regular file. Anything else is refused without
// blocking: a FIFO planted where a repository's config, index or gitdir
// file is read (a sandboxed command can make one in the workspace) would
// otherwise hang every later plan of that workspace in open or read.
func openRegular(path string) (*regularFile, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		_ = syscall.Close(fd)
		return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	return &regularFile{fd: fd}, nil
}

// Read reads from the file (io.Reader).
func (f *regularFile) Read(b []byte) (int, error) {
	for {
		n, err := syscall.Read(f.fd, b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Close releases the descriptor.
func (f *regularFile) Close() error { return syscall.Close(f.fd) }

// openDir opens a directory (following symlinks, as os.Open does) for
// ReadDir. A blocking descriptor wrapped by os.NewFile is not put in the
// runtime's poller.
func openDir(path string) (*os.File, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}
