//go:build linux

package linuxsandbox

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// probe is a tiny multi-call tool run inside the sandbox by the tests
// (the test binary re-executed with CODEX_TEST_PROBE=1). It prints "ok"
// or "err: <errno name>" and exits 0 either way, or 3 on misuse.
func probe(args []string, stdout io.Writer) int {
	if len(args) == 0 {
		return 3
	}
	res := func(err error) int {
		if err == nil {
			fmt.Fprintln(stdout, "ok")
			return 0
		}
		if errno, ok := underlyingErrno(err); ok {
			fmt.Fprintln(stdout, "err:", unix.ErrnoName(errno))
			return 0
		}
		fmt.Fprintln(stdout, "err:", err)
		return 0
	}
	a := args[1:]
	switch args[0] {
	case "write":
		return res(os.WriteFile(a[0], []byte("x"), 0o644))
	case "openw":
		f, err := os.OpenFile(a[0], os.O_WRONLY, 0)
		if err == nil {
			_ = f.Close()
		}
		return res(err)
	case "mkdir":
		return res(os.Mkdir(a[0], 0o755))
	case "chmod":
		return res(os.Chmod(a[0], 0o777))
	case "truncate":
		return res(os.Truncate(a[0], 0))
	case "link":
		return res(os.Link(a[0], a[1]))
	case "rename":
		return res(os.Rename(a[0], a[1]))
	case "symlink":
		return res(os.Symlink(a[0], a[1]))
	case "socket":
		domain, _ := strconv.Atoi(a[0])
		typ, _ := strconv.Atoi(a[1])
		fd, err := unix.Socket(domain, typ, 0)
		if err == nil {
			_ = unix.Close(fd)
		}
		return res(err)
	case "socketpair":
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err != nil {
			return res(err)
		}
		if err := unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
			return res(err)
		}
		if _, err := unix.Write(fds[0], []byte("ping")); err != nil {
			return res(err)
		}
		buf := make([]byte, 4)
		if _, _, err := unix.Recvfrom(fds[1], buf, 0); err != nil {
			return res(err)
		}
		if err := unix.Send(fds[1], []byte("pong"), 0); err != nil {
			return res(err)
		}
		return res(nil)
	case "iouring":
		var params [120]byte
		fd, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, 1, uintptr(unsafe.Pointer(&params[0])), 0)
		if e != 0 {
			return res(e)
		}
		_ = unix.Close(int(fd))
		return res(nil)
	case "dial":
		c, err := net.Dial(a[0], a[1])
		if err == nil {
			_ = c.Close()
		}
		return res(err)
	case "listen-tcp":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			_ = l.Close()
		}
		return res(err)
	case "unshare":
		return res(unix.Unshare(unix.CLONE_NEWUSER | unix.CLONE_NEWNS))
	case "mount":
		return res(unix.Mount("none", a[0], "tmpfs", 0, ""))
	case "umount":
		return res(unix.Unmount(a[0], unix.MNT_DETACH))
	case "tiocsti":
		// On fd 0 (not a terminal in tests) the kernel itself would say
		// ENOTTY; only the filter says EPERM.
		c := byte('x')
		_, _, e := unix.Syscall(unix.SYS_IOCTL, 0, unix.TIOCSTI, uintptr(unsafe.Pointer(&c)))
		if e == 0 {
			return res(nil)
		}
		return res(e)
	case "kill":
		pid, _ := strconv.Atoi(a[0])
		return res(unix.Kill(pid, 0))
	case "status":
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return res(err)
		}
		_, _ = stdout.Write(b)
		return 0
	case "env":
		fmt.Fprintln(stdout, os.Getenv(a[0]))
		return 0
	case "pwd":
		wd, err := os.Getwd()
		if err != nil {
			return res(err)
		}
		fmt.Fprintln(stdout, wd)
		return 0
	case "exit":
		n, _ := strconv.Atoi(a[0])
		return n
	}
	return 3
}

func underlyingErrno(err error) (unix.Errno, bool) {
	for err != nil {
		if e, ok := err.(unix.Errno); ok {
			return e, true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return 0, false
		}
		err = u.Unwrap()
	}
	return 0, false
}
