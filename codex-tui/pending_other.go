//go:build !linux

package tui

import (
	"os"

	"golang.org/x/sys/unix"
)

// fionread is FIONREAD of macOS and the BSDs (_IOR('f', 127, int)), which
// x/sys does not name there.
const fionread = 0x4004667f

// pendingInput reports whether the terminal has unread input.
func pendingInput(f *os.File) bool {
	n, err := unix.IoctlGetInt(int(f.Fd()), fionread)
	return err == nil && n > 0
}
