//go:build linux

package sandbox

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/codexgo/codex-linux-sandbox/kerneltest"
	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// The older kernels are shown for real by kerneltest (a seccomp filter
// on the starting thread); these are the ones every case runs on.
var kernelLacks = kerneltest.Lacks()

// csOnOldKernel runs codex-sandbox with args and stdin as cred (nil:
// root) on a kernel lacking l.
func csOnOldKernel(t *testing.T, l kerneltest.Lack, cred *syscall.Credential, stdin string, args ...string) csResult {
	t.Helper()
	cmd := csCmd(t, args...)
	var out, errb strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := kerneltest.Run(l, cmd.Start); err != nil {
		t.Fatalf("start codex-sandbox: %v", err)
	}
	return csResult{exitCode(t, cmd.Wait()), out.String(), errb.String()}
}

// users are the callers every case runs as: root (the helper starts in a
// PID namespace) and uid 65534 (in a user namespace).
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
				t.Run(u.name+"/"+l.Name+"/"+mode, func(t *testing.T) {
					ws, _ := workspace(t)
					r := csOnOldKernel(t, l, u.cred, "", "--cd", ws, "--sandbox", mode, "--", "sh", "-c", ranScript)
					if r.code != ExitSetupFailed {
						t.Errorf("exit %d, want %d (stderr %q)", r.code, ExitSetupFailed, r.stderr)
					}
					checkOneLine(t, r.stderr, l.Want)
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
		lack kerneltest.Lack
		mode string
	}{
		{"danger, no landlock built in", kernelLacks[0], "danger-full-access"},
		{"danger, landlock disabled at boot", kernelLacks[1], "danger-full-access"},
		{"danger, no seccomp", kernelLacks[2], "danger-full-access"},
		{"workspace-write, this kernel", kerneltest.Lack{}, "workspace-write"},
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
			t.Run(u.name+"/"+l.Name, func(t *testing.T) {
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
				if res.ExitCode != ExitSetupFailed || !strings.Contains(res.Error, l.Want) {
					t.Errorf("exit_code %d, error %q; want %d and %q", res.ExitCode, res.Error, ExitSetupFailed, l.Want)
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
		t.Run(l.Name, func(t *testing.T) {
			ws, _ := workspace(t)
			var stdout, stderr strings.Builder
			var res protocol.ExecResult
			err := kerneltest.Run(l, func() error {
				var err error
				res, err = Run(context.Background(), protocol.ExecRequest{Argv: []string{"sh", "-c", ranScript}, Cwd: ws,
					SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}, &stdout, &stderr)
				return err
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.ExitCode != ExitSetupFailed || !strings.Contains(res.Error, l.Want) {
				t.Errorf("exit code %d, error %q; want %d and %q", res.ExitCode, res.Error, ExitSetupFailed, l.Want)
			}
			if res.Sandbox != nil && res.Sandbox.Denied {
				t.Errorf("a set-up failure is flagged as a denial: %+v", res.Sandbox)
			}
			checkOneLine(t, stderr.String(), l.Want)
			checkNotRun(t, ws, stdout.String())
		})
	}
}

// TestExplainOnOldKernel: --explain still answers (exit 0), and its JSON
// carries the reason in "error" and claims no protection.
func TestExplainOnOldKernel(t *testing.T) {
	for _, u := range users {
		for _, l := range kernelLacks {
			t.Run(u.name+"/"+l.Name, func(t *testing.T) {
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
				if !strings.Contains(e.Error, l.Want) {
					t.Errorf("error = %q, want it to say %q", e.Error, l.Want)
				}
				// A reader who skips "error" must not be misled either.
				if e.Mechanism != "none" || !strings.Contains(strings.Join(e.Unavailable, "\n"), l.Want) {
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
	for _, l := range append([]kerneltest.Lack{{Name: "this kernel"}}, kernelLacks...) {
		t.Run(l.Name, func(t *testing.T) {
			var abi uintptr
			var landlockErr, prctlErr syscall.Errno
			err := kerneltest.Run(l, func() error {
				abi, _, landlockErr = unix.RawSyscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, createRulesetVersion)
				_, _, prctlErr = unix.RawSyscall(unix.SYS_PRCTL, unix.PR_GET_SECCOMP, 0, 0)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if landlockErr != l.LandlockErrno || (l.LandlockErrno == 0 && int(abi) < 1) {
				t.Errorf("landlock ABI query: %d, errno %v; want errno %v", abi, landlockErr, l.LandlockErrno)
			}
			if wantPrctl := map[bool]syscall.Errno{true: unix.EINVAL}[l.NoSeccomp]; prctlErr != wantPrctl {
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
	r := csOnOldKernel(t, kerneltest.Lack{Name: "no ptrace", PtraceErrno: unix.EPERM}, nil, "",
		"--cd", ws, "--sandbox", "workspace-write", "--", "sh", "-c", ranScript+"; grep TracerPid /proc/self/status")
	if r.code != 0 || r.stdout != "ran\nTracerPid:\t0\n" || r.stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, ran and TracerPid 0, nothing", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Lstat(filepath.Join(ws, "MARKER")); err != nil {
		t.Errorf("MARKER missing: %v", err)
	}
}
