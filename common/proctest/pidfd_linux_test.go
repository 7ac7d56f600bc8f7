package proctest

import (
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestExits: a live process does not count as ended within the wait;
// once killed, it does.
func TestExits(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.PidfdOpen(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = unix.Close(fd) }()
	if Exits(fd, 50*time.Millisecond) {
		t.Fatal("a sleeping process reported as ended")
	}
	_ = cmd.Process.Kill()
	if !Exits(fd, 10*time.Second) {
		t.Fatal("a killed process not reported as ended")
	}
	_ = cmd.Wait()
}
