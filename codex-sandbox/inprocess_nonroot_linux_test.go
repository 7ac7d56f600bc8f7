//go:build linux

package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/codexgo/common/protocol"
)

// nobody is the unprivileged user the tests run the agent stand-in as.
var nobody = &syscall.Credential{Uid: 65534, Gid: 65534}

// shapeRun is what one run of codex-sandbox or the agent stand-in gave:
// exit code, output and the result it wrote to --report-fd 3 (without
// its duration).
type shapeRun struct {
	code           int
	stdout, stderr string
	result         string
}

// runShape runs cmd (codex-sandbox or the agent stand-in, with
// codex-sandbox's args) and collects its shapeRun.
func runShape(t *testing.T, cmd *exec.Cmd) shapeRun {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = &stdout, &stderr, []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	b, _ := io.ReadAll(r)
	code := exitCode(t, cmd.Wait())
	var res protocol.ExecResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("%s: result %q: %v (stderr %q)", cmd.Args[0], b, err, stderr.String())
	}
	res.DurationMS = 0
	return shapeRun{code: code, stdout: stdout.String(), stderr: stderr.String(), result: string(res.AppendJSON(nil))}
}

// TestInProcessSameAsProcessUnprivileged is TestInProcessSameAsProcess
// as uid 65534, whose in-process helper has a user namespace of its own
// (and maps its own ids): a command that runs (as its own uid and gid,
// with .git read-only through the mount namespace, without the ids'
// variable), a write the sandbox refuses, a missing command and a
// missing directory give the same exit code, output, messages and
// result in both shapes, and with a helper started ahead (as
// restricted: no capability, no_new_privs, seccomp). The agent
// stand-in must supervise each that starts itself.
func TestInProcessSameAsProcessUnprivileged(t *testing.T) {
	ws, _ := workspace(t)
	script := `id -u; id -g; echo "[$CODEX_SANDBOX_MAP_IDS]"; touch .git/x || echo refused; cat /proc/self/uid_map; ` +
		`grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t\n' '  '`
	for _, c := range []struct {
		args []string
		// started: the request reaches the helper; a missing directory
		// is refused before, by a codex-sandbox process in both shapes.
		started bool
	}{
		{[]string{"--sandbox", "workspace-write", "--cd", ws, "--", "sh", "-c", script}, true},
		{[]string{"--sandbox", "workspace-write", "--cd", ws, "--", "sh", "-c", "touch /usr/x"}, true},
		{[]string{"--cd", ws, "--", "no-such-command-x"}, true},
		{[]string{"--cd", filepath.Join(ws, "missing"), "--", "true"}, false},
	} {
		args := c.args
		shapes := []string{ToolName, agentStandIn}
		if c.started {
			// A helper started ahead must take exactly this plan, and
			// restrict itself as one started for the command does.
			shapes = append(shapes, agentAheadStandIn)
		}
		var got []shapeRun
		for _, shape := range shapes {
			cmd := csCmd(t, append([]string{"--report-fd", "3"}, args...)...)
			if shape != ToolName {
				cmd = agentCmd(t, append([]string{"--report-fd", "3"}, args...)...)
				cmd.Args[0] = shape
				if c.started {
					cmd.Env = append(cmd.Env, mustInProcessVar+"=1")
				}
			}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: nobody}
			got = append(got, runShape(t, cmd))
		}
		for i := 1; i < len(got); i++ {
			if got[0] != got[i] {
				t.Errorf("%v:\nprocess: %+v\n%s: %+v", args, got[0], shapes[i], got[i])
			}
		}
		if args[len(args)-1] == script {
			want := "65534\n65534\n[]\nrefused\n     65534      65534          1\n" +
				"CapInh: 0000000000000000 CapPrm: 0000000000000000 CapEff: 0000000000000000 CapBnd: 0000000000000000 " +
				"CapAmb: 0000000000000000 NoNewPrivs: 1 Seccomp: 2 "
			if got[1].code != 0 || got[1].stdout != want {
				t.Errorf("in-process run as uid 65534: exit %d, stdout %q, want %q (stderr %q)", got[1].code, got[1].stdout, want, got[1].stderr)
			}
		}
	}
}

// TestInProcessNestedFallsBack runs the agent stand-in as a sandboxed
// command, where it may not create namespaces (seccomp, as in a nested
// container without user namespaces): its in-process start is refused
// before anything runs and a codex-sandbox process, a subreaper, takes
// the command, so the background and setsid'd descendants the command
// leaves are ended when it exits. A helper started there without its
// PID namespace by the stand-in itself (which is no subreaper) leaves
// both alive: seen failing so, by retrying without the user namespace
// in-process. (Root, left without capabilities inside, does not even
// ask for one: TestInProcessRootWithoutSysAdmin; uid 65534 is refused.)
func TestInProcessNestedFallsBack(t *testing.T) {
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		t.Run(u.name, func(t *testing.T) {
			ws, _ := workspace(t)
			mark := marker(t)
			inner := fmt.Sprintf(`(exec -a %s %s --sandbox read-only -- sh -c %q); echo "exit $?"; `+
				`for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' < "$f" 2>/dev/null; echo; done | grep -c '^sleep %s $'`,
				agentStandIn, bin, strings.Join(spawner(mark, false)[2:], " "), mark)
			cmd := csCmd(t, "--cd", ws, "--sandbox", "workspace-write", "--", "bash", "-c", inner)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			// grep -c exits 1 when it counts 0.
			if code := exitCode(t, err); code != 0 && code != 1 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if got := string(out); got != "ready\nexit 0\n0\n" {
				t.Errorf("got %q, want the command's line, exit 0 and no survivor (stderr %q)", got, stderr.String())
			}
		})
	}
}

