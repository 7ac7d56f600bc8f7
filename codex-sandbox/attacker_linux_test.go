//go:build linux

package sandbox

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// attack is run inside the sandbox by the adversarial tests (as the
// probe, see TestMain): it tries one escape against the processes whose
// pids arrive as one line on stdin (the supervisor, a stand-in for the
// agent) and answers one line, "ESCAPED: how" when the escape worked,
// "blocked: why" when it did not. Each is what an attacker who has read
// our code would try.
func attack(name string, args []string) string {
	targets := readTargets()
	var why, got []string
	for _, pid := range targets {
		ok, detail := attackOne(name, pid, args)
		if ok {
			// Descriptors are taken from every target (the supervisor's
			// report pipe is one); the rest stop at the first success.
			if name != "getfd" {
				return "ESCAPED: " + detail
			}
			got = append(got, detail)
			continue
		}
		why = append(why, detail)
	}
	if len(got) > 0 {
		return "ESCAPED: " + strings.Join(got, "; ")
	}
	if len(targets) == 0 {
		ok, detail := attackOne(name, 0, args)
		if ok {
			return "ESCAPED: " + detail
		}
		why = append(why, detail)
	}
	return "blocked: " + strings.Join(why, "; ")
}

func readTargets() []int {
	if len(os.Getenv("CODEX_TEST_NO_TARGETS")) > 0 {
		return nil
	}
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	var out []int
	for _, f := range strings.Fields(line) {
		if p, err := strconv.Atoi(f); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func attackOne(name string, pid int, args []string) (bool, string) {
	switch name {
	case "ptrace":
		return ptraceWrite(pid)
	case "mem":
		return memWrite(pid)
	case "getfd":
		return stealFD(pid)
	case "window":
		n, _ := strconv.Atoi(args[0])
		return windowAttack(pid, n)
	case "parent":
		// The command's parent: in a sandbox, its init (PID 1 of the
		// PID namespace), in the same Landlock domain and of the same
		// uid, holding the report descriptor its exit status goes to.
		ppid := os.Getppid()
		ok, stole := stealFD(ppid)
		if ok {
			return true, stole
		}
		ok, traced := ptraceWrite(ppid)
		return ok, stole + "; " + traced
	case "stop":
		if err := unix.Kill(pid, unix.SIGSTOP); err != nil {
			// The same through a /proc/PID directory as a pidfd.
			d, oerr := unix.Open("/proc/"+strconv.Itoa(pid), unix.O_DIRECTORY|unix.O_RDONLY, 0)
			if oerr != nil {
				return false, fmt.Sprintf("kill %d: %v; open /proc/%d: %v", pid, err, pid, oerr)
			}
			defer func() { _ = unix.Close(d) }()
			if perr := unix.PidfdSendSignal(d, unix.SIGSTOP, nil, 0); perr != nil {
				return false, fmt.Sprintf("kill %d: %v; pidfd_send_signal /proc/%d: %v", pid, err, pid, perr)
			}
			return true, fmt.Sprintf("SIGSTOP to %d through /proc", pid)
		}
		return true, fmt.Sprintf("SIGSTOP to %d", pid)
	case "kill":
		if err := unix.Kill(pid, unix.SIGKILL); err != nil {
			return false, fmt.Sprintf("kill %d: %v", pid, err)
		}
		return true, fmt.Sprintf("SIGKILL to %d", pid)
	case "prlimit":
		var old unix.Rlimit
		if err := unix.Prlimit(pid, unix.RLIMIT_CORE, nil, &old); err != nil {
			return false, fmt.Sprintf("prlimit %d: %v", pid, err)
		}
		// Rewrite the same limit: proves the right without harm.
		if err := unix.Prlimit(pid, unix.RLIMIT_CORE, &old, nil); err != nil {
			return false, fmt.Sprintf("prlimit set %d: %v", pid, err)
		}
		return true, fmt.Sprintf("set the limits of %d", pid)
	case "environ":
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if err != nil {
			return false, err.Error()
		}
		if bytes.Contains(b, []byte(args[0])) {
			return true, fmt.Sprintf("read the secret in /proc/%d/environ", pid)
		}
		return false, fmt.Sprintf("/proc/%d/environ holds no secret", pid)
	case "shm":
		key, _ := strconv.Atoi(args[0])
		id, err := unix.SysvShmGet(key, 0, 0)
		if err != nil {
			return false, fmt.Sprintf("shmget %#x: %v", key, err)
		}
		b, err := unix.SysvShmAttach(id, 0, 0)
		if err != nil {
			return false, fmt.Sprintf("shmat: %v", err)
		}
		copy(b, "PWNED")
		_ = unix.SysvShmDetach(b)
		return true, "wrote into a shared memory segment made outside"
	case "msg":
		key, _ := strconv.Atoi(args[0])
		id, _, e := unix.Syscall(unix.SYS_MSGGET, uintptr(key), 0, 0)
		if e != 0 {
			return false, fmt.Sprintf("msgget %#x: %v", key, e)
		}
		msg := struct {
			typ  int64
			text [8]byte
		}{typ: 1, text: [8]byte{'P', 'W', 'N', 'E', 'D'}}
		if _, _, e := unix.Syscall6(unix.SYS_MSGSND, id, uintptr(unsafe.Pointer(&msg)), 8, unix.IPC_NOWAIT, 0, 0); e != 0 {
			return false, fmt.Sprintf("msgsnd: %v", e)
		}
		return true, "queued a message on a queue made outside"
	case "addkey":
		serial, err := unix.AddKey("user", args[0], []byte("PWNED"), unix.KEY_SPEC_USER_KEYRING)
		if err != nil {
			return false, fmt.Sprintf("add_key: %v", err)
		}
		return true, fmt.Sprintf("key %d in the user keyring", serial)
	case "dgram":
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
		if err != nil {
			// A socketpair is a datagram socket too.
			var pair [2]int
			if pair, err = unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM, 0); err != nil {
				return false, fmt.Sprintf("socket and socketpair: %v", err)
			}
			fd = pair[0]
		}
		defer func() { _ = unix.Close(fd) }()
		if err := unix.Sendmsg(fd, []byte("PWNED"), nil, &unix.SockaddrUnix{Name: args[0]}, 0); err != nil {
			return false, fmt.Sprintf("sendmsg to %s: %v", args[0], err)
		}
		return true, "sent a datagram to " + args[0]
	case "tiocsti":
		c := byte('x')
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, 0, unix.TIOCSTI, uintptr(unsafe.Pointer(&c))); e != 0 {
			return false, fmt.Sprintf("TIOCSTI: %v", e)
		}
		return true, "typed into the terminal"
	case "fds":
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			return false, err.Error()
		}
		var extra []string
		for _, e := range ents {
			if n, _ := strconv.Atoi(e.Name()); n > 2 {
				// Not our own: the directory being read, the Go
				// runtime's cgroup files.
				if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && !strings.HasPrefix(l, "/proc/") && !strings.HasPrefix(l, "/sys/fs/cgroup/") {
					extra = append(extra, e.Name()+" -> "+l)
				}
			}
		}
		if len(extra) > 0 {
			return true, "inherited " + strings.Join(extra, ", ")
		}
		return false, "only stdin, stdout and stderr"
	}
	return attackMore(name, pid, args)
}

