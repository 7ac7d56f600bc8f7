//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// More of the adversarial suite (see attack_linux_test.go): the classic
// container escapes as root (device nodes, raw disks, /proc/sys, /sys,
// chroot, open_by_handle_at, BPF) and, as root and uid 65534, the ways
// into another process that ptrace and /proc/PID/mem are not
// (process_vm_writev, perf_event_open, /proc/PID/root, which leads to the
// host's mounts, where .git is not read-only). Each is first run without
// a sandbox, where it must work.

// rootUsers is users without the unprivileged one: these attacks need
// root's capabilities to work at all, so uid 65534's baseline cannot.
var rootUsers = users[:1]

func noTargets(t *testing.T) attackSetup {
	return attackSetup{env: []string{"CODEX_TEST_NO_TARGETS=1"}, stdin: devNull(t)}
}

// TestAttackParent: the command takes its parent's descriptors or
// traces it. In a sandbox the parent is the PID namespace's init, inside
// the command's Landlock domain and of its uid, which holds the report
// descriptor (a forged status line) and would lend its unshared state;
// it is not dumpable, so both need CAP_SYS_PTRACE. Without a sandbox the
// parent is the supervisor, which root may trace.
func TestAttackParent(t *testing.T) {
	checkAttackAs(t, rootUsers, true, "parent", "workspace-write", noTargets, nil)
}

// TestAttackRootKernel: as root, each classic way out through the
// kernel. Nothing is written: opening for writing proves the right.
func TestAttackRootKernel(t *testing.T) {
	for _, name := range []string{"mknod", "blockdev", "sysctl", "sysfs", "chroot", "handle", "bpf"} {
		t.Run(name, func(t *testing.T) {
			checkAttackAs(t, rootUsers, true, name, "workspace-write", noTargets, nil)
		})
	}
}

// TestAttackProcessVM: process_vm_writev into the supervisor or the agent.
func TestAttackProcessVM(t *testing.T) {
	checkAttack(t, "vmwrite", "read-only", func(*testing.T) attackSetup { return attackSetup{} }, nil)
}

// TestAttackPerfEvent: a perf event on the supervisor or the agent (its
// registers and stacks can be sampled).
func TestAttackPerfEvent(t *testing.T) {
	checkAttack(t, "perf", "read-only", func(*testing.T) attackSetup { return attackSetup{} }, nil)
}

// TestAttackProcRoot: a file created in the workspace's read-only .git
// through /proc/PID/root of a process outside, whose root is in the
// host's mount namespace, where no read-only bind exists (Landlock alone
// allows it: .git lies in a writable root).
func TestAttackProcRoot(t *testing.T) {
	checkAttack(t, "procroot", "workspace-write", func(*testing.T) attackSetup { return attackSetup{} }, nil)
}

// TestAttackWithoutPIDNamespace: the standalone helper gives the command
// no PID namespace, so processes outside stay visible in /proc; each way
// into the agent stand-in must still fail (Landlock's ptrace and signal
// scoping, and the seccomp filter). Under danger-full-access each works.
func TestAttackWithoutPIDNamespace(t *testing.T) {
	for _, name := range []string{"ptrace", "mem", "vmwrite", "perf", "procroot", "environ", "getfd", "prlimit"} {
		t.Run(name, func(t *testing.T) {
			checkAttackAs(t, users, false, name, "workspace-write", func(t *testing.T) attackSetup {
				return attackSetup{helper: true, args: []string{"secret-" + marker(t)}}
			}, nil)
		})
	}
}

// TestAttackSiblingSandbox: a command without network attacks a
// concurrent sandboxed command that has it (a dev server the agent left
// running): through it, the network would be reached. Both are
// standalone helpers (no PID namespace), so only Landlock's scoping of
// one sandbox from another stands in the way.
func TestAttackSiblingSandbox(t *testing.T) {
	// (No /proc/PID/root: the sibling's root has its own read-only
	// binds.)
	for _, name := range []string{"ptrace", "mem", "vmwrite", "environ", "getfd", "stop"} {
		t.Run(name, func(t *testing.T) {
			checkAttackAs(t, users, false, name, "workspace-write", func(t *testing.T) attackSetup {
				return attackSetup{helper: true, sibling: true, args: []string{"secret-" + marker(t)}}
			}, nil)
		})
	}
}

