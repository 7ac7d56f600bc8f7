package sandbox

import (
	"os"
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The wait for a started command goes through its pidfd and the
// runtime's poller (not a thread blocked in wait4), for a child that
// ends later, one that has already ended, and one that is killed.
func TestWaitChildThroughPidFD(t *testing.T) {
	cases := []struct {
		name   string
		script string
		kill   bool
		code   int
		signal syscall.Signal
	}{
		{name: "exits later", script: "read x; exit 7", code: 7},
		{name: "already ended", script: "exit 3", code: 3},
		{name: "killed", script: "read x", kill: true, signal: syscall.SIGKILL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("/bin/sh", "-c", tc.script)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdin = r
			c, err := spawn(cmd)
			_ = r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if c.pidfd < 0 {
				t.Fatalf("spawn gave no pidfd (pid %d)", c.pid)
			}
			switch {
			case tc.kill:
				_ = syscall.Kill(c.pid, syscall.SIGKILL)
			case tc.name == "already ended":
				// Ended and not yet reaped: a zombie, readable at once.
				var info unix.Siginfo
				if err := unix.Waitid(unix.P_PIDFD, c.pidfd, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
					t.Fatalf("waitid: %v", err)
				}
			}
			// "read x" returns once w is closed, most often while
			// waitPidFD is already waiting.
			go func() { _ = w.Close() }()
			ws, ok, err := waitPidFD(c)
			if !ok || err != nil {
				t.Fatalf("waitPidFD = ok %v, %v; want the poller to wait", ok, err)
			}
			if tc.kill {
				if !ws.Signaled() || ws.Signal() != tc.signal {
					t.Fatalf("status %v, want killed by %v", ws, tc.signal)
				}
				return
			}
			if !ws.Exited() || ws.ExitStatus() != tc.code {
				t.Fatalf("status %v, want exit %d", ws, tc.code)
			}
			// Reaped: nothing is left to wait for.
			if _, err := syscall.Wait4(c.pid, nil, syscall.WNOHANG, nil); err != syscall.ECHILD {
				t.Fatalf("wait4 after waitPidFD: %v, want ECHILD", err)
			}
		})
	}
}
