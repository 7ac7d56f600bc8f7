package linuxsandbox

import (
	"fmt"
	"syscall"
	"unsafe"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// errnoAction makes a seccomp action that fails the call with errno.
func errnoAction(errno syscall.Errno) seccomp.Action {
	return seccomp.Action(unix.SECCOMP_RET_ERRNO | uint32(errno))
}

// nsFlags are the clone flags that would create new namespaces.
var nsFlags = []uint64{unix.CLONE_NEWUSER, unix.CLONE_NEWNS, unix.CLONE_NEWNET, unix.CLONE_NEWPID,
	unix.CLONE_NEWIPC, unix.CLONE_NEWUTS, unix.CLONE_NEWCGROUP}

// seccompPolicy builds the syscall filter for a restricted plan and a
// one-line summary of each rule for --explain. The filter allows by default
// and refuses only what escapes the sandbox: new namespaces and mounts
// always; sockets other than AF_UNIX, io_uring and (unless allowed)
// connecting or addressing unix sockets when the network is off. Sending
// and receiving on already connected sockets and setsockopt stay allowed,
// so asyncio, node and browsers keep working.
func seccompPolicy(network, allowUnix bool) (seccomp.Policy, []string) {
	eperm := errnoAction(unix.EPERM)
	var clone []seccomp.NameWithConditions
	for _, f := range nsFlags {
		clone = append(clone, seccomp.NameWithConditions{Name: "clone",
			Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.BitsSet, Value: f}}})
	}
	groups := []seccomp.SyscallGroup{
		{
			Names: []string{"unshare", "setns", "mount", "umount2", "pivot_root", "open_tree", "move_mount",
				"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr"},
			NamesWithCondtions: clone,
			Action:             eperm,
		},
		// clone3 passes its flags in memory a filter cannot read; ENOSYS
		// makes libc fall back to clone, whose flags are checked above.
		{Names: []string{"clone3"}, Action: errnoAction(unix.ENOSYS)},
	}
	summary := []string{
		"ioctl TIOCSTI, TIOCLINUX: EPERM (no typing into the caller's terminal)",
		"unshare, setns, mount, umount2, pivot_root, open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr: EPERM",
		"clone with any CLONE_NEW* flag: EPERM; clone3: ENOSYS (libc falls back to clone)",
		"32-bit (i386) system calls: process killed; x32: ENOSYS",
	}
	if !network {
		notUnix := seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.NotEqual, Value: unix.AF_UNIX}}
		net := seccomp.SyscallGroup{
			Names: []string{"io_uring_setup", "io_uring_enter", "io_uring_register"},
			NamesWithCondtions: []seccomp.NameWithConditions{
				{Name: "socket", Conditions: notUnix},
				{Name: "socketpair", Conditions: notUnix},
			},
			Action: eperm,
		}
		summary = append(summary, "socket, socketpair with a domain other than AF_UNIX: EPERM", "io_uring_setup, io_uring_enter, io_uring_register: EPERM")
		if !allowUnix {
			net.Names = append(net.Names, "connect")
			net.NamesWithCondtions = append(net.NamesWithCondtions, seccomp.NameWithConditions{Name: "sendto",
				Conditions: seccomp.ArgumentConditions{{Argument: 4, Operation: seccomp.NotEqual, Value: 0}}})
			summary = append(summary, "connect: EPERM (only unix sockets can exist, and pathname sockets lead out of the sandbox)",
				"sendto with a destination address: EPERM")
		}
		groups = append(groups, net)
	}
	return seccomp.Policy{DefaultAction: seccomp.ActionAllow, Syscalls: groups}, summary
}

// assembleFilter turns the policy into a BPF program, preceded by checks
// the library cannot express: non-native architectures are killed (so a
// 32-bit binary cannot use socketcall to get around the socket rule) and
// ioctl commands are compared on their low 32 bits, which is all the
// kernel looks at.
func assembleFilter(policy seccomp.Policy) ([]bpf.RawInstruction, error) {
	info, err := arch.GetInfo("")
	if err != nil {
		return nil, fmt.Errorf("seccomp arch: %w", err)
	}
	body, err := policy.Assemble()
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp policy: %w", err)
	}
	eperm := uint32(unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM))
	prefix := []bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(info.ID), SkipTrue: 1},
		bpf.RetConstant{Val: unix.SECCOMP_RET_KILL_PROCESS},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_IOCTL, SkipFalse: 4},
		bpf.LoadAbsolute{Off: 16 + 8*1, Size: 4}, // low word of args[1] (little endian)
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.TIOCSTI, SkipTrue: 1},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.TIOCLINUX, SkipFalse: 1},
		bpf.RetConstant{Val: eperm},
	}
	return bpf.Assemble(append(prefix, body...))
}

// loadFilter installs prog on the calling thread only; the thread then
// execs, and the command inherits it.
func loadFilter(prog []bpf.RawInstruction) error {
	filters := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		filters[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filters)), Filter: &filters[0]}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
	if e != 0 {
		return fmt.Errorf("load seccomp filter: %w", e)
	}
	return nil
}
