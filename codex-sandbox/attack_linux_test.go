//go:build linux

package sandbox

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The adversarial suite: each test runs one real escape attempt (the
// attacker in attacker_linux_test.go) inside the sandbox, as root and as
// uid 65534, against the supervisor and a stand-in for the agent (a
// process of the same user holding a secret in its environment), and
// requires it to fail. The same attempt under danger-full-access, where
// the same supervisor starts the command with no restriction, must
// succeed: that run proves each test can fail. Setting
// CODEX_ATTACK_SUPERVISOR to another codex-sandbox binary (an older
// build) runs the protected cases against it instead.

// attackSetup is one run of an attack.
type attackSetup struct {
	mode   string
	cred   *syscall.Credential
	flags  []string // more codex-sandbox flags
	args   []string // the attack's arguments
	env    []string // more variables for the attacker
	stdin  *os.File // the supervisor's stdin instead of the targets pipe
	report *os.File // handed down as fd 3 (--report-fd 3)
	// agent: the supervisor is the agent itself (agentStandIn, the Go
	// API with Supervisor.InProcess) instead of codex-sandbox.
	agent bool
	// ahead: the agent stand-in hands the command to a helper it started
	// ahead (agentAheadStandIn).
	ahead bool
	// helper runs the standalone helper (codex-linux-sandbox, no PID
	// namespace, the command in its place) instead of codex-sandbox; the
	// only target is then the agent stand-in.
	helper bool
	// helperProcess: codex-sandbox starts the helper process
	// (CODEX_SANDBOX_HELPER=1) where it would set the sandbox up itself
	// (root: linuxsandbox.Launch); both shapes are attacked.
	helperProcess bool
	// sibling makes the agent stand-in a sandboxed command itself (the
	// standalone helper, workspace-write with the network on): another
	// sandbox's command, with rights this one lacks.
	sibling bool
}

// attackResult is what the attacker said and how the supervisor ended
// (code -1 and sup still running for a held attacker).
type attackResult struct {
	line   string
	code   int
	victim *exec.Cmd
	sup    *exec.Cmd
	root   bool
	// dumpableAgent: the supervisor is an agent stand-in that never
	// made itself non-dumpable (it parked no helper ahead).
	dumpableAgent bool
}

// victim starts the stand-in for the agent: a process of cred holding
// secret in its environment.
func victim(t *testing.T, cred *syscall.Credential, secret string) *exec.Cmd {
	t.Helper()
	v := exec.Command("sleep", "1000"+marker(t))
	v.Env = []string{"CODEX_SECRET=" + secret, "PATH=/usr/bin:/bin"}
	v.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = v.Process.Signal(syscall.SIGCONT)
		_ = v.Process.Kill()
		_ = v.Wait()
	})
	return v
}

// supervisorBinary is the codex-sandbox the protected cases attack: this
// test binary, or CODEX_ATTACK_SUPERVISOR.
func supervisorCmd(t *testing.T, mode string, agent bool, args ...string) *exec.Cmd {
	t.Helper()
	if agent {
		return agentCmd(t, args...)
	}
	if alt := os.Getenv("CODEX_ATTACK_SUPERVISOR"); alt != "" && mode != "danger-full-access" {
		cmd := exec.Command(alt, args...)
		cmd.Env = testEnv()
		return cmd
	}
	return csCmd(t, args...)
}

