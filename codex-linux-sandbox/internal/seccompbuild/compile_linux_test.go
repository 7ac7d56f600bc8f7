//go:build amd64

package seccompbuild

import (
	"encoding/binary"
	"fmt"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

const (
	allow = unix.SECCOMP_RET_ALLOW
	kill  = unix.SECCOMP_RET_KILL_PROCESS
	eperm = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	nosys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)

// want is the filter's contract written out by hand (README, "What is
// enforced"), independent of the Policy the program is compiled from.
func want(network, allowUnix bool, auditArch, nr uint32, args [6]uint64) uint32 {
	const newNS = unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWNET | unix.CLONE_NEWPID |
		unix.CLONE_NEWIPC | unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWTIME
	if auditArch != unix.AUDIT_ARCH_X86_64 {
		return kill
	}
	if nr >= 0x40000000 {
		return nosys
	}
	switch nr {
	case unix.SYS_SETNS, unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_OPEN_TREE,
		unix.SYS_MOVE_MOUNT, unix.SYS_FSOPEN, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSPICK,
		unix.SYS_MOUNT_SETATTR, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY, unix.SYS_KEYCTL:
		return eperm
	case unix.SYS_PRLIMIT64:
		if args[0] != 0 {
			return eperm
		}
	case unix.SYS_CLONE, unix.SYS_UNSHARE:
		if args[0]&newNS != 0 {
			return eperm
		}
	case unix.SYS_CLONE3:
		return nosys
	case unix.SYS_IOCTL:
		if req := uint32(args[1]); req == unix.TIOCSTI || req == unix.TIOCLINUX {
			return eperm
		}
	}
	if network {
		return allow
	}
	switch nr {
	case unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER:
		return eperm
	case unix.SYS_SOCKET, unix.SYS_SOCKETPAIR:
		if args[0] != unix.AF_UNIX {
			return eperm
		}
		// Datagram (2) and raw (3, a datagram socket for AF_UNIX) types,
		// flags (SOCK_NONBLOCK, SOCK_CLOEXEC) or not; stream (1) and
		// seqpacket (5) pass. Other types with bit 1 set (6, 7, 10) are
		// refused too, which AF_UNIX would refuse anyway.
		if !allowUnix && args[1]&2 != 0 {
			return eperm
		}
	case unix.SYS_CONNECT:
		if !allowUnix {
			return eperm
		}
	case unix.SYS_SENDTO:
		if !allowUnix && args[4] != 0 {
			return eperm
		}
	}
	return allow
}

// seccompData lays out struct seccomp_data for x/net/bpf's VM, which
// loads words big-endian: each 32-bit word is stored so that the VM reads
// the value the kernel would read on a little-endian machine.
func seccompData(auditArch, nr uint32, args [6]uint64) []byte {
	b := make([]byte, 64)
	binary.BigEndian.PutUint32(b[0:], nr)
	binary.BigEndian.PutUint32(b[4:], auditArch)
	for i, a := range args {
		binary.BigEndian.PutUint32(b[16+8*i:], uint32(a))
		binary.BigEndian.PutUint32(b[20+8*i:], uint32(a>>32))
	}
	return b
}

// TestProgramMatchesContract runs the compiled filter on every syscall
// number with argument values around each rule's edges and compares the
// verdict with the contract.
func TestProgramMatchesContract(t *testing.T) {
	values := []uint64{0, 1, 2, 10, 16, 40, 0x11, 0x3d0f00, 1 << 32, 1<<32 | unix.AF_UNIX,
		unix.CLONE_NEWUSER, unix.CLONE_NEWNS, unix.CLONE_NEWNET, unix.CLONE_NEWPID, unix.CLONE_NEWIPC,
		unix.CLONE_NEWUTS, unix.CLONE_NEWCGROUP, unix.CLONE_NEWTIME, unix.CLONE_FS | unix.CLONE_FILES,
		unix.TIOCSTI, unix.TIOCLINUX, 0xffffffff00000000 | unix.TIOCSTI, unix.TIOCGWINSZ,
		unix.SYS_CLONE3, unix.SYS_CONNECT, unix.SYS_SOCKET, 3, 5, unix.SOCK_DGRAM | unix.SOCK_CLOEXEC,
		unix.SOCK_STREAM | unix.SOCK_NONBLOCK, unix.SOCK_SEQPACKET | unix.SOCK_CLOEXEC}
	nrs := []uint32{0x40000000, 0x40000000 + unix.SYS_SOCKET, 0xffffffff}
	for nr := uint32(0); nr < 500; nr++ {
		nrs = append(nrs, nr)
	}
	for _, v := range []struct{ network, allowUnix bool }{{false, false}, {false, true}, {true, false}} {
		t.Run(fmt.Sprintf("network=%v,allowUnix=%v", v.network, v.allowUnix), func(t *testing.T) {
			prog, err := Program(v.network, v.allowUnix)
			if err != nil {
				t.Fatal(err)
			}
			raw := make([]bpf.RawInstruction, len(prog))
			for i, in := range prog {
				raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
			}
			ins, ok := bpf.Disassemble(raw)
			if !ok {
				t.Fatal("program does not disassemble")
			}
			vm, err := bpf.NewVM(ins)
			if err != nil {
				t.Fatal(err)
			}
			bad := 0
			check := func(auditArch, nr uint32, args [6]uint64) {
				got, err := vm.Run(seccompData(auditArch, nr, args))
				if err != nil {
					t.Fatal(err)
				}
				if w := want(v.network, v.allowUnix, auditArch, nr, args); uint32(got) != w && bad < 10 {
					bad++
					t.Errorf("arch %#x nr %d args %#x: got %#x, want %#x", auditArch, nr, args, uint32(got), w)
				}
			}
			for _, nr := range nrs {
				check(unix.AUDIT_ARCH_I386, nr, [6]uint64{})
				for _, a0 := range values {
					for _, a1 := range values {
						check(unix.AUDIT_ARCH_X86_64, nr, [6]uint64{a0, a1})
					}
					check(unix.AUDIT_ARCH_X86_64, nr, [6]uint64{a0, 0, 0, 0, a0})
				}
			}
		})
	}
}

// TestProgramIsShortPerSyscall keeps the property the layout exists for:
// the kernel emulates the filter for every syscall number when it is
// loaded, so the path any number takes must stay short.
func TestProgramIsShortPerSyscall(t *testing.T) {
	prog, err := Program(false, false)
	if err != nil {
		t.Fatal(err)
	}
	longest := 0
	for nr := uint32(0); nr < 500; nr++ {
		// Walk the path of nr as the kernel's emulator does: until a
		// return or a load of an argument (which it cannot know).
		steps, pc := 0, 0
		acc := uint32(0)
		for pc < len(prog) {
			in := prog[pc]
			steps++
			switch {
			case in.Code == unix.BPF_LD|unix.BPF_W|unix.BPF_ABS && in.K == 0:
				acc, pc = nr, pc+1
				continue
			case in.Code == unix.BPF_LD|unix.BPF_W|unix.BPF_ABS && in.K == 4:
				acc, pc = unix.AUDIT_ARCH_X86_64, pc+1
				continue
			case in.Code&0x07 == unix.BPF_JMP:
				taken := false
				switch in.Code & 0xf0 {
				case unix.BPF_JA:
					pc += 1 + int(in.K)
					continue
				case unix.BPF_JEQ:
					taken = acc == in.K
				case unix.BPF_JGE:
					taken = acc >= in.K
				case unix.BPF_JGT:
					taken = acc > in.K
				case unix.BPF_JSET:
					taken = acc&in.K != 0
				}
				if taken {
					pc += 1 + int(in.Jt)
				} else {
					pc += 1 + int(in.Jf)
				}
				continue
			}
			if in.Code&0x07 == unix.BPF_RET || in.Code&0x07 == unix.BPF_LD {
				break
			}
			pc++
		}
		longest = max(longest, steps)
	}
	t.Logf("longest path: %d instructions", longest)
	if longest > 16 {
		t.Errorf("longest path for a syscall number is %d instructions, want <= 16 (a linear chain makes every filter load slow)", longest)
	}
}
