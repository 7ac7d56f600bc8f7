//go:build !linux

package runner

import (
	"errors"
	"os"
)

// OpenTerminal is not available here: tty sessions run on a pipe.
func OpenTerminal(rows, cols uint16) (near, far *os.File, err error) {
	return nil, nil, errors.New("terminals for commands are only opened on Linux")
}

// ResizeTerminal has no terminal to resize here.
func ResizeTerminal(*os.File, uint16, uint16) error {
	return errors.New("terminals for commands are only opened on Linux")
}
