//go:build linux

package sandbox

import (
	"context"
	"io"
	"strconv"
	"syscall"
	"testing"

	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// spawner starts two background sleeps, one escaping with setsid and a
// double fork, prints ready and waits.
func spawner(mark string, wait bool) []string {
	script := "sleep " + mark + " & setsid sh -c 'sleep " + mark + " &' & sleep 0 ; echo ready"
	if wait {
		script += "; wait; sleep " + mark
	}
	return []string{"sh", "-c", script}
}

func TestTreeEndsWithCommand(t *testing.T) {
	mark := marker(t)
	r := cs(t, "", append([]string{"--"}, spawner(mark, false)...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := survivors(t, mark); n != 0 {
		t.Errorf("%d descendants survived the command's exit", n)
	}
}

func TestTimeoutEndsTree(t *testing.T) {
	mark := marker(t)
	r := cs(t, "", append([]string{"--timeout", "300ms", "--"}, spawner(mark, true)...)...)
	if r.code != ExitTimeout {
		t.Fatalf("exit %d, want 124: %s", r.code, r.stderr)
	}
	if n := survivors(t, mark); n != 0 {
		t.Errorf("%d descendants survived the timeout", n)
	}
}

func TestSignalsEndTree(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			mark := marker(t)
			cmd := csCmd(t, append([]string{"--"}, spawner(mark, true)...)...)
			// Own process group, so a SIGINT does not reach the command
			// directly and the supervisor has to do the work.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if got := readLine(t, out); got != "ready" {
				t.Fatalf("got %q, want ready", got)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, out)
			if code := exitCode(t, cmd.Wait()); code != 128+int(sig) {
				t.Errorf("exit %d, want %d", code, 128+int(sig))
			}
			if n := survivors(t, mark); n != 0 {
				t.Errorf("%d descendants survived %v", n, sig)
			}
		})
	}
}

func TestAPIRunStreams(t *testing.T) {
	ws, _ := workspace(t)
	pr, pw := io.Pipe()
	done := make(chan protocol.ExecResult, 1)
	errc := make(chan error, 1)
	go func() {
		// The command prints, then blocks until the test has seen the
		// first line: output must stream, not arrive at exit.
		res, err := Run(context.Background(), protocol.ExecRequest{
			Argv:          []string{"sh", "-c", "echo first; read x; echo second $x; exit 5"},
			Cwd:           ws,
			Stdin:         ptr("go\n"),
			SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite},
		}, pw, nil)
		_ = pw.Close()
		errc <- err
		done <- res
	}()
	if got := readLine(t, pr); got != "first" {
		t.Fatalf("got %q, want first", got)
	}
	if got := readLine(t, pr); got != "second go" {
		t.Fatalf("got %q, want second go", got)
	}
	_, _ = io.Copy(io.Discard, pr)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.ExitCode != 5 || res.Sandbox == nil || res.Sandbox.Mechanism != "landlock" {
		t.Errorf("result %+v", res)
	}
}

func TestAPICommandCancelEndsTree(t *testing.T) {
	mark := marker(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd, err := Command(ctx, protocol.ExecRequest{Argv: spawner(mark, true)})
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = testEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if got := readLine(t, out); got != "ready" {
		t.Fatalf("got %q, want ready", got)
	}
	cancel()
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err == nil {
		t.Errorf("cancelled command exited 0")
	}
	if n := survivors(t, mark); n != 0 {
		t.Errorf("%d descendants survived cancellation", n)
	}
}

func TestAPITimeout(t *testing.T) {
	res, err := Run(context.Background(), protocol.ExecRequest{Argv: []string{"sleep", "30"}, TimeoutMS: 100}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.ExitCode != ExitTimeout {
		t.Errorf("result %+v", res)
	}
}

func ptr[T any](v T) *T { return &v }

// TestSupervisorKilledTakesCommand SIGKILLs the supervisor: the command,
// its direct child, must die with it (PR_SET_PDEATHSIG). Grandchildren
// of a SIGKILLed supervisor are not covered (no PID namespace); the
// README says so.
func TestSupervisorKilledTakesCommand(t *testing.T) {
	mark := marker(t)
	cmd := csCmd(t, "--", "sh", "-c", "echo $$; exec sleep "+mark)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(readLine(t, out))
	if err != nil {
		t.Fatal(err)
	}
	// Hold the command with a pidfd before killing, so a reused pid
	// cannot fool the check.
	pfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatalf("pidfd_open %d: %v", pid, err)
	}
	defer func() { _ = unix.Close(pfd) }()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	fds := []unix.PollFd{{Fd: int32(pfd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 10_000)
	if err != nil || n != 1 {
		t.Fatalf("command %d still alive 10 s after its supervisor was killed (poll %d, %v)", pid, n, err)
	}
}

func TestAPIRunReportsBadCwd(t *testing.T) {
	res, err := Run(context.Background(), protocol.ExecRequest{Argv: []string{"true"}, Cwd: "/no/such/dir"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != ExitUsage || res.Error == "" {
		t.Errorf("result %+v: want exit 2 with an error", res)
	}
}