// runAttack runs the attack name under s and returns the attacker's line.
func runAttack(t *testing.T, name string, s attackSetup) attackResult {
	t.Helper()
	ws, _ := workspace(t)
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	var v *exec.Cmd
	if s.sibling {
		v = siblingVictim(t, s.cred, "secret-"+marker(t), ws)
	} else {
		v = victim(t, s.cred, "secret-"+marker(t))
	}
	argv := append([]string{"env", "CODEX_TEST_PROBE=1"}, s.env...)
	argv = append(append(argv, bin, "attack", name), s.args...)
	flags := append([]string{"--sandbox", s.mode, "--cd", ws}, s.flags...)
	if s.helper {
		flags = append([]string{"--sandbox-policy-cwd", ws, "--sandbox-policy", `{"mode":"` + s.mode + `"}`}, s.flags...)
	}
	cmd := supervisorCmd(t, s.mode, s.agent, append(append(flags, "--"), argv...)...)
	if s.helper {
		cmd.Args[0] = "codex-linux-sandbox"
	}
	if s.helperProcess {
		if cmd.Env == nil {
			cmd.Env = os.Environ()
		}
		cmd.Env = append(cmd.Env, "CODEX_SANDBOX_HELPER=1")
	}
	if s.ahead {
		cmd.Args[0] = agentAheadStandIn
	}
	if s.agent && s.mode != "danger-full-access" {
		cmd.Env = append(cmd.Env, mustInProcessVar+"=1")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	var targets io.WriteCloser
	if s.stdin != nil {
		cmd.Stdin = s.stdin
	} else if targets, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if s.report != nil {
		cmd.ExtraFiles = []*os.File{s.report}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
	})
	if targets != nil {
		// The agent first: an attacker that kills the supervisor first
		// dies with it before saying so.
		if s.helper {
			fmt.Fprintf(targets, "%d\n", v.Process.Pid)
		} else {
			fmt.Fprintf(targets, "%d %d\n", v.Process.Pid, cmd.Process.Pid)
		}
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("attacker said nothing: %v", err)
	}
	line = strings.TrimSpace(line)
	if targets != nil {
		_ = targets.Close()
	}
	res := attackResult{line: line, victim: v, sup: cmd, code: -1, root: s.cred == nil, dumpableAgent: s.agent && !s.ahead}
	if !strings.Contains(strings.Join(s.env, " "), "CODEX_TEST_HOLD=1") {
		res.code = exitCode(t, cmd.Wait())
	}
	return res
}

// checkAttack runs name protected (must be blocked) and, as the
// baseline, under danger-full-access (must escape), for both users with
// codex-sandbox as the supervisor, and with the agent supervising
// in-process (Supervisor.InProcess; as uid 65534 its helper has a user
// namespace too), with and without a helper started ahead. The agent
// stand-in must then supervise a protected command itself
// (mustInProcessVar), not fall back to a codex-sandbox process.
func checkAttack(t *testing.T, name string, protected string, s func(t *testing.T) attackSetup, after func(t *testing.T, r attackResult, escaped bool)) {
	checkAttackAs(t, users, true, name, protected, s, after)
}

// checkAttackAs is checkAttack for the given users only, with the agent
// as the supervisor too when agentShape.
func checkAttackAs(t *testing.T, who []struct {
	name string
	cred *syscall.Credential
}, agentShape bool, name string, protected string, s func(t *testing.T) attackSetup, after func(t *testing.T, r attackResult, escaped bool)) {
	for _, u := range who {
		shapes := []string{""}
		if u.cred == nil {
			// As root codex-sandbox sets the sandbox up itself; the
			// helper process is attacked too.
			shapes = append(shapes, "helper-process/")
		}
		if agentShape {
			shapes = append(shapes, "agent/", "agent-ahead/")
		}
		for _, shape := range shapes {
			for _, mode := range []string{protected, "danger-full-access"} {
				t.Run(u.name+"/"+shape+mode, func(t *testing.T) {
					setup := s(t)
					setup.mode, setup.cred = mode, u.cred
					setup.agent, setup.ahead = strings.HasPrefix(shape, "agent"), shape == "agent-ahead/"
					setup.helperProcess = shape == "helper-process/"
					r := runAttack(t, name, setup)
					t.Logf("%s", r.line)
					escaped := strings.HasPrefix(r.line, "ESCAPED")
					if mode == "danger-full-access" && !escaped {
						t.Errorf("baseline: the attack failed without a sandbox, so this test cannot fail: %s", r.line)
					}
					if mode != "danger-full-access" && !strings.HasPrefix(r.line, "blocked") {
						t.Errorf("the sandbox let it through: %s", r.line)
					}
					if after != nil {
						after(t, r, mode == "danger-full-access")
					}
				})
			}
		}
	}
}

// TestAttackPtrace: PTRACE_ATTACH to the supervisor (or the agent) and a
// write into its code, which as root used to run anything unsandboxed.
func TestAttackPtrace(t *testing.T) {
	checkAttack(t, "ptrace", "read-only", func(*testing.T) attackSetup { return attackSetup{} }, nil)
}

// TestAttackProcMem: a write through /proc/PID/mem.
func TestAttackProcMem(t *testing.T) {
	checkAttack(t, "mem", "read-only", func(*testing.T) attackSetup { return attackSetup{} }, nil)
}

