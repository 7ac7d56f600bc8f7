//go:build !linux

package agent

import (
	"errors"
	"os"
)

// openTerminal is not available here: tty sessions run on a pipe.
func openTerminal(rows, cols uint16) (near, far *os.File, err error) {
	return nil, nil, errors.New("terminals for commands are only opened on Linux")
}

// resizeTerminal has no terminal to resize here.
func resizeTerminal(*os.File, uint16, uint16) error {
	return errors.New("terminals for commands are only opened on Linux")
}
