//go:build linux

package runner

import (
	"fmt"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// OpenTerminal opens a pseudo-terminal of rows×cols: near (the master)
// for the caller to read the command's output from and write its input
// to, far (the slave) to hand down as the command's stdin, stdout and
// stderr.
func OpenTerminal(rows, cols uint16) (near, far *os.File, err error) {
	near, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open terminal: %w", err)
	}
	n, err := control(near, func(fd int) (int, error) {
		if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
			return 0, err
		}
		return unix.IoctlGetInt(fd, unix.TIOCGPTN)
	})
	if err == nil {
		far, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	}
	if err == nil {
		_, err = control(far, func(fd int) (int, error) {
			return 0, unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
		})
	}
	if err != nil {
		_ = near.Close()
		if far != nil {
			_ = far.Close()
		}
		return nil, nil, fmt.Errorf("open terminal: %w", err)
	}
	return near, far, nil
}

// control runs f on f's descriptor without taking it out of the
// runtime's poller (as Fd would).
func control(file *os.File, f func(fd int) (int, error)) (int, error) {
	rc, err := file.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var ferr error
	if err := rc.Control(func(fd uintptr) { n, ferr = f(int(fd)) }); err != nil {
		return 0, err
	}
	return n, ferr
}

// ResizeTerminal sets a terminal's size through its near end; the
// command's foreground process group gets SIGWINCH.
func ResizeTerminal(near *os.File, rows, cols uint16) error {
	_, err := control(near, func(fd int) (int, error) {
		return 0, unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	})
	return err
}
