// Package seccompbuild assembles the sandbox's seccomp filter with
// elastic/go-seccomp-bpf. The helper embeds the result for amd64 (see
// seccomp_gen_amd64.go) so its start does not pay for the library's
// syscall tables; other architectures call Program at run time.
package seccompbuild

import (
	"fmt"
	"syscall"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// errnoAction makes a seccomp action that fails the call with errno.
func errnoAction(errno syscall.Errno) seccomp.Action {
	return seccomp.Action(unix.SECCOMP_RET_ERRNO | uint32(errno))
}

// Policy builds the syscall filter for a restricted plan. The filter allows by default
// and refuses only what escapes the sandbox: new namespaces and mounts
// always; sockets other than AF_UNIX, io_uring and (unless allowed)
// connecting or addressing unix sockets when the network is off. Sending
// and receiving on already connected sockets and setsockopt stay allowed,
// so asyncio, node and browsers keep working.
func Policy(network, allowUnix bool) seccomp.Policy {
	eperm := errnoAction(unix.EPERM)
	// clone and unshare are refused only with a flag that makes a new
	// namespace; unshare(CLONE_FS) and friends stay allowed.
	var nsCalls []seccomp.NameWithConditions
	for _, f := range []uint64{unix.CLONE_NEWUSER, unix.CLONE_NEWNS, unix.CLONE_NEWNET, unix.CLONE_NEWPID,
		unix.CLONE_NEWIPC, unix.CLONE_NEWUTS, unix.CLONE_NEWCGROUP, unix.CLONE_NEWTIME} {
		for _, name := range []string{"clone", "unshare"} {
			nsCalls = append(nsCalls, seccomp.NameWithConditions{Name: name,
				Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.BitsSet, Value: f}}})
		}
	}
	groups := []seccomp.SyscallGroup{
		{
			Names: []string{"setns", "mount", "umount2", "pivot_root", "open_tree", "move_mount",
				"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr"},
			NamesWithCondtions: nsCalls,
			Action:             eperm,
		},
		// clone3 passes its flags in memory a filter cannot read; ENOSYS
		// makes libc fall back to clone, whose flags are checked above.
		{Names: []string{"clone3"}, Action: errnoAction(unix.ENOSYS)},
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
		if !allowUnix {
			net.Names = append(net.Names, "connect")
			net.NamesWithCondtions = append(net.NamesWithCondtions, seccomp.NameWithConditions{Name: "sendto",
				Conditions: seccomp.ArgumentConditions{{Argument: 4, Operation: seccomp.NotEqual, Value: 0}}})
		}
		groups = append(groups, net)
	}
	return seccomp.Policy{DefaultAction: seccomp.ActionAllow, Syscalls: groups}
}

// assemble turns the policy into a BPF program, preceded by checks
// the library cannot express: non-native architectures are killed (so a
// 32-bit binary cannot use socketcall to get around the socket rule) and
// ioctl commands are compared on their low 32 bits, which is all the
// kernel looks at.
func assemble(policy seccomp.Policy) ([]bpf.RawInstruction, error) {
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

// Program returns the filter for a restricted plan as kernel sock_filter
// instructions.
func Program(network, allowUnix bool) ([]unix.SockFilter, error) {
	raw, err := assemble(Policy(network, allowUnix))
	if err != nil {
		return nil, err
	}
	out := make([]unix.SockFilter, len(raw))
	for i, in := range raw {
		out[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return out, nil
}
