//go:build linux

package sandbox

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// A kernel without Landlock (or without seccomp) is shown to the tool
// under test for real: a seccomp filter makes the Landlock system calls
// fail as such a kernel fails them, and the tool is started from the one
// thread that carries the filter, so it and everything it starts inherit
// it across fork and exec. Nothing of our own code is replaced.

// kernelLack is what the simulated kernel lacks.
type kernelLack struct {
	name string
	// landlockErrno, when set, is how landlock_create_ruleset,
	// landlock_add_rule and landlock_restrict_self fail: ENOSYS where
	// Landlock is not built in, EOPNOTSUPP where it is built in but not
	// enabled at boot (not in lsm=).
	landlockErrno syscall.Errno
	// noSeccomp makes seccomp(2) fail with ENOSYS and
	// prctl(PR_GET_SECCOMP) with EINVAL, as without CONFIG_SECCOMP.
	noSeccomp bool
	// ptraceErrno, when set, is how ptrace(2) fails, as under Yama's
	// ptrace_scope 3 or a container profile without ptrace.
	ptraceErrno syscall.Errno
	// want is what the one line on stderr must say.
	want string
}

var kernelLacks = []kernelLack{
	{name: "no landlock built in", landlockErrno: unix.ENOSYS, want: "the kernel has no Landlock"},
	{name: "landlock disabled at boot", landlockErrno: unix.EOPNOTSUPP, want: "the kernel has no Landlock"},
	{name: "no seccomp", noSeccomp: true, want: "the kernel has no seccomp"},
}

// filter is the classic BPF seccomp program for l. The Landlock system
// calls have the same numbers (444-446) on every architecture, so the
// program needs no architecture check.
func (l kernelLack) filter() []unix.SockFilter {
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
	if l.landlockErrno != 0 {
		for _, nr := range []uint32{unix.SYS_LANDLOCK_CREATE_RULESET, unix.SYS_LANDLOCK_ADD_RULE, unix.SYS_LANDLOCK_RESTRICT_SELF} {
			prog = append(prog, jeq(nr, 0, 1), fail(l.landlockErrno))
		}
	}
	if l.noSeccomp {
		prog = append(prog,
			jeq(unix.SYS_SECCOMP, 0, 1), fail(unix.ENOSYS),
			jeq(unix.SYS_PRCTL, 0, 3), stmt(load, arg0Low), jeq(unix.PR_GET_SECCOMP, 0, 1), fail(unix.EINVAL))
	}
	if l.ptraceErrno != 0 {
		prog = append(prog, jeq(unix.SYS_PTRACE, 0, 1), fail(l.ptraceErrno))
	}
	return append(prog, stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ALLOW))
}

// onOldKernel runs start on a fresh OS thread that first installs l's
// filter on itself alone; processes start forks there inherit it. The
// thread is never unlocked, so the Go runtime ends it (and its filter)
// when start returns, and no other goroutine ever runs on it; threads
// the runtime needs meanwhile are cloned from its template thread, not
// from this one. A zero l installs nothing (a control run).
func onOldKernel(l kernelLack, start func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if l.landlockErrno != 0 || l.noSeccomp || l.ptraceErrno != 0 {
			prog := l.filter()
			fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
			// No flags (no TSYNC): this thread only. As root no
			// no_new_privs is needed, so the tool starts exactly as it
			// would on such a kernel.
			if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog))); e != 0 {
				errc <- fmt.Errorf("load test seccomp filter: %w", e)
				return
			}
		}
		errc <- start()
	}()
	return <-errc
}

// csOnOldKernel runs codex-sandbox with args and stdin as cred (nil:
// root) on a kernel lacking l.
func csOnOldKernel(t *testing.T, l kernelLack, cred *syscall.Credential, stdin string, args ...string) csResult {
	t.Helper()
	cmd := csCmd(t, args...)
	var out, errb strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := onOldKernel(l, cmd.Start); err != nil {
		t.Fatalf("start codex-sandbox: %v", err)
	}
	return csResult{exitCode(t, cmd.Wait()), out.String(), errb.String()}
}

// users are the callers every case runs as: root (the supervisor sets
// the sandbox up on one of its own threads) and uid 65534 (it starts the
// helper in a user namespace, and the helper fails).
var users = []struct {
	name string
	cred *syscall.Credential
}{
	{"root", nil},
	{"uid 65534", &syscall.Credential{Uid: 65534, Gid: 65534}},
}

// ranScript is a command that shows it ran: it prints "ran" and creates
// MARKER in the workspace (which workspace-write allows).
const ranScript = "echo ran; touch MARKER"