// siblingVictim starts sleep under the standalone helper, workspace-write
// in ws with the network on, as cred, with secret in its environment.
func siblingVictim(t *testing.T, cred *syscall.Credential, secret, ws string) *exec.Cmd {
	t.Helper()
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	v := exec.Command(bin, "--sandbox-policy-cwd", ws, "--sandbox-policy", `{"mode":"workspace-write","network_access":true}`,
		"--report-fd", "3", "--", "sleep", "1000"+marker(t))
	v.Args[0] = "codex-linux-sandbox"
	v.Env = []string{"CODEX_SECRET=" + secret, "PATH=/usr/bin:/bin"}
	v.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	// The report fd is close-on-exec: EOF on it means sleep runs.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	v.ExtraFiles = []*os.File{w}
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	t.Cleanup(func() {
		_ = v.Process.Signal(syscall.SIGCONT)
		_ = v.Process.Kill()
		_ = v.Wait()
	})
	report, _ := io.ReadAll(r)
	if !strings.Contains(string(report), `"stage":"exec"`) {
		t.Fatalf("the sibling sandbox did not start: %s", report)
	}
	return v
}

// attackMore runs the attacks of this file (see attackOne).
func attackMore(name string, pid int, _ []string) (bool, string) {
	switch name {
	case "mknod":
		dev, path, err := someBlockDevice()
		if err != nil {
			return false, err.Error()
		}
		node := "disk-" + strconv.Itoa(os.Getpid())
		if err := unix.Mknod(node, unix.S_IFBLK|0o600, int(dev)); err != nil {
			return false, fmt.Sprintf("mknod %s (%s): %v", node, path, err)
		}
		defer func() { _ = os.Remove(node) }()
		return openForWrite(node, "made a node of "+path+" and opened it for writing")
	case "blockdev":
		_, path, err := someBlockDevice()
		if err != nil {
			return false, err.Error()
		}
		return openForWrite(path, "opened the disk "+path+" for writing")
	case "sysctl":
		// The next crash on the host would run the attacker's program.
		return openForWrite("/proc/sys/kernel/core_pattern", "opened /proc/sys/kernel/core_pattern for writing")
	case "sysfs":
		ents, _ := os.ReadDir("/sys/class/block")
		if len(ents) == 0 {
			return false, "no block device in /sys/class/block"
		}
		p := "/sys/class/block/" + ents[0].Name() + "/queue/read_ahead_kb"
		return openForWrite(p, "opened "+p+" for writing")
	case "chroot":
		if err := unix.Chroot("."); err != nil {
			return false, fmt.Sprintf("chroot: %v", err)
		}
		return true, "chroot worked (and with it the classic chroot escape)"
	case "handle":
		// The container escape of 2014 ("shocker"): a file named by
		// handle, not by path, outside every writable root.
		h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, "/etc/passwd", 0)
		if err != nil {
			return false, fmt.Sprintf("name_to_handle_at: %v", err)
		}
		mnt, err := unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY, 0)
		if err != nil {
			return false, err.Error()
		}
		defer func() { _ = unix.Close(mnt) }()
		fd, err := unix.OpenByHandleAt(mnt, h, unix.O_RDWR)
		if err != nil {
			return false, fmt.Sprintf("open_by_handle_at /etc/passwd: %v", err)
		}
		_ = unix.Close(fd)
		return true, "opened /etc/passwd for writing by its handle"
	case "bpf":
		return bpfLoad()
	case "vmwrite":
		return vmWrite(pid)
	case "perf":
		attr := unix.PerfEventAttr{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_TASK_CLOCK,
			Bits: unix.PerfBitExcludeKernel | unix.PerfBitExcludeHv}
		attr.Size = uint32(unsafe.Sizeof(attr))
		fd, err := unix.PerfEventOpen(&attr, pid, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			return false, fmt.Sprintf("perf_event_open %d: %v", pid, err)
		}
		_ = unix.Close(fd)
		return true, fmt.Sprintf("a perf event on %d", pid)
	case "procroot":
		cwd, err := os.Getwd()
		if err != nil {
			return false, err.Error()
		}
		p := fmt.Sprintf("/proc/%d/root%s/.git/planted-%d", pid, cwd, os.Getpid())
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return false, err.Error()
		}
		_ = f.Close()
		_ = os.Remove(p)
		return true, "created " + p
	}
	return false, "unknown attack " + name
}

