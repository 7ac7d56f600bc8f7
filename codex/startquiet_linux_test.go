package codex

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY returns the master and the slave end of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("ptsname: %v", e)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

// Every tool in the fused binary starts without talking to the terminal:
// bubbletea v1's initialiser (linked for the TUI) asked it for its
// background colour (OSC 11 and a cursor-position report) at every start
// whose stdout is a terminal, and waited up to 5 s when nothing answered,
// as here. teainit keeps it quiet.
func TestStartDoesNotQueryTheTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the fused binary")
	}
	bin := codexBinary(t)
	for _, args := range [][]string{{"codex", "--version"}, {"codex-execpolicy", "check", "--", "ls"}} {
		master, slave := openPTY(t)
		cmd := exec.Command(bin, args[1:]...)
		cmd.Args[0] = args[0]
		cmd.Env = []string{"TERM=xterm-256color", "HOME=" + t.TempDir(), "CODEX_HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		// Its own session with the terminal as the controlling one, in
		// the foreground, as in an interactive shell.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
		var out bytes.Buffer
		done := make(chan struct{})
		go func() { _, _ = io.Copy(&out, master); close(done) }()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		_ = slave.Close()
		err := cmd.Wait()
		<-done // EIO once the last slave descriptor is closed
		_ = master.Close()
		if err != nil {
			t.Errorf("%s: %v\n%q", strings.Join(args, " "), err, out.String())
		}
		if got := out.String(); strings.Contains(got, "\x1b]11;?") || strings.Contains(got, "\x1b[6n") {
			t.Errorf("%s queried the terminal at start: %q", strings.Join(args, " "), got)
		}
	}
}
