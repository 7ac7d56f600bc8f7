//go:build linux

package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// agentStandIn is the argv[0] under which the test binary acts as an
// agent that supervises its commands in-process (Supervisor.InProcess):
// it takes codex-sandbox's flags, runs the command through the Go API
// with its own standard streams, writes the result to --report-fd and
// exits with the command's status. The attack suite attacks it as it
// attacks codex-sandbox.
const agentStandIn = "codex-agent-stand-in"

// agentAheadStandIn is agentStandIn with a helper started ahead
// (Supervisor.Ahead) and parked before the command is run, as the agent
// starts it while the model streams: the attack suite attacks that shape
// too.
const agentAheadStandIn = "codex-agent-stand-in-ahead"

// Variables the agent stand-in takes (and unsets, so the command never
// sees them).
const (
	// mustInProcessVar=1: a restricted command must be supervised by
	// the stand-in itself: falling back to a codex-sandbox process fails
	// the run (the shape under test must be the one run).
	mustInProcessVar = "CODEX_TEST_IN_PROCESS"
	// spawnLoopVar=DIR: while the command runs, two goroutines keep
	// starting other in-process commands (true, read-only, in DIR), so
	// the command acts on an agent that is always mid-spawn.
	spawnLoopVar = "CODEX_TEST_SPAWN_LOOP"
)

// runAgentStandIn is the stand-in's main.
func runAgentStandIn(args []string, ahead bool) int {
	mustInProcess, loopDir := os.Getenv(mustInProcessVar) == "1", os.Getenv(spawnLoopVar)
	_, _ = os.Unsetenv(mustInProcessVar), os.Unsetenv(spawnLoopVar)
	o, code, err := parse(args, os.Environ(), os.Stdout, os.Stderr)
	if err != nil {
		return code
	}
	policy, err := o.policy()
	if err != nil {
		return ExitUsage
	}
	// An agent has many threads: some busy beside the command.
	for i := 0; i < 4; i++ {
		go func() {
			for {
				time.Sleep(time.Millisecond)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	req := protocol.ExecRequest{Argv: o.commandArgv, Cwd: o.cd, SandboxPolicy: policy, TimeoutMS: o.timeout.Milliseconds()}
	sup := Supervisor{InProcess: true}
	if ahead {
		sup.Ahead = &Ahead{Always: true}
		defer func() { _ = sup.Ahead.Close() }()
		if err := sup.Ahead.Start(); err != nil {
			return ExitSetupFailed
		}
		if err := sup.Ahead.WaitReady(); err != nil {
			return ExitSetupFailed
		}
	}
	var p *parked
	if ahead {
		p = sup.Ahead.p
	}
	if loopDir != "" {
		loopCtx, stopLoop := context.WithCancel(ctx)
		defer stopLoop()
		spawnLoop(loopCtx, loopDir)
	}
	var res protocol.ExecResult
	if mustInProcess && policy.Mode != protocol.SandboxDangerFullAccess {
		var ok bool
		if res, ok = runInProcess(ctx, req, os.Stdin, os.Stdout, os.Stderr, o.session, sup.Ahead); !ok {
			fmt.Fprintln(os.Stderr, "agent stand-in: the command was not supervised in-process")
			return ExitSetupFailed
		}
	} else if res, err = sup.run(ctx, req, os.Stdin, os.Stdout, os.Stderr, o.session); err != nil {
		return ExitSetupFailed
	}
	if p != nil && !o.session && policy.Mode != protocol.SandboxDangerFullAccess && !p.sent {
		// The shape under attack must be the one run.
		fmt.Fprintln(os.Stderr, "agent stand-in: the command was not handed to the parked helper")
		return ExitSetupFailed
	}
	writeReport(o.reportFD, res)
	return res.ExitCode
}

// spawnLoop starts two goroutines that run true, read-only in dir, in
// this process's supervision until ctx is done; a command that fails
// ends the stand-in (the loop must be what it says).
func spawnLoop(ctx context.Context, dir string) {
	for i := 0; i < 2; i++ {
		go func() {
			for ctx.Err() == nil {
				res, ok := runInProcess(ctx, protocol.ExecRequest{Argv: []string{"true"}, Cwd: dir}, nil, nil, nil, false, nil)
				if ctx.Err() == nil && (!ok || res.ExitCode != 0) {
					fmt.Fprintf(os.Stderr, "agent stand-in: spawn loop: in-process %v, exit %d %s\n", ok, res.ExitCode, res.Error)
					os.Exit(ExitSetupFailed)
				}
			}
		}()
	}
}

// agentCmd returns the agent stand-in (this test binary re-executed)
// with codex-sandbox's args.
func agentCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := csCmd(t, args...)
	cmd.Args[0] = agentStandIn
	return cmd
}

// TestInProcessSupervisor runs commands with this test process as the
// supervisor: output, status and the report are codex-sandbox's; the
// command runs under an init in a PID namespace of its own; the caller
// turns non-dumpable and is neither a subreaper nor the waiter of its
// other children (one started before is still its own to wait for).
func TestInProcessSupervisor(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("in-process supervision needs CAP_SYS_ADMIN; CI runs as root")
	}
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	ws, _ := workspace(t)
	var stdout, stderr bytes.Buffer
	res, err := Supervisor{InProcess: true}.Run(context.Background(), protocol.ExecRequest{
		Argv: []string{"sh", "-c", "echo $$ $PPID; sleep 100 & setsid sh -c 'sleep 100 &'; cat; echo oops >&2; exit 7"}, Cwd: ws,
		Stdin: ptr("in\n"), SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite},
	}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	// The shell is the child of the init, PID 1 of a namespace of its own.
	var pid, ppid int
	if _, err := fmt.Sscanf(stdout.String(), "%d %d\nin\n", &pid, &ppid); err != nil || pid <= 1 || ppid != 1 ||
		res.ExitCode != 7 || !strings.HasSuffix(stdout.String(), "\nin\n") || stderr.String() != "oops\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", res.ExitCode, stdout.String(), stderr.String())
	}
	if res.Sandbox == nil || res.Sandbox.Mechanism != "landlock" || !strings.Contains(strings.Join(res.Sandbox.Active, "\n"), "pid-namespace: the command runs under a minimal init") {
		t.Errorf("report %+v", res.Sandbox)
	}
	if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || d != 0 {
		t.Errorf("the supervising caller is still dumpable (%d, %v)", d, err)
	}
	_ = other.Process.Kill()
	if err := other.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("the caller's own child was not its own to wait for: %v", err)
	}
}