func openForWrite(path, success string) (bool, string) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return false, err.Error()
	}
	_ = f.Close()
	return true, success
}

// someBlockDevice is the number and /dev path of the first block device.
func someBlockDevice() (uint64, string, error) {
	ents, err := os.ReadDir("/sys/class/block")
	if err != nil || len(ents) == 0 {
		return 0, "", fmt.Errorf("no block device in /sys/class/block: %v", err)
	}
	name := ents[0].Name()
	b, err := os.ReadFile(filepath.Join("/sys/class/block", name, "dev"))
	if err != nil {
		return 0, "", err
	}
	maj, min, _ := strings.Cut(strings.TrimSpace(string(b)), ":")
	ma, _ := strconv.Atoi(maj)
	mi, _ := strconv.Atoi(min)
	return unix.Mkdev(uint32(ma), uint32(mi)), "/dev/" + name, nil
}

// bpfLoad loads a two-instruction socket filter (r0 = 0; exit).
func bpfLoad() (bool, string) {
	insns := [2]uint64{0x00000000000000b7, 0x0000000000000095}
	license := []byte("GPL\x00")
	var attr [48]byte
	*(*uint32)(unsafe.Pointer(&attr[0])) = unix.BPF_PROG_TYPE_SOCKET_FILTER
	*(*uint32)(unsafe.Pointer(&attr[4])) = 2
	*(*uint64)(unsafe.Pointer(&attr[8])) = uint64(uintptr(unsafe.Pointer(&insns[0])))
	*(*uint64)(unsafe.Pointer(&attr[16])) = uint64(uintptr(unsafe.Pointer(&license[0])))
	fd, _, e := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&attr[0])), uintptr(len(attr)))
	if e != 0 {
		return false, fmt.Sprintf("bpf(BPF_PROG_LOAD): %v", e)
	}
	_ = unix.Close(int(fd))
	return true, "loaded a BPF program"
}

// vmWrite writes 8 bytes of pid's first writable mapping back with
// process_vm_writev. Without /proc/PID/maps it guesses an address:
// EFAULT then means the access itself was granted.
func vmWrite(pid int) (bool, string) {
	addr := uintptr(0x1000)
	if maps, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/maps"); err == nil {
		for _, line := range strings.Split(string(maps), "\n") {
			var start, end uint64
			var perms string
			if _, err := fmt.Sscanf(line, "%x-%x %s", &start, &end, &perms); err == nil && strings.HasPrefix(perms, "rw") {
				addr = uintptr(start)
				break
			}
		}
	}
	b := make([]byte, 8)
	local := []unix.Iovec{{Base: &b[0], Len: 8}}
	remote := []unix.RemoteIovec{{Base: addr, Len: 8}}
	if _, err := unix.ProcessVMReadv(pid, local, remote, 0); err != nil {
		if errors.Is(err, syscall.EFAULT) {
			return true, fmt.Sprintf("process_vm_readv %d allowed (bad address)", pid)
		}
		return false, fmt.Sprintf("process_vm_readv %d: %v", pid, err)
	}
	if _, err := unix.ProcessVMWritev(pid, local, remote, 0); err != nil {
		return false, fmt.Sprintf("process_vm_writev %d: %v", pid, err)
	}
	return true, fmt.Sprintf("wrote the memory of %d with process_vm_writev", pid)
}
