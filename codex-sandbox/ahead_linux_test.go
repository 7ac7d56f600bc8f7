//go:build linux

package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/proctest"
	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// aheadParker is the argv[0] under which the test binary parks a helper
// (Ahead), prints its pid and waits for its stdin to close: the agent
// that dies with a helper parked.
const aheadParker = "codex-agent-parker"

// runAheadParker is the parker's main.
func runAheadParker() int {
	a := &Ahead{Always: true}
	if err := a.Start(); err != nil {
		fmt.Println(err)
		return 1
	}
	if err := a.WaitReady(); err != nil || a.p == nil {
		fmt.Println("not parked", err)
		return 1
	}
	fmt.Println(a.p.pid)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("helpers started ahead need CAP_SYS_ADMIN; CI runs as root")
	}
}

// parkedNow starts a helper ahead in a and waits until it is parked.
func parkedNow(t *testing.T, a *Ahead) *parked {
	t.Helper()
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitReady(); err != nil {
		t.Fatal(err)
	}
	if a.p == nil {
		t.Fatal("nothing parked")
	}
	return a.p
}

// TestAheadRunsThePlanOfTheCall: a parked helper holds no policy; each
// command handed to one runs under the policy decided for that call
// (read-only refuses the write that workspace-write allows), with its
// input, output, status and report as without one.
func TestAheadRunsThePlanOfTheCall(t *testing.T) {
	needRoot(t)
	ws, _ := workspace(t)
	a := &Ahead{Always: true}
	defer func() { _ = a.Close() }()
	for _, tc := range []struct {
		mode protocol.SandboxMode
		want string
	}{
		{protocol.SandboxReadOnly, "denied"},
		{protocol.SandboxWorkspaceWrite, "written"},
		{protocol.SandboxReadOnly, "denied"},
	} {
		p := parkedNow(t, a)
		file := filepath.Join(ws, "f-"+string(tc.mode))
		var stdout, stderr bytes.Buffer
		res, err := Supervisor{InProcess: true, Ahead: a}.Run(context.Background(), protocol.ExecRequest{
			Argv: []string{"sh", "-c", `read x; echo "$x"; if { echo x > "$1"; } 2>/dev/null; then echo written; else echo denied; fi; exit 3`, "sh", file},
			Cwd:  ws, Stdin: ptr("in\n"), SandboxPolicy: protocol.SandboxPolicy{Mode: tc.mode},
		}, &stdout, &stderr)
		if err != nil {
			t.Fatal(err)
		}
		if !p.sent {
			t.Fatalf("%s: the command was not handed to the parked helper", tc.mode)
		}
		if a.p != nil {
			t.Fatalf("%s: the parked helper is still offered after its command", tc.mode)
		}
		if got := stdout.String(); got != "in\n"+tc.want+"\n" || res.ExitCode != 3 || stderr.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tc.mode, res.ExitCode, got, stderr.String())
		}
		if res.Sandbox == nil || res.Sandbox.Mechanism != "landlock" || !strings.Contains(strings.Join(res.Sandbox.Active, "\n"), "pid-namespace") {
			t.Errorf("%s: report %+v", tc.mode, res.Sandbox)
		}
	}
}

// TestAheadSameAsStarted: refusals and failures give the same result and
// messages whether the helper was started ahead or for the command.
func TestAheadSameAsStarted(t *testing.T) {
	needRoot(t)
	ws, _ := workspace(t)
	a := &Ahead{Always: true}
	defer func() { _ = a.Close() }()
	for _, req := range []protocol.ExecRequest{
		{Argv: []string{"no-such-command-x"}, Cwd: ws},
		// Refused before anything starts (a codex-sandbox process
		// words it): the parked helper stays parked.
		{Argv: []string{"true"}, Cwd: filepath.Join(ws, "missing")},
		{Argv: []string{"sh", "-c", "touch /usr/x"}, Cwd: ws, SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}},
		{Argv: []string{"sh", "-c", "kill -SEGV $$"}, Cwd: ws},
	} {
		inProcess := req.Cwd == ws
		var got [2]string
		for i, ahead := range []bool{false, true} {
			s := Supervisor{InProcess: true}
			var p *parked
			if ahead {
				p, s.Ahead = parkedNow(t, a), a
			}
			var stderr bytes.Buffer
			res, err := s.Run(context.Background(), req, nil, &stderr)
			if err != nil {
				t.Fatal(err)
			}
			if ahead && inProcess != p.sent {
				t.Fatalf("%v: not handed to the parked helper", req.Argv)
			}
			res.DurationMS = 0
			got[i] = string(res.AppendJSON(nil)) + " " + stderr.String()
		}
		if got[0] != got[1] {
			t.Errorf("%v:\nstarted: %s\nahead:   %s", req.Argv, got[0], got[1])
		}
	}
}