// ptraceWrite attaches to pid, reads the word at its instruction pointer
// and writes it back: with that right, any code could be written there
// and run with pid's privileges.
func ptraceWrite(pid int) (bool, string) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.PtraceAttach(pid); err != nil {
		return false, fmt.Sprintf("ptrace attach %d: %v", pid, err)
	}
	defer func() { _ = unix.PtraceDetach(pid) }()
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		return false, fmt.Sprintf("wait %d: %v", pid, err)
	}
	var regs unix.PtraceRegs
	if err := unix.PtraceGetRegs(pid, &regs); err != nil {
		return false, fmt.Sprintf("getregs %d: %v", pid, err)
	}
	word := make([]byte, 8)
	if _, err := unix.PtracePeekText(pid, uintptr(regs.PC()), word); err != nil {
		return false, fmt.Sprintf("peek %d: %v", pid, err)
	}
	if _, err := unix.PtracePokeText(pid, uintptr(regs.PC()), word); err != nil {
		return false, fmt.Sprintf("poke %d: %v", pid, err)
	}
	return true, fmt.Sprintf("attached to %d and wrote its code at %#x", pid, regs.PC())
}

// memWrite writes bytes of pid's first mapping back through /proc/PID/mem.
func memWrite(pid int) (bool, string) {
	maps, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/maps")
	if err != nil {
		return false, err.Error()
	}
	var start uint64
	if _, err := fmt.Sscanf(string(maps), "%x-", &start); err != nil {
		return false, "maps: " + err.Error()
	}
	f, err := os.OpenFile("/proc/"+strconv.Itoa(pid)+"/mem", os.O_RDWR, 0)
	if err != nil {
		return false, err.Error()
	}
	defer func() { _ = f.Close() }()
	b := make([]byte, 8)
	if _, err := f.ReadAt(b, int64(start)); err != nil {
		return false, "read mem: " + err.Error()
	}
	if _, err := f.WriteAt(b, int64(start)); err != nil {
		return false, "write mem: " + err.Error()
	}
	return true, fmt.Sprintf("wrote the memory of %d", pid)
}

// stealFD takes descriptors 0..9 of pid (the supervisor's report pipe,
// --report-fd 3, among them) and writes a forged result into each pipe.
func stealFD(pid int) (bool, string) {
	pfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return false, fmt.Sprintf("pidfd_open %d: %v", pid, err)
	}
	defer func() { _ = unix.Close(pfd) }()
	var got []string
	var last error
	for n := 0; n < 10; n++ {
		fd, err := unix.PidfdGetfd(pfd, n, 0)
		if err != nil {
			last = err
			continue
		}
		var st unix.Stat_t
		// fd 3 is the supervisor's --report-fd: a forged result.
		if n == 3 && unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO {
			_, _ = unix.Write(fd, []byte(`{"exit_code":0,"stdout":"FORGED"}`+"\n"))
		}
		_ = unix.Close(fd)
		got = append(got, strconv.Itoa(n))
	}
	if len(got) > 0 {
		return true, fmt.Sprintf("took fds %s of %d", strings.Join(got, ","), pid)
	}
	return false, fmt.Sprintf("pidfd_getfd %d: %v", pid, last)
}

// windowAttack tries n times, as fast as it can, to open pid's memory and
// to seize it with ptrace (let go at once): an attack on a moment in
// which the target might be dumpable (a spawn in progress), not a single
// look.
func windowAttack(pid, n int) (bool, string) {
	mem := "/proc/" + strconv.Itoa(pid) + "/mem"
	var last error
	for i := 0; i < n; i++ {
		if fd, err := unix.Open(mem, unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
			_ = unix.Close(fd)
			return true, fmt.Sprintf("opened %s (attempt %d)", mem, i+1)
		} else {
			last = err
		}
		if err := unix.PtraceSeize(pid); err == nil {
			_ = unix.PtraceDetach(pid)
			return true, fmt.Sprintf("seized %d with ptrace (attempt %d)", pid, i+1)
		}
	}
	return false, fmt.Sprintf("%d attempts on %d: %v", n, pid, last)
}
