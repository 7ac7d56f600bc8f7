//go:build unix

package sandboxpolicy

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenRegular: a regular file (or a symlink to one) is read whole;
// a FIFO, with or without a writer, a directory and a missing path are
// refused at once instead of blocking.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("[core]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f", filepath.Join(dir, "l")); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"f", "l"} {
		b, err := readRegular(filepath.Join(dir, name), 1<<20)
		if err != nil || string(b) != "[core]\n" {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
	for _, name := range []string{"p", ".", "missing"} {
		if f, err := openRegular(filepath.Join(dir, name)); err == nil {
			_ = f.Close()
			t.Errorf("%s: opened", name)
		}
	}
	// A writer that never writes must not make a difference.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	if _, err := readRegular(fifo, 1<<20); !errors.Is(err, errNotRegular) {
		t.Errorf("FIFO with a writer: %v, want %v", err, errNotRegular)
	}
	f, err := openRegular(file)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if b, err := io.ReadAll(f); err != nil || string(b) != "[core]\n" {
		t.Errorf("ReadAll: %q, %v", b, err)
	}
}
