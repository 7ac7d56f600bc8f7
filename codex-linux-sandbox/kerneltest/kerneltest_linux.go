package kerneltest

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Lack is what the simulated kernel lacks; the zero Lack is this kernel.
type Lack struct {
	Name string
	// LandlockErrno, when set, is how landlock_create_ruleset,
	// landlock_add_rule and landlock_restrict_self fail: ENOSYS where
	// Landlock is not built in, EOPNOTSUPP where it is built in but not
	// enabled at boot (not in lsm=).
	LandlockErrno syscall.Errno
	// NoSeccomp makes seccomp(2) fail with ENOSYS and
	// prctl(PR_GET_SECCOMP) with EINVAL, as without CONFIG_SECCOMP.
	NoSeccomp bool
	// PtraceErrno, when set, is how ptrace(2) fails, as under Yama's
	// ptrace_scope 3 or a container profile without ptrace.
	PtraceErrno syscall.Errno
	// Want is what the sandbox's error must say.
	Want string
}

// Lacks are the older kernels every set-up failure test runs on.
func Lacks() []Lack {
	return []Lack{
		{Name: "no landlock built in", LandlockErrno: unix.ENOSYS, Want: "the kernel has no Landlock"},
		{Name: "landlock disabled at boot", LandlockErrno: unix.EOPNOTSUPP, Want: "the kernel has no Landlock"},
		{Name: "no seccomp", NoSeccomp: true, Want: "the kernel has no seccomp"},
	}
}

// Filter is the classic BPF seccomp program for l. The Landlock system
// calls have the same numbers (444-446) on every architecture, so the
// program needs no architecture check.
func (l Lack) Filter() []unix.SockFilter {
	stmt := func(code uint16, k uint32) unix.SockFilter { return unix.SockFilter{Code: code, K: k} }
	jeq := func(k uint32, jt, jf uint8) unix.SockFilter {
		return unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: jt, Jf: jf, K: k}
	}
	fail := func(e syscall.Errno) unix.SockFilter {
		return stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ERRNO|uint32(e)&unix.SECCOMP_RET_DATA)
	}
	const load = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	// struct seccomp_data: int nr; __u32 arch; __u64 ip; __u64 args[6].
	arg0Low := uint32(16)
	if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
		arg0Low += 4 // big-endian: the low half comes second
	}
	prog := []unix.SockFilter{stmt(load, 0)}
	if l.LandlockErrno != 0 {
		for _, nr := range []uint32{unix.SYS_LANDLOCK_CREATE_RULESET, unix.SYS_LANDLOCK_ADD_RULE, unix.SYS_LANDLOCK_RESTRICT_SELF} {
			prog = append(prog, jeq(nr, 0, 1), fail(l.LandlockErrno))
		}
	}
	if l.NoSeccomp {
		prog = append(prog,
			jeq(unix.SYS_SECCOMP, 0, 1), fail(unix.ENOSYS),
			jeq(unix.SYS_PRCTL, 0, 3), stmt(load, arg0Low), jeq(unix.PR_GET_SECCOMP, 0, 1), fail(unix.EINVAL))
	}
	if l.PtraceErrno != 0 {
		prog = append(prog, jeq(unix.SYS_PTRACE, 0, 1), fail(l.PtraceErrno))
	}
	return append(prog, stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ALLOW))
}

// Run runs start on a fresh OS thread that first installs l's filter on
// itself alone; processes start forks there inherit it. The thread is
// never unlocked, so the Go runtime ends it (and its filter) when start
// returns, and no other goroutine ever runs on it; threads the runtime
// needs meanwhile are cloned from its template thread, not from this
// one. The zero Lack installs nothing (a control run).
func Run(l Lack, start func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if l.LandlockErrno != 0 || l.NoSeccomp || l.PtraceErrno != 0 {
			prog := l.Filter()
			fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
			// No flags (no TSYNC): this thread only. As root no
			// no_new_privs is needed, so the program starts exactly as
			// it would on such a kernel.
			if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog))); e != 0 {
				errc <- fmt.Errorf("load test seccomp filter: %w", e)
				return
			}
		}
		errc <- start()
	}()
	return <-errc
}
