//go:build linux

package sandbox

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCommandHoldsNoPrivileges checks what the command itself carries
// (started through the helper, as root in a PID namespace, otherwise in
// a user namespace).
func TestCommandHoldsNoPrivileges(t *testing.T) {
	ws, _ := workspace(t)
	want := []string{"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
		"CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2",
		"TracerPid:\t0"}
	for _, mode := range []string{"read-only", "workspace-write"} {
		t.Run(mode, func(t *testing.T) {
			r := cs(t, "", "--cd", ws, "--sandbox", mode, "--", "cat", "/proc/self/status")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, w := range want {
				if !strings.Contains(r.stdout, w+"\n") {
					t.Errorf("command's status lacks %q", w)
				}
			}
		})
	}
}

// TestDirectStartRestoresEnvironment checks that the GOMAXPROCS the Go API
// sets for the supervisor's start is undone for the command, and that the
// sandbox variables are added.
func TestDirectStartRestoresEnvironment(t *testing.T) {
	ws, _ := workspace(t)
	cmd := csCmd(t, "--cd", ws, "--sandbox", "workspace-write", "--", "env")
	cmd.Env = append(testEnv(), "GOMAXPROCS=1", "CODEX_SANDBOX_GOMAXPROCS_ORIG=set:3")
	out, err := cmd.Output()
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("exit %d", code)
	}
	env := "\n" + string(out)
	for _, w := range []string{"\nGOMAXPROCS=3\n", "\nCODEX_SANDBOX=landlock\n", "\nCODEX_SANDBOX_NETWORK_DISABLED=1\n"} {
		if !strings.Contains(env, w) {
			t.Errorf("command's environment lacks %q", strings.TrimSpace(w))
		}
	}
	for _, bad := range []string{"\nGOMAXPROCS=1\n", "CODEX_SANDBOX_GOMAXPROCS_ORIG="} {
		if strings.Contains(env, bad) {
			t.Errorf("command's environment has %q", strings.TrimSpace(bad))
		}
	}
	if os.Geteuid() != 0 {
		t.Log("not root: the helper path was tested, not the direct one")
	}
}

// TestInProcessCallerStaysUnrestricted runs Main inside this process,
// as a library caller would: the sandbox is applied to a thread of its
// own, never to the caller's, which can still write outside the roots.
func TestInProcessCallerStaysUnrestricted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the direct start needs root (CAP_SYS_ADMIN); CI runs as root")
	}
	ws, _ := workspace(t)
	outside := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"--cd", ws, "--sandbox-policy", `{"mode":"workspace-write","exclude_slash_tmp":true,"exclude_tmpdir_env_var":true}`,
		"--", "sh", "-c", "touch inside; touch " + filepath.Join(outside, "from-command")}, nil, &stdout, &stderr)
	if code == 0 {
		t.Fatalf("the command wrote outside its roots (exit 0)")
	}
	if _, err := os.Stat(filepath.Join(ws, "inside")); err != nil {
		t.Fatalf("the command did not run: %v (stderr %q)", err, stderr.String())
	}
	for i := 0; i < 20; i++ {
		// Several writes, so the goroutine would meet a restricted
		// thread if one had been left behind.
		if err := os.WriteFile(filepath.Join(outside, "caller"), []byte("x"), 0o644); err != nil {
			t.Fatalf("caller restricted after Main returned: %v", err)
		}
	}
}

// TestCancelledBeforeStart checks that a supervisor cancelled before the
// command starts never starts it and reports the signal's status.
func TestCancelledBeforeStart(t *testing.T) {
	ws, _ := workspace(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, mode := range []string{"danger-full-access", "workspace-write"} {
		t.Run(mode, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(ctx, []string{"--cd", ws, "--sandbox", mode, "--", "touch", "marker-" + mode}, nil, &stdout, &stderr)
			if code != 128+15 {
				t.Errorf("exit %d, want %d (SIGTERM); stderr %q", code, 128+15, stderr.String())
			}
			if _, err := os.Stat(filepath.Join(ws, "marker-"+mode)); err == nil {
				t.Errorf("the command ran although the supervisor was cancelled first")
			}
		})
	}
}

// TestLaunchShape: as root codex-sandbox sets the sandbox up itself
// (linuxsandbox.Launch: the init gets a control socket, "3,4"), and with
// CODEX_SANDBOX_HELPER=1, or without CAP_SYS_CHROOT (which entering the
// init's mount namespace needs), starts the helper, which execs the init
// ("3"); either way the command's parent, PID 1, is restricted whole:
// one thread, no capability, no_new_privs and seccomp.
func TestLaunchShape(t *testing.T) {
	needRoot(t)
	ws, _ := workspace(t)
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	// setpriv execs it by a path whose last element names the tool.
	named := filepath.Join(t.TempDir(), ToolName)
	if err := os.Symlink(bin, named); err != nil {
		t.Fatal(err)
	}
	probe := `tr '\0' ' ' < /proc/1/cmdline; echo; grep -E '^(Threads|CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' /proc/1/status`
	args := []string{"--sandbox", "workspace-write", "--cd", ws, "--", "sh", "-c", probe}
	for _, tc := range []struct {
		name string
		env  []string
		via  []string
		head string
	}{
		{"launch", nil, nil, "3,4 "},
		{"CODEX_SANDBOX_HELPER=1", []string{"CODEX_SANDBOX_HELPER=1"}, nil, "3 "},
		{"no CAP_SYS_CHROOT", nil, []string{"setpriv", "--bounding-set=-sys_chroot", "--inh-caps=-sys_chroot", "--", named}, "3 "},
	} {
		cmd := csCmd(t, args...)
		if tc.via != nil {
			cmd = exec.Command(tc.via[0], append(tc.via[1:], args...)...)
			cmd.Env = testEnv()
		}
		cmd.Env = append(cmd.Env, tc.env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		lines := strings.Split(string(out), "\n")
		if !strings.HasPrefix(lines[0], tc.head) {
			t.Errorf("%s: PID 1 is %q, want the init started as %q", tc.name, lines[0], tc.head)
		}
		for _, want := range []string{"Threads:\t1", "CapEff:\t0000000000000000", "CapPrm:\t0000000000000000",
			"CapBnd:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2"} {
			if !slices.Contains(lines, want) {
				t.Errorf("%s: PID 1 lacks %q:\n%s", tc.name, want, out)
			}
		}
	}
}