// TestAttackStealFDs: pidfd_getfd of the supervisor's descriptors, with a
// forged result written into its report pipe (--report-fd 3, as the Go
// API uses), which must not reach the reader.
func TestAttackStealFDs(t *testing.T) {
	var r, w *os.File
	checkAttack(t, "getfd", "read-only", func(t *testing.T) attackSetup {
		var err error
		if r, w, err = os.Pipe(); err != nil {
			t.Fatal(err)
		}
		rr, ww := r, w
		t.Cleanup(func() { _ = rr.Close(); _ = ww.Close() })
		return attackSetup{flags: []string{"--report-fd", "3"}, report: w}
	}, func(t *testing.T, res attackResult, baseline bool) {
		// The supervisor has exited: with our end closed, the report is
		// all there is to read.
		_ = w.Close()
		b, _ := io.ReadAll(r)
		// Only root may take a non-dumpable supervisor's descriptors
		// without a sandbox (uid 65534's baseline takes the agent's). An
		// agent that has run nothing in-process and parked nothing yet (a
		// danger-full-access command goes to a codex-sandbox process) is
		// still dumpable: its own user's unrestricted command takes its
		// descriptors too.
		if forged := strings.Contains(string(b), "FORGED"); forged != (baseline && (res.root || res.dumpableAgent)) {
			t.Errorf("forged result in the report: %v (baseline %v): %s", forged, baseline, b)
		}
	})
}

// TestAttackSignals: SIGSTOP the supervisor (to defeat --timeout) and the
// agent, directly and through a /proc/PID directory used as a pidfd; the
// timeout must still hold and the agent keep running.
func TestAttackSignals(t *testing.T) {
	checkAttack(t, "stop", "read-only", func(*testing.T) attackSetup {
		return attackSetup{flags: []string{"--timeout", "2s"}, env: []string{"CODEX_TEST_HOLD=1"}}
	}, func(t *testing.T, r attackResult, baseline bool) {
		if baseline {
			return
		}
		if st := procState(r.victim.Process.Pid); st == "T" {
			t.Errorf("the agent stand-in was stopped")
		}
		if code := exitCode(t, r.sup.Wait()); code != ExitTimeout {
			t.Errorf("supervisor exit %d, want %d: the timeout did not hold", code, ExitTimeout)
		}
	})
}

// TestAttackKill: SIGKILL of the supervisor (its tree would then never be
// ended) and of the agent.
func TestAttackKill(t *testing.T) {
	checkAttack(t, "kill", "read-only", func(*testing.T) attackSetup { return attackSetup{} },
		func(t *testing.T, r attackResult, baseline bool) {
			if !baseline && procState(r.victim.Process.Pid) == "" {
				t.Errorf("the agent stand-in was killed")
			}
		})
}

// TestAttackPrlimit: setting the supervisor's or agent's resource limits
// (e.g. no open files), which neither ptrace nor signal rules cover.
func TestAttackPrlimit(t *testing.T) {
	checkAttack(t, "prlimit", "read-only", func(*testing.T) attackSetup { return attackSetup{} }, nil)
}

// TestAttackAgentEnviron: reading the agent's secrets (API keys) in
// /proc/PID/environ.
func TestAttackAgentEnviron(t *testing.T) {
	checkAttack(t, "environ", "read-only", func(t *testing.T) attackSetup {
		return attackSetup{args: []string{"secret-" + marker(t)}}
	}, nil)
}

// sysvKey is a SysV IPC key unique to the test.
func sysvKey(t *testing.T, salt int) int {
	return 0x5c000000 | (os.Getpid()&0xfff)<<12 | int(hashName(t.Name()))&0xff0 | salt
}

func hashName(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// TestAttackSysVShm: writing into a shared memory segment made outside
// (a database's, X's).
func TestAttackSysVShm(t *testing.T) {
	var seg []byte
	checkAttack(t, "shm", "workspace-write", func(t *testing.T) attackSetup {
		key := sysvKey(t, 1)
		id, err := unix.SysvShmGet(key, 4096, unix.IPC_CREAT|unix.IPC_EXCL|0o666)
		if err != nil {
			t.Fatal(err)
		}
		if seg, err = unix.SysvShmAttach(id, 0, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = unix.SysvShmDetach(seg); _, _ = unix.SysvShmCtl(id, unix.IPC_RMID, nil) })
		return attackSetup{args: []string{strconv.Itoa(key)}, env: []string{"CODEX_TEST_NO_TARGETS=1"}, stdin: devNull(t)}
	}, func(t *testing.T, _ attackResult, baseline bool) {
		if wrote := string(seg[:5]) == "PWNED"; wrote != baseline {
			t.Errorf("segment written: %v (baseline %v)", wrote, baseline)
		}
	})
}