// checkOneLine fails unless stderr is exactly one line from
// codex-sandbox itself (as root and through the helper alike) containing
// want.
func checkOneLine(t *testing.T, stderr, want string) {
	t.Helper()
	if !strings.HasPrefix(stderr, ToolName+": ") || !strings.HasSuffix(stderr, "\n") ||
		strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("stderr = %q, want one line from %s saying %q", stderr, ToolName, want)
	}
}

// checkNotRun fails if the command ran: it printed or made MARKER.
func checkNotRun(t *testing.T, ws, stdout string) {
	t.Helper()
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing: the command must not run", stdout)
	}
	if _, err := os.Lstat(filepath.Join(ws, "MARKER")); err == nil {
		t.Errorf("MARKER exists: the command ran without a sandbox")
	}
}

// TestSetupFailureExits125 runs codex-sandbox on kernels without Landlock
// or seccomp: it must exit 125 with one line on stderr, never running the
// command, in both restricted modes and as root or not.
func TestSetupFailureExits125(t *testing.T) {
	for _, u := range users {
		for _, l := range kernelLacks {
			for _, mode := range []string{"read-only", "workspace-write"} {
				t.Run(u.name+"/"+l.name+"/"+mode, func(t *testing.T) {
					ws, _ := workspace(t)
					r := csOnOldKernel(t, l, u.cred, "", "--cd", ws, "--sandbox", mode, "--", "sh", "-c", ranScript)
					if r.code != ExitSetupFailed {
						t.Errorf("exit %d, want %d (stderr %q)", r.code, ExitSetupFailed, r.stderr)
					}
					checkOneLine(t, r.stderr, l.want)
					checkNotRun(t, ws, r.stdout)
				})
			}
		}
	}
}

// TestOldKernelControls are the same runs where nothing needs setting
// up: danger-full-access on a kernel without Landlock or seccomp runs the
// command, and workspace-write runs it on this kernel, through the same
// start path (so the failures above come from the kernel, not the test).
func TestOldKernelControls(t *testing.T) {
	tests := []struct {
		name string
		lack kernelLack
		mode string
	}{
		{"danger, no landlock built in", kernelLacks[0], "danger-full-access"},
		{"danger, landlock disabled at boot", kernelLacks[1], "danger-full-access"},
		{"danger, no seccomp", kernelLacks[2], "danger-full-access"},
		{"workspace-write, this kernel", kernelLack{}, "workspace-write"},
	}
	for _, u := range users {
		for _, tc := range tests {
			t.Run(u.name+"/"+tc.name, func(t *testing.T) {
				ws, _ := workspace(t)
				r := csOnOldKernel(t, tc.lack, u.cred, "", "--cd", ws, "--sandbox", tc.mode, "--", "sh", "-c", ranScript)
				if r.code != 0 || r.stdout != "ran\n" || r.stderr != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want 0, \"ran\\n\", \"\"", r.code, r.stdout, r.stderr)
				}
				if _, err := os.Lstat(filepath.Join(ws, "MARKER")); err != nil {
					t.Errorf("MARKER missing: %v", err)
				}
			})
		}
	}
}

// TestSetupFailureJSON: in --json mode the failure is a result (exit 0)
// with exit_code 125 and an error saying why; the command did not run.
func TestSetupFailureJSON(t *testing.T) {
	for _, u := range users {
		for _, l := range kernelLacks {
			t.Run(u.name+"/"+l.name, func(t *testing.T) {
				ws, _ := workspace(t)
				req, err := json.Marshal(protocol.ExecRequest{Argv: []string{"sh", "-c", ranScript}, Cwd: ws,
					SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}})
				if err != nil {
					t.Fatal(err)
				}
				r := csOnOldKernel(t, l, u.cred, string(req), "--json")
				if r.code != 0 {
					t.Fatalf("exit %d, want 0 (a result was written); stderr %q", r.code, r.stderr)
				}
				var res protocol.ExecResult
				if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
					t.Fatalf("result is not JSON: %v: %q", err, r.stdout)
				}
				if res.ExitCode != ExitSetupFailed || !strings.Contains(res.Error, l.want) {
					t.Errorf("exit_code %d, error %q; want %d and %q", res.ExitCode, res.Error, ExitSetupFailed, l.want)
				}
				if res.Sandbox != nil {
					// Nothing was enforced, whichever way it was started.
					t.Errorf("result has a sandbox report: %+v", res.Sandbox)
				}
				if res.Stderr != "" {
					t.Errorf("result stderr = %q, want nothing (the reason is in error)", res.Stderr)
				}
				checkNotRun(t, ws, res.Stdout)
			})
		}
	}
}

