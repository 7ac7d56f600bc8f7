//go:build linux

package linuxsandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
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

// helperOnOldKernel runs the helper (this test binary as
// codex-linux-sandbox) with args as cred (nil: root) on a kernel lacking
// l, in dir; withReport adds --report-fd 3 and collects the reports.
func helperOnOldKernel(t *testing.T, l kerneltest.Lack, cred *syscall.Credential, dir string, withReport bool, args ...string) outcome {
	t.Helper()
	return runHelper(t, args, dir, cred, nil, withReport, func(cmd *exec.Cmd) error { return kerneltest.Run(l, cmd.Start) })
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
					name := fmt.Sprintf("%s/%s/%s/report-fd=%v", u.name, l.Name, mode, withReport)
					t.Run(name, func(t *testing.T) {
						ws, _ := workspace(t)
						o := helperOnOldKernel(t, l, u.cred, ws, withReport,
							"--sandbox-policy-cwd", ws, "--sandbox-policy", policy, "--", "sh", "-c", ranScript)
						if o.code != ExitSetupFailed {
							t.Errorf("exit %d, want %d (stderr %q)", o.code, ExitSetupFailed, o.stderr)
						}
						want := ToolName + ": sandbox setup failed: " + l.Want
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
								!strings.Contains(o.reports[0].Error, l.Want) || o.reports[0].Report != nil {
								t.Errorf("reports = %+v, want one stage \"error\" with exit_code %d saying %q", o.reports, ExitSetupFailed, l.Want)
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
		lack          kerneltest.Lack
		policy        string
		wantMechanism string
	}{
		{"danger, no landlock built in", kernelLacks[0], `{"mode":"danger-full-access"}`, "none"},
		{"danger, landlock disabled at boot", kernelLacks[1], `{"mode":"danger-full-access"}`, "none"},
		{"danger, no seccomp", kernelLacks[2], `{"mode":"danger-full-access"}`, "none"},
		{"workspace-write, this kernel", kerneltest.Lack{}, `{"mode":"workspace-write"}`, "landlock"},
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
			t.Run(u.name+"/"+l.Name, func(t *testing.T) {
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
				if !strings.Contains(e.Error, l.Want) {
					t.Errorf("error = %q, want it to say %q", e.Error, l.Want)
				}
				// A reader who skips "error" must not be misled either.
				if e.Mechanism != "none" || !strings.Contains(strings.Join(e.Unavailable, "\n"), l.Want) {
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
	for _, l := range append([]kerneltest.Lack{{Name: "this kernel"}}, kernelLacks...) {
		t.Run(l.Name, func(t *testing.T) {
			var abi int
			var prctlErr syscall.Errno
			var prepErr string
			err := kerneltest.Run(l, func() error {
				abi = landlockABI()
				_, _, prctlErr = unix.RawSyscall(unix.SYS_PRCTL, unix.PR_GET_SECCOMP, 0, 0)
				prepErr = Prepare(plan).Error
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if wantNone := l.LandlockErrno != 0; (abi < 1) != wantNone {
				t.Errorf("landlock ABI %d, want none: %v", abi, wantNone)
			}
			if want := map[bool]syscall.Errno{true: unix.EINVAL}[l.NoSeccomp]; prctlErr != want {
				t.Errorf("prctl(PR_GET_SECCOMP) errno %v, want %v", prctlErr, want)
			}
			if !strings.Contains(prepErr, l.Want) || (l.Want == "") != (prepErr == "") {
				t.Errorf("Prepare error %q, want %q", prepErr, l.Want)
			}
		})
	}
}
