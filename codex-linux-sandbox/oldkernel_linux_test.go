//go:build linux

package linuxsandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/codexgo/common/protocol"
	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/sys/unix"
)

// A kernel without Landlock (or without seccomp) is shown to the helper
// for real: a seccomp filter makes the Landlock system calls fail as such
// a kernel fails them, and the helper is started from the one thread
// that carries the filter, so it inherits it across fork and exec.
// Nothing of our own code is replaced.

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
	// want is what the error must say.
	want string
}

var kernelLacks = []kernelLack{
	{name: "no landlock built in", landlockErrno: unix.ENOSYS, want: "the kernel has no Landlock"},
	{name: "landlock disabled at boot", landlockErrno: unix.EOPNOTSUPP, want: "the kernel has no Landlock"},
	{name: "no seccomp", noSeccomp: true, want: "the kernel has no seccomp"},
}

// policy is the seccomp policy that makes this kernel look like l's.
func (l kernelLack) policy() seccomp.Policy {
	errno := func(e syscall.Errno) seccomp.Action { return seccomp.ActionErrno | seccomp.Action(e) }
	p := seccomp.Policy{DefaultAction: seccomp.ActionAllow}
	if l.landlockErrno != 0 {
		p.Syscalls = append(p.Syscalls, seccomp.SyscallGroup{Action: errno(l.landlockErrno),
			Names: []string{"landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"}})
	}
	if l.noSeccomp {
		p.Syscalls = append(p.Syscalls,
			seccomp.SyscallGroup{Action: errno(unix.ENOSYS), Names: []string{"seccomp"}},
			seccomp.SyscallGroup{Action: errno(unix.EINVAL), NamesWithCondtions: []seccomp.NameWithConditions{{
				Name: "prctl", Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.Equal, Value: unix.PR_GET_SECCOMP}},
			}}})
	}
	return p
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
		if l.landlockErrno != 0 || l.noSeccomp {
			// No TSYNC: this thread only. As root no no_new_privs is
			// needed, so the helper starts exactly as on such a kernel.
			if err := seccomp.LoadFilter(seccomp.Filter{Policy: l.policy()}); err != nil {
				errc <- fmt.Errorf("load test seccomp filter: %w", err)
				return
			}
		}
		errc <- start()
	}()
	return <-errc
}

