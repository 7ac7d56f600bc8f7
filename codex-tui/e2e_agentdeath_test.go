package tui

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestE2EAppServerKilledMidTurn: when the app-server dies under a running
// turn (kill -9), the TUI says so, ends with status 1 and the log's name,
// and restores the terminal: no pending request or event keeps it alive.
func TestE2EAppServerKilledMidTurn(t *testing.T) {
	tm := startTerm(t, 80, 30, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "wait for me")
	tm.keys("Enter")
	tm.waitFor(`Running sleep 600`)
	out, err := tm.tmux("display-message", "-p", "-t", tm.name, "#{pane_pid}").Output()
	if err != nil {
		t.Fatal(err)
	}
	// The pane runs sh, sh runs env, env execs the TUI, the TUI the server.
	tui := childOf(t, strings.TrimSpace(string(out)))
	server := childOf(t, strconv.Itoa(tui))
	if cmdline, _ := exec.Command("ps", "-o", "args=", "-p", strconv.Itoa(server)).Output(); !strings.Contains(string(cmdline), "app-server") {
		t.Fatalf("the TUI's child is not the app-server: %q", cmdline)
	}
	if err := syscall.Kill(server, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s := tm.waitFor(`(?s)the agent exited.*codex-tui: the agent exited unexpectedly \(see .*codex-tui\.log\)\s*\n\[codex-tui exited 1\]`)
	if strings.Contains(s, "\x1b[?1049h") {
		t.Errorf("the alternate screen is still on:\n%s", s)
	}
}

// childOf is the first child process of pid.
func childOf(t *testing.T, pid string) int {
	t.Helper()
	kids, err := exec.Command("pgrep", "-P", pid).Output()
	if err != nil {
		t.Fatalf("no child of %s: %v", pid, err)
	}
	n, err := strconv.Atoi(strings.Fields(string(kids))[0])
	if err != nil {
		t.Fatal(err)
	}
	return n
}
