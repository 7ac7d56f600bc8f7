package appserver_test

import (
	"os"
	"path/filepath"
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
	f := newFixture(t,
		turnOf(execCall("call-sleep", "echo $$ > pid.txt; echo ready; exec sleep 300")),
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
	b, err := os.ReadFile(filepath.Join(f.work, "pid.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the command (pid %d) is not running before the interrupt: %v", pid, err)
	}
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
	// A late answer is ignored.
	c.reply(req, map[string]any{"decision": "accept"})
	var resolved bool
	for _, m := range append(seen, c.drain()...) {
		if m.Method == "serverRequest/resolved" && strings.Contains(string(m.Params), `"requestId":`+string(req.ID)) {
			resolved = true
		}
	}
	if !resolved {
		t.Errorf("no serverRequest/resolved for request %s", req.ID)
	}
	if _, err := os.Stat(filepath.Join(f.work, "never.txt")); err == nil {
		t.Error("the command ran although the turn was interrupted")
	}
}

// TestEOFLeavesNothingRunning closes stdin while a turn's command and a
// command/exec process run: the server exits 0 and both are gone.
func TestEOFLeavesNothingRunning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(execCall("call-sleep", "echo $$ > pid.txt; echo ready; exec sleep 300")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never", "sandbox": "workspace-write"})
	startTurn(t, c, th.Thread.ID, "run something long")
	c.request("command/exec", map[string]any{"command": []string{"sh", "-c", "echo $$ > exec-pid.txt; echo ready; exec sleep 300"},
		"cwd": f.work, "processId": "p1", "streamStdoutStderr": true, "sandboxPolicy": map[string]any{"type": "workspaceWrite"}})
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
	for _, name := range []string{"pid.txt", "exec-pid.txt"} {
		b, err := os.ReadFile(filepath.Join(f.work, name))
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
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
