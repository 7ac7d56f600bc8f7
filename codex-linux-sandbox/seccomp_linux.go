package linuxsandbox

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// seccompSummary describes the filter's rules, one line each, for --explain.
// The rules themselves are built in internal/seccompbuild.
func seccompSummary(network, allowUnix bool) []string {
	s := []string{
		"ioctl TIOCSTI, TIOCLINUX: EPERM (no typing into the caller's terminal)",
		"setns, mount, umount2, pivot_root, open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr: EPERM",
		"add_key, request_key, keyctl: EPERM (keyrings are shared with processes outside)",
		"prlimit64 on another process: EPERM",
		"clone and unshare with any CLONE_NEW* flag: EPERM; clone3: ENOSYS (libc falls back to clone)",
		"32-bit (i386) system calls: process killed; x32: ENOSYS",
	}
	if !network {
		s = append(s, "socket, socketpair with a domain other than AF_UNIX: EPERM", "io_uring_setup, io_uring_enter, io_uring_register: EPERM")
		if !allowUnix {
			s = append(s, "connect: EPERM (only unix sockets can exist, and pathname sockets lead out of the sandbox)",
				"sendto with a destination address: EPERM",
				"socket, socketpair of AF_UNIX datagram (SOCK_DGRAM, SOCK_RAW) type: EPERM (sendmsg and sendmmsg carry an address a filter cannot read)")
		}
	}
	return s
}

// loadFilter installs prog on the calling thread only; the thread then
// execs, and the command inherits it.
func loadFilter(prog []unix.SockFilter) error {
	if len(prog) == 0 {
		return fmt.Errorf("load seccomp filter: empty program")
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
	if e != 0 {
		return fmt.Errorf("load seccomp filter: %w", e)
	}
	return nil
}