// TestSetupFailureRunAPI: the Go API (Run, reporting on a pipe) returns
// the failure as a result with exit code 125, not as an error.
func TestSetupFailureRunAPI(t *testing.T) {
	for _, l := range kernelLacks {
		t.Run(l.name, func(t *testing.T) {
			ws, _ := workspace(t)
			var stdout, stderr strings.Builder
			var res protocol.ExecResult
			err := onOldKernel(l, func() error {
				var err error
				res, err = Run(context.Background(), protocol.ExecRequest{Argv: []string{"sh", "-c", ranScript}, Cwd: ws,
					SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}, &stdout, &stderr)
				return err
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.ExitCode != ExitSetupFailed || !strings.Contains(res.Error, l.want) {
				t.Errorf("exit code %d, error %q; want %d and %q", res.ExitCode, res.Error, ExitSetupFailed, l.want)
			}
			if res.Sandbox != nil && res.Sandbox.Denied {
				t.Errorf("a set-up failure is flagged as a denial: %+v", res.Sandbox)
			}
			checkOneLine(t, stderr.String(), l.want)
			checkNotRun(t, ws, stdout.String())
		})
	}
}

// TestExplainOnOldKernel: --explain still answers (exit 0), and its JSON
// carries the reason in "error" and claims no protection.
func TestExplainOnOldKernel(t *testing.T) {
	for _, u := range users {
		for _, l := range kernelLacks {
			t.Run(u.name+"/"+l.name, func(t *testing.T) {
				ws, _ := workspace(t)
				r := csOnOldKernel(t, l, u.cred, "", "--explain", "--sandbox", "workspace-write", "--cd", ws, "--", "sh", "-c", ranScript)
				if r.code != 0 {
					t.Fatalf("exit %d, want 0; stderr %q", r.code, r.stderr)
				}
				var e struct {
					Error       string          `json:"error"`
					Mechanism   string          `json:"mechanism"`
					Landlock    json.RawMessage `json:"landlock"`
					Seccomp     []string        `json:"seccomp"`
					Active      []string        `json:"active"`
					Unavailable []string        `json:"unavailable"`
				}
				if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
					t.Fatalf("explanation is not JSON: %v\n%s", err, r.stdout)
				}
				if !strings.Contains(e.Error, l.want) {
					t.Errorf("error = %q, want it to say %q", e.Error, l.want)
				}
				// A reader who skips "error" must not be misled either.
				if e.Mechanism != "none" || !strings.Contains(strings.Join(e.Unavailable, "\n"), l.want) {
					t.Errorf("mechanism %q, unavailable %q; want \"none\" and the reason listed", e.Mechanism, e.Unavailable)
				}
				if len(e.Active) != 0 || e.Landlock != nil || len(e.Seccomp) != 0 {
					t.Errorf("explanation claims protections: active %q, landlock %s, seccomp %q", e.Active, e.Landlock, e.Seccomp)
				}
				if _, err := os.Lstat(filepath.Join(ws, "MARKER")); err == nil {
					t.Errorf("--explain ran the command")
				}
			})
		}
	}
}

// TestOldKernelFilterWorks checks the simulation itself: under it the
// Landlock ABI query fails with the chosen errno, and without it succeeds.
func TestOldKernelFilterWorks(t *testing.T) {
	const createRulesetVersion = 1 // LANDLOCK_CREATE_RULESET_VERSION
	for _, l := range append([]kernelLack{{name: "this kernel"}}, kernelLacks...) {
		t.Run(l.name, func(t *testing.T) {
			var abi uintptr
			var landlockErr, prctlErr syscall.Errno
			err := onOldKernel(l, func() error {
				abi, _, landlockErr = unix.RawSyscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, createRulesetVersion)
				_, _, prctlErr = unix.RawSyscall(unix.SYS_PRCTL, unix.PR_GET_SECCOMP, 0, 0)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if landlockErr != l.landlockErrno || (l.landlockErrno == 0 && int(abi) < 1) {
				t.Errorf("landlock ABI query: %d, errno %v; want errno %v", abi, landlockErr, l.landlockErrno)
			}
			if wantPrctl := map[bool]syscall.Errno{true: unix.EINVAL}[l.noSeccomp]; prctlErr != wantPrctl {
				t.Errorf("prctl(PR_GET_SECCOMP) errno %v, want %v", prctlErr, wantPrctl)
			}
		})
	}
}

// TestPtraceRefused: where ptrace is refused, the supervisor does not
// hold the command at its exec but starts it once its signals are
// caught; the command runs normally.
func TestPtraceRefused(t *testing.T) {
	ws, _ := workspace(t)
	r := csOnOldKernel(t, kernelLack{name: "no ptrace", ptraceErrno: unix.EPERM}, nil, "",
		"--cd", ws, "--sandbox", "workspace-write", "--", "sh", "-c", ranScript+"; grep TracerPid /proc/self/status")
	if r.code != 0 || r.stdout != "ran\nTracerPid:\t0\n" || r.stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, ran and TracerPid 0, nothing", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Lstat(filepath.Join(ws, "MARKER")); err != nil {
		t.Errorf("MARKER missing: %v", err)
	}
}