// TestInProcessAgentNeverDumpable attacks the agent (the stand-in as
// uid 65534, supervising in-process) while it is always mid-spawn (two
// goroutines keep starting commands, spawnLoopVar): a sandboxed command
// it supervises and, beside it, an unsandboxed process of the same user
// (stronger than any sandboxed command: same uid, no Landlock, no PID
// namespace) each try thousands of times to open the agent's
// /proc/PID/mem and to seize it with ptrace. Both must fail every time:
// the agent is non-dumpable before its first spawn and never again
// dumpable (the helper maps its own ids). Seen failing with the agent
// made dumpable for the instant of each spawn (the unsandboxed attacker
// gets in within its first attempts); the sandboxed one's baseline is
// the same attack under danger-full-access on a dumpable process of the
// same user, which must get in.
func TestInProcessAgentNeverDumpable(t *testing.T) {
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"read-only", "danger-full-access"} {
		t.Run(mode, func(t *testing.T) {
			ws, _ := workspace(t)
			v := victim(t, nobody, "secret-"+marker(t))
			cmd := agentCmd(t, "--sandbox", mode, "--cd", ws, "--", "env", "CODEX_TEST_PROBE=1", "CODEX_TEST_HOLD=1", bin, "attack", "window", "3000")
			cmd.Env = append(cmd.Env, spawnLoopVar+"="+ws, mustInProcessVar+"=1")
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: nobody}
			targets, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}()
			// The agent first; under danger-full-access the dumpable
			// victim too (the baseline's target).
			list := fmt.Sprint(cmd.Process.Pid)
			if mode == "danger-full-access" {
				list += fmt.Sprint(" ", v.Process.Pid)
			}
			fmt.Fprintln(targets, list)
			_ = targets.Close()
			line := readLine(t, out)
			t.Logf("sandboxed: %s", line)
			switch escaped := strings.HasPrefix(line, "ESCAPED"); {
			case mode == "danger-full-access" && !escaped:
				t.Errorf("baseline: the attack failed without a sandbox, so this test cannot fail: %s", line)
			case mode != "danger-full-access" && !strings.HasPrefix(line, "blocked"):
				t.Errorf("a sandboxed command got at the agent: %s", line)
			}
			if mode == "danger-full-access" {
				return
			}
			// The command holds (CODEX_TEST_HOLD), so the agent keeps
			// spawning while the unsandboxed attacker runs.
			outside := exec.Command(bin, "attack", "window", "20000")
			outside.Env = []string{"CODEX_TEST_PROBE=1"}
			outside.Stdin = strings.NewReader(fmt.Sprintln(cmd.Process.Pid))
			outside.SysProcAttr = &syscall.SysProcAttr{Credential: nobody}
			b, err := outside.Output()
			if err != nil {
				t.Fatalf("outside attacker: %v", err)
			}
			t.Logf("outside: %s", b)
			if !strings.HasPrefix(string(b), "blocked") {
				t.Errorf("a process of the same user got at the agent mid-spawn: %s", b)
			}
		})
	}
}

// TestInProcessRootWithoutSysAdmin: root without CAP_SYS_ADMIN (a
// container's dropped capabilities) gets the unprivileged shape, its
// helper mapping uid and gid 0 itself, supervised in-process. Without
// CAP_SETFCAP too, the kernel refuses a helper mapping uid 0 (it takes
// that capability of the namespace's maker), so no user namespace is
// asked for: the command runs as codex-sandbox runs it where user
// namespaces are refused, through a codex-sandbox process, with the
// same result in both shapes. Seen failing when the helper was started
// in a user namespace there regardless (125: its map refused).
func TestInProcessRootWithoutSysAdmin(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root; CI runs as root")
	}
	ws, _ := workspace(t)
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// setpriv execs them by paths whose last elements name the shapes.
	for _, name := range []string{ToolName, agentStandIn} {
		if err := os.Symlink(bin, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"--report-fd", "3", "--sandbox", "workspace-write", "--cd", ws, "--", "sh", "-c", "id -u; id -g; cat /proc/self/uid_map"}
	for _, c := range []struct {
		drop, stdout string
		inProcess    bool
	}{
		{"-sys_admin", "0\n0\n         0          0          1\n", true},
		{"-sys_admin,-setfcap", "0\n0\n         0          0 4294967295\n", false},
	} {
		var got []shapeRun
		for _, shape := range []string{ToolName, agentStandIn} {
			cmd := exec.Command("setpriv", append([]string{"--bounding-set=" + c.drop, "--inh-caps=" + c.drop, "--", filepath.Join(dir, shape)}, args...)...)
			cmd.Env = testEnv()
			if shape == agentStandIn && c.inProcess {
				cmd.Env = append(cmd.Env, mustInProcessVar+"=1")
			}
			got = append(got, runShape(t, cmd))
		}
		if got[0] != got[1] {
			t.Errorf("%s:\nprocess:    %+v\nin-process: %+v", c.drop, got[0], got[1])
		}
		if got[1].code != 0 || got[1].stdout != c.stdout {
			t.Errorf("%s: exit %d, stdout %q, want %q (stderr %q)", c.drop, got[1].code, got[1].stdout, c.stdout, got[1].stderr)
		}
	}
}