// TestAttackSysVMsg: queueing a message on a queue made outside.
func TestAttackSysVMsg(t *testing.T) {
	checkAttack(t, "msg", "workspace-write", func(t *testing.T) attackSetup {
		key := sysvKey(t, 2)
		id, _, e := unix.Syscall(unix.SYS_MSGGET, uintptr(key), unix.IPC_CREAT|unix.IPC_EXCL|0o666, 0)
		if e != 0 {
			t.Fatal(e)
		}
		t.Cleanup(func() { _, _, _ = unix.Syscall(unix.SYS_MSGCTL, id, unix.IPC_RMID, 0) })
		return attackSetup{args: []string{strconv.Itoa(key)}, env: []string{"CODEX_TEST_NO_TARGETS=1"}, stdin: devNull(t)}
	}, nil)
}

// TestAttackKeyring: add_key into the user keyring, which unsandboxed
// processes of the same user (root's included) read.
func TestAttackKeyring(t *testing.T) {
	checkAttack(t, "addkey", "workspace-write", func(t *testing.T) attackSetup {
		return attackSetup{args: []string{"codex-test-" + marker(t)}, env: []string{"CODEX_TEST_NO_TARGETS=1"}, stdin: devNull(t)}
	}, func(t *testing.T, r attackResult, baseline bool) {
		var serial int
		if _, err := fmt.Sscanf(r.line, "ESCAPED: key %d", &serial); err == nil {
			_, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, serial, 0, 0, 0)
		}
	})
}

// TestAttackUnixDatagram: a datagram to a pathname unix socket outside
// (like /dev/log) with the network off, through sendmsg, whose address
// seccomp cannot read.
func TestAttackUnixDatagram(t *testing.T) {
	var srv int
	checkAttack(t, "dgram", "workspace-write", func(t *testing.T) attackSetup {
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "log")
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		srv = fd
		t.Cleanup(func() { _ = unix.Close(fd) })
		if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o777); err != nil {
			t.Fatal(err)
		}
		return attackSetup{args: []string{path}, env: []string{"CODEX_TEST_NO_TARGETS=1"}, stdin: devNull(t),
			flags: []string{"--exclude-slash-tmp"}}
	}, func(t *testing.T, _ attackResult, baseline bool) {
		b := make([]byte, 16)
		n, _, _ := unix.Recvfrom(srv, b, unix.MSG_DONTWAIT)
		if got := n > 0; got != baseline {
			t.Errorf("datagram received: %v (baseline %v)", got, baseline)
		}
	})
}

// TestAttackTIOCSTI: typing into the inherited terminal (the user's
// shell would run what is typed once the command ends).
func TestAttackTIOCSTI(t *testing.T) {
	checkAttack(t, "tiocsti", "workspace-write", func(t *testing.T) attackSetup {
		master, tty := openPty(t)
		t.Cleanup(func() { _ = master.Close(); _ = tty.Close() })
		return attackSetup{stdin: tty, env: []string{"CODEX_TEST_NO_TARGETS=1"}, flags: []string{"--new-session"}}
	}, nil)
}

// TestAttackInheritedFDs: a descriptor beyond stdin, stdout and stderr
// that reaches a sandboxed command (the supervisor's report pipe, one the
// caller left open) may lead to a file outside the sandbox, opened before
// it. Restricted commands get none; under danger-full-access the
// caller's descriptors pass through, which shows the check can fail.
func TestAttackInheritedFDs(t *testing.T) {
	for _, u := range users {
		for _, mode := range []string{"workspace-write", "danger-full-access"} {
			t.Run(u.name+"/"+mode, func(t *testing.T) {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = r.Close(); _ = w.Close() })
				// fd 3 of the supervisor, not its --report-fd: left open.
				got := runAttack(t, "fds", attackSetup{mode: mode, cred: u.cred, report: w,
					env: []string{"CODEX_TEST_NO_TARGETS=1"}, stdin: devNull(t)})
				t.Logf("%s", got.line)
				if mode == "danger-full-access" && !strings.HasPrefix(got.line, "ESCAPED") {
					t.Errorf("baseline: an fd handed down was not seen, so this test cannot fail: %s", got.line)
				}
				if mode != "danger-full-access" && !strings.HasPrefix(got.line, "blocked") {
					t.Errorf("the command inherited descriptors: %s", got.line)
				}
			})
		}
	}
}

func devNull(t *testing.T) *os.File {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// procState is the state letter of pid ("" if it is gone or a zombie).
func procState(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+3 > len(s) {
		return ""
	}
	if st := s[i+2 : i+3]; st != "Z" {
		return st
	}
	return ""
}

// openPty opens a pseudo-terminal pair.
func openPty(t *testing.T) (master, tty *os.File) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(s.Name(), 0o666)
	return m, s
}