// helperOnOldKernel runs the helper (this test binary as
// codex-linux-sandbox) with args as cred (nil: root) on a kernel lacking
// l, in dir; withReport adds --report-fd 3 and collects the reports.
func helperOnOldKernel(t *testing.T, l kernelLack, cred *syscall.Credential, dir string, withReport bool, args ...string) outcome {
	t.Helper()
	bin, err := publicBinary()
	if err != nil {
		t.Fatalf("copy test binary: %v", err)
	}
	var rr, rw *os.File
	if withReport {
		if rr, rw, err = os.Pipe(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = rr.Close() }()
		args = append([]string{"--report-fd", "3"}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = ToolName
	// The race runtime sleeps a second at exit unless told not to.
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if rw != nil {
		cmd.ExtraFiles = []*os.File{rw}
	}
	err = onOldKernel(l, cmd.Start)
	if rw != nil {
		_ = rw.Close()
	}
	if err != nil {
		t.Fatalf("start helper: %v", err)
	}
	var o outcome
	if rr != nil {
		b, err := io.ReadAll(rr)
		if err != nil {
			t.Fatalf("read reports: %v", err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var h HelperReport
			if line == "" {
				continue
			}
			if err := json.Unmarshal([]byte(line), &h); err != nil {
				t.Fatalf("report line %q: %v", line, err)
			}
			o.reports = append(o.reports, h)
		}
	}
	var ee *exec.ExitError
	if err := cmd.Wait(); errors.As(err, &ee) {
		o.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("wait helper: %v", err)
	}
	o.stdout, o.stderr = stdout.String(), stderr.String()
	return o
}

// users are the callers every case runs as.
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

// TestHelperSetupFailureExits125 runs the helper on kernels without
// Landlock or seccomp: it exits 125 with one line on stderr (or, with
// --report-fd, stage "error" there and never "exec", and nothing on
// stderr), and never runs the command.
func TestHelperSetupFailureExits125(t *testing.T) {
	for _, u := range users {
		for _, l := range kernelLacks {
			for _, mode := range []string{"read-only", "workspace-write"} {
				policy := `{"mode":"` + mode + `"}`
				for _, withReport := range []bool{false, true} {
					name := fmt.Sprintf("%s/%s/%s/report-fd=%v", u.name, l.name, mode, withReport)
					t.Run(name, func(t *testing.T) {
						ws, _ := workspace(t)
						o := helperOnOldKernel(t, l, u.cred, ws, withReport,
							"--sandbox-policy-cwd", ws, "--sandbox-policy", policy, "--", "sh", "-c", ranScript)
						if o.code != ExitSetupFailed {
							t.Errorf("exit %d, want %d (stderr %q)", o.code, ExitSetupFailed, o.stderr)
						}
						want := ToolName + ": sandbox setup failed: " + l.want
						switch {
						case withReport && o.stderr != "":
							// The report's reader tells the user; stderr is the command's.
							t.Errorf("stderr = %q, want nothing with --report-fd", o.stderr)
						case !withReport && (!strings.HasPrefix(o.stderr, want) ||
							!strings.HasSuffix(o.stderr, "\n") || strings.Count(o.stderr, "\n") != 1):
							t.Errorf("stderr = %q, want one line starting %q", o.stderr, want)
						}
						if withReport {
							if len(o.reports) != 1 || o.reports[0].Stage != "error" || o.reports[0].ExitCode != ExitSetupFailed ||
								!strings.Contains(o.reports[0].Error, l.want) || o.reports[0].Report != nil {
								t.Errorf("reports = %+v, want one stage \"error\" with exit_code %d saying %q", o.reports, ExitSetupFailed, l.want)
							}
						}
						if o.stdout != "" {
							t.Errorf("stdout = %q, want nothing: the command must not run", o.stdout)
						}
						if _, err := os.Lstat(filepath.Join(ws, "MARKER")); err == nil {
							t.Errorf("MARKER exists: the command ran without a sandbox")
						}
					})
				}
			}
		}
	}
}

// TestHelperOldKernelControls are the same runs where nothing needs
// setting up: danger-full-access on a kernel without Landlock or seccomp
// runs the command, and workspace-write runs it on this kernel, through
// the same start path (so the failures above come from the kernel).
func TestHelperOldKernelControls(t *testing.T) {
	tests := []struct {
		name          string
		lack          kernelLack
		policy        string
		wantMechanism string
	}{
		{"danger, no landlock built in", kernelLacks[0], `{"mode":"danger-full-access"}`, "none"},
		{"danger, landlock disabled at boot", kernelLacks[1], `{"mode":"danger-full-access"}`, "none"},
		{"danger, no seccomp", kernelLacks[2], `{"mode":"danger-full-access"}`, "none"},
		{"workspace-write, this kernel", kernelLack{}, `{"mode":"workspace-write"}`, "landlock"},
	}
	for _, u := range users {
		for _, tc := range tests {
			t.Run(u.name+"/"+tc.name, func(t *testing.T) {
				ws, _ := workspace(t)
				o := helperOnOldKernel(t, tc.lack, u.cred, ws, true,
					"--sandbox-policy-cwd", ws, "--sandbox-policy", tc.policy, "--", "sh", "-c", ranScript)
				if o.code != 0 || o.stdout != "ran\n" || o.stderr != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want 0, \"ran\\n\", \"\"", o.code, o.stdout, o.stderr)
				}
				if len(o.reports) != 1 || o.reports[0].Stage != "exec" || o.reports[0].Report == nil ||
					o.reports[0].Report.Mechanism != tc.wantMechanism {
					t.Errorf("reports = %+v, want one stage \"exec\" with mechanism %q", o.reports, tc.wantMechanism)
				}
				if _, err := os.Lstat(filepath.Join(ws, "MARKER")); err != nil {
					t.Errorf("MARKER missing: %v", err)
				}
			})
		}
	}
}

// TestHelperExplainOnOldKernel: --explain still answers (exit 0), and
// its JSON carries the reason in "error" and claims no protection.
func TestHelperExplainOnOldKernel(t *testing.T) {
	for _, u := range users {
		for _, l := range kernelLacks {
			t.Run(u.name+"/"+l.name, func(t *testing.T) {
				ws, _ := workspace(t)
				o := helperOnOldKernel(t, l, u.cred, ws, false,
					"--explain", "--sandbox-policy-cwd", ws, "--sandbox-policy", `{"mode":"workspace-write"}`)
				if o.code != 0 || o.stderr != "" {
					t.Fatalf("exit %d, stderr %q; want 0 and nothing", o.code, o.stderr)
				}
				var e struct {
					Error       string          `json:"error"`
					Mechanism   string          `json:"mechanism"`
					Landlock    json.RawMessage `json:"landlock"`
					Seccomp     []string        `json:"seccomp"`
					Active      []string        `json:"active"`
					Unavailable []string        `json:"unavailable"`
					MountNS     bool            `json:"mount_namespace"`
				}
				if err := json.Unmarshal([]byte(o.stdout), &e); err != nil {
					t.Fatalf("explanation is not JSON: %v\n%s", err, o.stdout)
				}
				if !strings.Contains(e.Error, l.want) {
					t.Errorf("error = %q, want it to say %q", e.Error, l.want)
				}
				// A reader who skips "error" must not be misled either.
				if e.Mechanism != "none" || !strings.Contains(strings.Join(e.Unavailable, "\n"), l.want) {
					t.Errorf("mechanism %q, unavailable %q; want \"none\" and the reason listed", e.Mechanism, e.Unavailable)
				}
				if len(e.Active) != 0 || e.Landlock != nil || len(e.Seccomp) != 0 || e.MountNS {
					t.Errorf("explanation claims protections: active %q, landlock %s, seccomp %q, mount namespace %v",
						e.Active, e.Landlock, e.Seccomp, e.MountNS)
				}
			})
		}
	}
}

// TestOldKernelFilterWorks checks the simulation itself, in this process:
// the Landlock ABI query and PR_GET_SECCOMP fail as chosen, and Prepare
// refuses with the message the tests above expect.
func TestOldKernelFilterWorks(t *testing.T) {
	ws, _ := workspace(t)
	plan, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}, ws, "", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range append([]kernelLack{{name: "this kernel"}}, kernelLacks...) {
		t.Run(l.name, func(t *testing.T) {
			var abi int
			var prctlErr syscall.Errno
			var prepErr string
			err := onOldKernel(l, func() error {
				abi = landlockABI()
				_, _, prctlErr = unix.RawSyscall(unix.SYS_PRCTL, unix.PR_GET_SECCOMP, 0, 0)
				prepErr = Prepare(plan).Error
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if wantNone := l.landlockErrno != 0; (abi < 1) != wantNone {
				t.Errorf("landlock ABI %d, want none: %v", abi, wantNone)
			}
			if want := map[bool]syscall.Errno{true: unix.EINVAL}[l.noSeccomp]; prctlErr != want {
				t.Errorf("prctl(PR_GET_SECCOMP) errno %v, want %v", prctlErr, want)
			}
			if !strings.Contains(prepErr, l.want) || (l.want == "") != (prepErr == "") {
				t.Errorf("Prepare error %q, want %q", prepErr, l.want)
			}
		})
	}
}