// TestInProcessTimeoutAndCancelEndTree: a timeout, and a cancelled
// context, end the command's whole tree (background and setsid'd,
// double-forked descendants) in the in-process shape, with
// codex-sandbox's statuses.
func TestInProcessTimeoutAndCancelEndTree(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("in-process supervision needs CAP_SYS_ADMIN; CI runs as root")
	}
	ws, _ := workspace(t)
	t.Run("timeout", func(t *testing.T) {
		mark := marker(t)
		res, err := Supervisor{InProcess: true}.Run(context.Background(), protocol.ExecRequest{Argv: spawner(mark, true), Cwd: ws, TimeoutMS: 300}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res.TimedOut || res.ExitCode != ExitTimeout {
			t.Errorf("result %+v", res)
		}
		if n := survivors(t, mark); n != 0 {
			t.Errorf("%d descendants survived the timeout", n)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		mark := marker(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = r.Close() }()
		done := make(chan protocol.ExecResult, 1)
		go func() {
			res, _ := Supervisor{InProcess: true}.Run(ctx, protocol.ExecRequest{Argv: spawner(mark, true), Cwd: ws}, w, nil)
			_ = w.Close()
			done <- res
		}()
		if got := readLine(t, r); got != "ready" {
			t.Fatalf("got %q, want ready", got)
		}
		cancel()
		res := <-done
		if res.ExitCode != 128+int(syscall.SIGTERM) {
			t.Errorf("result %+v", res)
		}
		if n := survivors(t, mark); n != 0 {
			t.Errorf("%d descendants survived cancellation", n)
		}
	})
}

// TestInProcessSameAsProcess: a request the sandbox refuses to start, and
// one whose command is missing, give the same result and messages in
// both shapes.
func TestInProcessSameAsProcess(t *testing.T) {
	ws, _ := workspace(t)
	for _, req := range []protocol.ExecRequest{
		{Argv: []string{"no-such-command-x"}, Cwd: ws},
		{Argv: []string{"true"}, Cwd: filepath.Join(ws, "missing")},
		{Argv: []string{"sh", "-c", "touch /usr/x"}, Cwd: ws, SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}},
	} {
		var got [2]string
		for i, s := range []Supervisor{{}, {InProcess: true}} {
			var stderr bytes.Buffer
			res, err := s.Run(context.Background(), req, nil, &stderr)
			if err != nil {
				t.Fatal(err)
			}
			res.DurationMS = 0
			got[i] = string(res.AppendJSON(nil)) + " " + stderr.String()
		}
		if got[0] != got[1] {
			t.Errorf("%v:\nprocess:    %s\nin-process: %s", req.Argv, got[0], got[1])
		}
	}
}
