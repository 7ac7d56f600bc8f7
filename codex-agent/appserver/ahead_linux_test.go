//go:build linux

package appserver_test

import (
	"bytes"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/proctest"
	"golang.org/x/sys/unix"
)

// parkedHelpers lists the live children of ppid that are parked
// codex-linux-sandbox helpers (--parked-plan-fd on their command line).
func parkedHelpers(ppid int) map[int]bool {
	pids := map[int]bool{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cl, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		st, serr := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil || serr != nil || !bytes.Contains(cl, []byte("\x00--parked-plan-fd\x00")) {
			continue
		}
		f := bytes.Fields(st[bytes.LastIndexByte(st, ')')+1:])
		if len(f) > 1 && string(f[1]) == strconv.Itoa(ppid) {
			pids[pid] = true
		}
	}
	return pids
}

// TestThreadEndReapsParkedHelper: a thread's session parks a helper for
// its next sandboxed command while the model answers; unsubscribing the
// thread's last client ends the thread, and its parked helper with it,
// while the server (here in this process, so no process exit or
// parent-death signal helps) goes on.
func TestThreadEndReapsParkedHelper(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: helpers are started ahead only with CAP_SYS_ADMIN (CI runs as root and fails on any skip)")
	}
	// As root the sandbox is set up by the agent itself, which parks
	// nothing (sandbox.Ahead); the switch asks for the helper process.
	t.Setenv("CODEX_SANDBOX_HELPER", "1")
	f := newFixture(t, turnOf(execCall("c1", "echo hi")), turnOf(modelserver.Message("done")))
	before := parkedHelpers(os.Getpid())
	got := make(chan int, 1)
	var n atomic.Int32
	f.srv.OnRequest(func(modelserver.Request) {
		if n.Add(1) != 2 {
			return
		}
		// While the model answers, a helper is parked (polling /proc).
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			for p := range parkedHelpers(os.Getpid()) {
				if fd, err := unix.PidfdOpen(p, 0); !before[p] && err == nil {
					got <- fd
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
		got <- -1
	})
	c := f.inProcess(t)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never", "sandbox": "workspace-write"})
	startTurn(t, c, th.Thread.ID, "run it")
	c.until("turn/completed")
	fd := <-got
	if fd < 0 {
		t.Fatal("no helper parked while the model answered")
	}
	defer func() { _ = unix.Close(fd) }()
	var us struct{ Status string }
	c.call("thread/unsubscribe", map[string]any{"threadId": th.Thread.ID}).decode(t, &us)
	c.until("thread/closed")
	if !proctest.Exits(fd, 10*time.Second) {
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
		t.Error("the thread ended but the helper it parked lives on")
	}
}
