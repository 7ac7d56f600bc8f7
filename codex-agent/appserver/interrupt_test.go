package appserver_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestInterruptRunningCommand interrupts a turn whose command is
// running: the turn ends interrupted and the command's process is gone.
func TestInterruptRunningCommand(t *testing.T) {
	t.Parallel()
	marker := uniqueSleep()
	f := newFixture(t,
		turnOf(execCall("call-sleep", "echo ready; exec sleep "+marker)),
		turnOf(modelserver.Message("after the interrupt")),
	)
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never", "sandbox": "workspace-write"})
	turn := startTurn(t, c, th.Thread.ID, "run something long")
	for {
		m := c.next()
		if m.Method == "item/commandExecution/outputDelta" && strings.Contains(string(m.Params), "ready") {
			break
		}
		if m.Method == "turn/completed" {
			t.Fatalf("turn ended before the command was ready: %s", m)
		}
	}
	pids := waitSleep(marker)
	if len(pids) != 1 {
		t.Fatalf("the command is not running before the interrupt: %v", pids)
	}
	pid := pids[0]
	c.call("turn/interrupt", map[string]any{"threadId": th.Thread.ID, "turnId": turn})
	done, seen := c.until("turn/completed")
	var tc turnNote
	done.decode(t, &tc)
	if tc.Turn.Status != "interrupted" {
		t.Errorf("turn/completed = %s", done)
	}
	if cmds := completedItems(t, seen, "commandExecution"); len(cmds) != 1 || cmds[0]["status"] == "inProgress" {
		t.Errorf("command items = %v", cmds)
	}
	gone(t, pid)
	// The thread goes on.
	startTurn(t, c, th.Thread.ID, "next")
	_, seen = c.until("turn/completed")
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != "after the interrupt" {
		t.Errorf("next turn: %v", got)
	}
}

// gone waits (bounded) for a killed process to disappear.
func gone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && strings.Contains(string(stat), ") Z ") {
			return // a zombie runs nothing
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d survived", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInterruptWhileAwaitingApproval: the approval request is withdrawn
// (serverRequest/resolved), the turn ends interrupted, and the command
// never runs.
func TestInterruptWhileAwaitingApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(execCall("call-x", "touch never.txt")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "untrusted", "sandbox": "workspace-write"})
	turn := startTurn(t, c, th.Thread.ID, "make a file")
	req, _ := c.until("item/commandExecution/requestApproval")
	c.call("turn/interrupt", map[string]any{"threadId": th.Thread.ID, "turnId": turn})
	done, seen := c.until("turn/completed")
	var tc turnNote
	done.decode(t, &tc)
	if tc.Turn.Status != "interrupted" {
		t.Errorf("turn/completed = %s", done)
	}
	// The withdrawn request is resolved; the Codex CLI 0.169 sends that
	// after turn/completed (measured), so it may still be on its way.
	isResolved := func(m msg) bool {
		return m.Method == "serverRequest/resolved" && strings.Contains(string(m.Params), `"requestId":`+string(req.ID))
	}
	if !slices.ContainsFunc(seen, isResolved) {
		if m, _ := c.until("serverRequest/resolved"); !isResolved(m) {
			t.Errorf("serverRequest/resolved = %s, want one for request %s", m, req.ID)
		}
	}
	// A late answer is ignored.
	c.reply(req, map[string]any{"decision": "accept"})
	c.drain()
	if _, err := os.Stat(filepath.Join(f.work, "never.txt")); err == nil {
		t.Error("the command ran although the turn was interrupted")
	}
}

// TestEOFLeavesNothingRunning closes stdin while a turn's command and a
// command/exec process run: the server exits 0 and both are gone.
func TestEOFLeavesNothingRunning(t *testing.T) {
	t.Parallel()
	for _, sandbox := range []string{"workspace-write", "danger-full-access"} {
		for _, inProc := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/in-process=%v", sandbox, inProc), func(t *testing.T) {
				t.Parallel()
				eofLeavesNothingRunning(t, sandbox, inProc)
			})
		}
	}
}

// eofLeavesNothingRunning: in process, Serve itself must end what it
// started (no process exit or parent-death signal helps).
func eofLeavesNothingRunning(t *testing.T, sandbox string, inProc bool) {
	marker, marker2 := uniqueSleep(), uniqueSleep()
	f := newFixture(t, turnOf(execCall("call-sleep", "echo ready; exec sleep "+marker)))
	var c *client
	if inProc {
		c = f.inProcess(t)
	} else {
		c = f.start(t)
	}
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never", "sandbox": sandbox})
	startTurn(t, c, th.Thread.ID, "run something long")
	policy := map[string]any{"type": "workspaceWrite"}
	if sandbox == "danger-full-access" {
		policy = map[string]any{"type": "dangerFullAccess"}
	}
	c.request("command/exec", map[string]any{"command": []string{"sh", "-c", "echo ready; exec sleep " + marker2},
		"cwd": f.work, "processId": "p1", "streamStdoutStderr": true, "sandboxPolicy": policy})
	readyTurn, readyExec := false, false
	for !readyTurn || !readyExec {
		m := c.next()
		switch {
		case m.Method == "item/commandExecution/outputDelta" && strings.Contains(string(m.Params), "ready"):
			readyTurn = true
		case m.Method == "command/exec/outputDelta":
			readyExec = true
		case m.Method == "turn/completed", m.Method == "" && m.Error != nil:
			t.Fatalf("ended early: %s", m)
		}
	}
	var pids []int
	for _, m := range []string{marker, marker2} {
		found := waitSleep(m)
		if len(found) != 1 {
			t.Fatalf("sleep %s: %v (sleeps: %q)", m, found, allSleeps())
		}
		pids = append(pids, found...)
	}
	_ = c.in.Close()
	if err := <-c.exited; err != nil {
		t.Errorf("exit: %v", err)
	}
	c.exited <- nil
	for _, pid := range pids {
		gone(t, pid)
	}
}

// uniqueSleep is a sleep duration (about 300 s) that names one process.
func uniqueSleep() string {
	return fmt.Sprintf("300.%d%d", os.Getpid(), time.Now().UnixNano()%1000000)
}

// findSleep finds, by its command line, the host pid of `sleep D`
// (commands may run in a PID namespace, where $$ is not the host's pid).
func findSleep(d string) []int {
	want := "sleep\x00" + d + "\x00"
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.HasSuffix(string(b), want) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func allSleeps() []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), "sleep") && strings.Contains(string(b), "300.") {
			out = append(out, e.Name()+":"+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}

// waitSleep waits (bounded) for `sleep D` to run: "ready" is printed
// just before the shell execs it.
func waitSleep(d string) []int {
	deadline := time.Now().Add(20 * time.Second)
	for {
		if pids := findSleep(d); len(pids) > 0 || time.Now().After(deadline) {
			return pids
		}
		time.Sleep(10 * time.Millisecond)
	}
}
