package tui

import (
	"os"

	"golang.org/x/sys/unix"
)

// pendingInput reports whether the terminal has unread input.
func pendingInput(f *os.File) bool {
	n, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCINQ)
	return err == nil && n > 0
}