// fdTargets lists where pid's descriptors point.
func fdTargets(t *testing.T, pid int) []string {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		l, _ := os.Readlink(filepath.Join(dir, e.Name()))
		if strings.HasPrefix(l, "socket:") {
			l = "socket"
		}
		out = append(out, e.Name()+" "+l)
	}
	return out
}

// TestAheadHoldsNothing: a parked helper holds /dev/null, its report
// file and its plan socket, nothing of the caller's (no other
// descriptor, no environment but GOMAXPROCS=1) and no seccomp filter
// yet; once its command runs, the helper's process (the namespace's init) has
// one thread, restricted (seccomp filter, no_new_privs), and the command
// holds only its standard descriptors, as without a parked helper.
func TestAheadHoldsNothing(t *testing.T) {
	needRoot(t)
	ws, _ := workspace(t)
	// A descriptor of the caller's that a helper must not get.
	secret, err := os.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = secret.Close() }()
	unix.CloseOnExec(int(secret.Fd())) // as Go opens every file
	a := &Ahead{Always: true}
	defer func() { _ = a.Close() }()
	p := parkedNow(t, a)
	// 0-4 as given; anything else is the Go runtime's own (cgroup
	// files), closed on exec, or left open by what started this test
	// (as for any child), and nothing of the caller's.
	want := []string{"0 /dev/null", "1 /dev/null", "2 /dev/null", "3 /memfd:codex-sandbox-report (deleted)", "4 socket"}
	got := fdTargets(t, p.pid)
	var mine []string
	for _, fd := range got {
		n, target, _ := strings.Cut(fd, " ")
		if num, _ := strconv.Atoi(n); num <= 4 {
			mine = append(mine, fd)
			continue
		}
		info, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", p.pid, n))
		var flags int64
		for _, l := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(l, "flags:"); ok {
				flags, _ = strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			}
		}
		// A descriptor this test process inherited open across exec
		// (from whatever started it) reaches every child alike.
		inherited, _ := os.Readlink("/proc/self/fd/" + n)
		if err != nil || (flags&unix.O_CLOEXEC == 0 && inherited != target) || strings.HasPrefix(target, ws) || target == "socket" {
			t.Errorf("parked helper holds %s (flags %o, %v)", fd, flags, err)
		}
	}
	slices.SortFunc(mine, func(a, b string) int { return strings.Compare(a, b) })
	if !slices.Equal(mine, want) {
		t.Errorf("parked helper's descriptors:\n%q\nwant\n%q", got, want)
	}
	if env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p.pid)); err != nil || string(env) != "GOMAXPROCS=1\x00" {
		t.Errorf("parked helper's environment %q, %v", env, err)
	}
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid)); err != nil || !bytes.Contains(st, []byte("\nSeccomp:\t0\n")) {
		t.Errorf("parked helper status: %v\n%s", err, st)
	}

	list := `ls /proc/self/fd | tr '\n' ' '; echo; read x; exit 0`
	for _, ahead := range []bool{false, true} {
		s := Supervisor{InProcess: true}
		if ahead {
			p, s.Ahead = parkedNow(t, a), a
		}
		inR, inW, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan protocol.ExecResult, 1)
		go func() {
			res, _ := s.RunStdin(context.Background(), protocol.ExecRequest{Argv: []string{"sh", "-c", list}, Cwd: ws,
				SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}, inR, outW, nil)
			done <- res
		}()
		line := readLine(t, outR)
		if line != "0 1 2 3 " {
			t.Errorf("ahead %v: the command's descriptors: %q", ahead, line)
		}
		if ahead {
			tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", p.pid))
			if err != nil || len(tasks) != 1 {
				t.Errorf("the helper's process has %d threads (%v)", len(tasks), err)
			}
			for _, task := range tasks {
				st, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", p.pid, task.Name()))
				if err != nil || !bytes.Contains(st, []byte("\nSeccomp:\t2\n")) || !bytes.Contains(st, []byte("\nNoNewPrivs:\t1\n")) {
					t.Errorf("thread %s of the helper's process is not restricted: %v\n%s", task.Name(), err, st)
				}
			}
		}
		_ = inW.Close()
		res := <-done
		_, _, _, _ = inR.Close(), outR.Close(), outW.Close(), res
		// Read once RunStdin has returned: the hand-off records it after
		// the command may already have run.
		if ahead && !p.sent {
			t.Fatal("not handed to the parked helper")
		}
		if res.ExitCode != 0 {
			t.Errorf("ahead %v: %+v", ahead, res)
		}
	}
}

