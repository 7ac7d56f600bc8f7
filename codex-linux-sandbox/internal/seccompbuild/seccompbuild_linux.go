// Package seccompbuild assembles the sandbox's seccomp filter: the rules
// are an elastic/go-seccomp-bpf Policy (with the library's syscall
// tables), compiled into a binary search over syscall numbers (see
// compile). The helper embeds the result for amd64 (see
// seccomp_gen_amd64.go) so its start does not pay for the library's
// tables; other architectures call Program at run time.
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
	newNS := seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.BitsSet,
		Value: unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWNET | unix.CLONE_NEWPID |
			unix.CLONE_NEWIPC | unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWTIME}}
	// ioctl requests that type into or take over the caller's terminal.
	tty := func(req uint64) seccomp.NameWithConditions {
		return seccomp.NameWithConditions{Name: "ioctl",
			Conditions: seccomp.ArgumentConditions{{Argument: 1, Operation: seccomp.Equal, Value: req}}}
	}
	groups := []seccomp.SyscallGroup{
		{
			// Keyrings: a key added by root lands in a keyring that
			// unsandboxed root processes read.
			Names: []string{"setns", "mount", "umount2", "pivot_root", "open_tree", "move_mount",
				"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "add_key", "request_key", "keyctl"},
			NamesWithCondtions: []seccomp.NameWithConditions{
				{Name: "clone", Conditions: newNS}, {Name: "unshare", Conditions: newNS},
				tty(unix.TIOCSTI), tty(unix.TIOCLINUX),
				// Another process's limits (its supervisor's open files,
				// where no PID namespace hides it); one's own (pid 0)
				// stay settable, as setrlimit and ulimit do.
				{Name: "prlimit64", Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.NotEqual, Value: 0}}},
			},
			Action: eperm,
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
			// A datagram socket reaches a pathname socket outside (e.g.
			// /dev/log) through sendmsg/sendmmsg, whose address a filter
			// cannot read, even when connected (a socketpair) and with
			// connect refused. Stream and seqpacket sockets cannot send
			// to an address at all. SOCK_RAW is a datagram socket for
			// AF_UNIX; bit 1 of the type is set for both (2, 3) and for
			// neither stream (1) nor seqpacket (5).
			dgram := seccomp.ArgumentConditions{
				{Argument: 0, Operation: seccomp.Equal, Value: unix.AF_UNIX},
				{Argument: 1, Operation: seccomp.BitsSet, Value: 2},
			}
			net.Names = append(net.Names, "connect")
			net.NamesWithCondtions = append(net.NamesWithCondtions,
				seccomp.NameWithConditions{Name: "sendto",
					Conditions: seccomp.ArgumentConditions{{Argument: 4, Operation: seccomp.NotEqual, Value: 0}}},
				seccomp.NameWithConditions{Name: "socket", Conditions: dgram},
				seccomp.NameWithConditions{Name: "socketpair", Conditions: dgram})
		}
		groups = append(groups, net)
	}
	return seccomp.Policy{DefaultAction: seccomp.ActionAllow, Syscalls: groups}
}

// Program returns the filter for a restricted plan as kernel sock_filter
// instructions.
func Program(network, allowUnix bool) ([]unix.SockFilter, error) {
	info, err := arch.GetInfo("")
	if err != nil {
		return nil, fmt.Errorf("seccomp arch: %w", err)
	}
	prog, err := compile(Policy(network, allowUnix), info)
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp policy: %w", err)
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp policy: %w", err)
	}
	out := make([]unix.SockFilter, len(raw))
	for i, in := range raw {
		out[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return out, nil
}
