package tui

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestE2ERealKill9LeavesNoSurvivor: kill -9 of the TUI while a command the
// model proposed and a !command run, each with a setsid double-forked
// grandchild, leaves none of them running (found in /proc): the agent,
// the supervisor and the shell command end with their parent.
func TestE2ERealKill9LeavesNoSurvivor(t *testing.T) {
	codex := buildCodex(t)
	for _, mode := range []string{"workspace-write", "danger-full-access"} {
		t.Run(mode, func(t *testing.T) { kill9Survivors(t, codex, mode) })
	}
}

func kill9Survivors(t *testing.T, codex, mode string) {
	dir := t.TempDir()
	// Durations unique to this test mark its processes in /proc.
	const shellMark, modelMark = "sleep\x007771", "sleep\x007772"
	ms := startModelServer(t, codex,
		itemsTurn(execCallItem("c1", map[string]any{"cmd": "setsid sh -c 'sleep 7772 & sleep 7772' & sleep 7772", "yield_time_ms": 300})),
		itemsTurn(messageItem("It runs.")),
	)
	// The pane's shell goes on after the TUI dies, as a user's does: the
	// terminal is not hung up, so no SIGHUP ends what the TUI started.
	tm := startRealTermThen(t, "; exec sleep 3600", codex, t.TempDir(), dir, ms, "-a", "never", "-s", mode)
	t.Cleanup(func() { // a failed test leaves nothing behind either
		for _, pid := range append(processesWithArgs(shellMark), processesWithArgs(modelMark)...) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "!setsid sh -c 'sleep 7771 & sleep 7771' & sleep 7771")
	tm.keys("Enter")
	tm.waitFor(`running !command`)
	tm.keys("-l", "start it")
	tm.keys("Enter")
	tm.waitFor(`It runs\.`)
	poll(t, "both commands and their grandchildren to run", func() bool {
		return len(processesWithArgs(shellMark)) >= 3 && len(processesWithArgs(modelMark)) >= 3
	}, tm.capture)

	out, err := tm.tmux("display-message", "-p", "-t", tm.name, "#{pane_pid}").Output()
	if err != nil {
		t.Fatal(err)
	}
	// The pane runs sh; the TUI is its child.
	kids, err := exec.Command("pgrep", "-P", strings.TrimSpace(string(out))).Output()
	if err != nil {
		t.Fatalf("no TUI under the pane's shell: %v", err)
	}
	tui, err := strconv.Atoi(strings.Fields(string(kids))[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(tui, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(`\[codex-tui exited 137\]`)
	poll(t, "every process the TUI started to end", func() bool {
		return len(processesWithArgs(shellMark)) == 0 && len(processesWithArgs(modelMark)) == 0
	}, func() string {
		ps, _ := exec.Command("ps", "-eo", "pid,ppid,pgid,sid,args").Output()
		var left []string
		for _, l := range strings.Split(string(ps), "\n") {
			if strings.Contains(l, "777") {
				left = append(left, l)
			}
		}
		return "survivors:\n" + strings.Join(left, "\n")
	})
}