// planArgs is a helper plan (its arguments) running argv under
// workspace-write in ws.
func planArgs(ws string, argv ...string) []string {
	return append([]string{linuxsandbox.ToolName, "--sandbox-policy-cwd", ws, "--sandbox-policy", `{"mode":"workspace-write"}`,
		"--command-cwd", ws, "--report-fd", "3", "--"}, argv...)
}

// TestAheadPlanUsedOnce: a parked helper runs the first plan it is sent
// and never a second one sent after it on the same socket; an Ahead
// offers each parked helper to one command only. The control run sends
// the second plan first: it runs, so the check can fail.
func TestAheadPlanUsedOnce(t *testing.T) {
	needRoot(t)
	ws, _ := workspace(t)
	mark := filepath.Join(ws, "second-plan-ran")
	second := planArgs(ws, "sh", "-c", "echo x > "+mark)
	for _, control := range []bool{false, true} {
		_ = os.Remove(mark)
		p, err := startParked()
		if err != nil {
			t.Fatal(err)
		}
		plans := [][]string{planArgs(ws, "true"), second}
		if control {
			plans = plans[1:]
		}
		for _, args := range plans {
			if err := sendPlan(p, &exec.Cmd{Args: args, Env: []string{"PATH=/usr/bin:/bin"}}); err != nil {
				t.Log(err) // the helper may have closed its end already
			}
		}
		_ = p.sock.Close()
		st, err := waitPid(p.pid)
		_ = p.report.Close()
		if err != nil || st.ExitStatus() != 0 {
			t.Fatalf("control %v: helper status %v, %v", control, st, err)
		}
		_, err = os.Stat(mark)
		if ran := err == nil; ran != control {
			t.Errorf("control %v: the second plan ran: %v", control, ran)
		}
	}
	a := &Ahead{Always: true}
	defer func() { _ = a.Close() }()
	parkedNow(t, a)
	if a.take() == nil || a.take() != nil {
		t.Error("a parked helper was offered twice")
	}
}

// TestAheadClosedAndAgentKilled: an unused parked helper is reaped by
// Close (and Start then parks none), and one whose agent is SIGKILLed
// dies with it (parent-death signal, and its plan socket closes; with
// both taken out of the helper, it survived: checked when building
// this test).
func TestAheadClosedAndAgentKilled(t *testing.T) {
	needRoot(t)
	a := &Ahead{Always: true}
	p := parkedNow(t, a)
	pfd, err := unix.PidfdOpen(p.pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = a.Close()
	if !proctest.Exits(pfd, 0) {
		t.Error("the parked helper outlived Close")
	}
	_ = unix.Close(pfd)
	if err := a.Start(); err != nil || a.p != nil {
		t.Errorf("Start after Close parked a helper (%v)", err)
	}

	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	agent := &exec.Cmd{Path: bin, Args: []string{aheadParker}, Env: testEnv()}
	in, err := agent.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = in.Close() }()
	out, err := agent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(readLine(t, out))
	if err != nil {
		t.Fatal(err)
	}
	pfd, err = unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = unix.Close(pfd) }()
	if err := agent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = agent.Wait()
	if !proctest.Exits(pfd, 10*time.Second) {
		_ = unix.PidfdSendSignal(pfd, unix.SIGKILL, nil, 0)
		t.Error("a parked helper outlived its SIGKILLed agent by 10 s")
	}
}
