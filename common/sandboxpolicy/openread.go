package sandboxpolicy

import (
	"io"
	"os"
	"slices"
	"strings"
)

// readRegular reads at most max bytes of the regular file at path
// (openRegular).
func readRegular(path string, max int64) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return io.ReadAll(io.LimitReader(f, max))
}

// readDirSorted lists at most n entries (n <= 0: all) of the directory
// at path in name order, as os.ReadDir does (openDir).
func readDirSorted(path string, n int) ([]os.DirEntry, error) {
	f, err := openDir(path)
	if err != nil {
		return nil, err
	}
	entries, err := f.ReadDir(n)
	_ = f.Close()
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, err
}
