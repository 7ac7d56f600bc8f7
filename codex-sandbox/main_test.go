//go:build linux

package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/codexgo/common/proctest"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	if code, ok := BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	if b := filepath.Base(os.Args[0]); b == agentStandIn || b == agentAheadStandIn {
		os.Exit(runAgentStandIn(os.Args[1:], b == agentAheadStandIn))
	}
	if filepath.Base(os.Args[0]) == aheadParker {
		os.Exit(runAheadParker())
	}
	if os.Getenv("CODEX_TEST_PROBE") == "1" {
		os.Exit(probe(os.Args[1:]))
	}
	code := proctest.Run(m)
	// The world-executable copy of the test binary (see publicBinary).
	if dir, err := publicDir(); err == nil {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}

// probe is run inside the sandbox: "write PATH" or "dial NET ADDR";
// it prints ok or the error.
func probe(args []string) int {
	var err error
	switch {
	case len(args) >= 2 && args[0] == "attack":
		fmt.Println(attack(args[1], args[2:]))
		if os.Getenv("CODEX_TEST_HOLD") == "1" {
			select {} // until the supervisor ends the tree
		}
		return 0
	case len(args) == 1 && args[0] == "forge-end":
		// What a launch's init sends its supervisor once everything has
		// ended (a raw wait status, 4 bytes: 0), on every socket held.
		n := 0
		for fd := 0; fd < 1024; fd++ {
			var st unix.Stat_t
			if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
				continue
			}
			if _, err := unix.Write(fd, []byte{0, 0, 0, 0}); err == nil {
				n++
			}
		}
		fmt.Println("sockets written:", n)
		return 7
	case len(args) == 2 && args[0] == "write":
		err = os.WriteFile(args[1], []byte("x"), 0o644)
	case len(args) == 3 && args[0] == "dial":
		var c net.Conn
		if c, err = net.Dial(args[1], args[2]); err == nil {
			_ = c.Close()
		}
	default:
		return 3
	}
	if err != nil {
		fmt.Println("err")
		return 0
	}
	fmt.Println("ok")
	return 0
}

// publicDir is a world-readable directory for publicBinary, made once
// and removed by TestMain.
var publicDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "codex-sbx-test-bin-")
	if err != nil {
		return "", err
	}
	return dir, os.Chmod(dir, 0o755)
})

// publicBinary is a copy of the test binary any user may execute.
var publicBinary = sync.OnceValues(func() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	dir, err := publicDir()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(self)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "probe")
	return dst, os.WriteFile(dst, b, 0o755)
})

// testEnv is the environment of every re-executed test binary: the race
// runtime otherwise sleeps a second at exit.
func testEnv(extra ...string) []string {
	return append(append(os.Environ(), "GORACE=atexit_sleep_ms=0"), extra...)
}

// csCmd returns codex-sandbox (this test binary re-executed) with args.
func csCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = ToolName
	cmd.Env = testEnv()
	return cmd
}

type csResult struct {
	code           int
	stdout, stderr string
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return 0
}

// cs runs codex-sandbox with stdin and args.
func cs(t *testing.T, stdin string, args ...string) csResult {
	t.Helper()
	cmd := csCmd(t, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	return csResult{exitCode(t, cmd.Run()), out.String(), errb.String()}
}

// probeArgv is the argv that runs the probe inside the sandbox.
func probeArgv(t *testing.T, args ...string) []string {
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"env", "CODEX_TEST_PROBE=1", bin}, args...)
}

// workspace makes ws (with .git) and out under a world-readable temp dir.
func workspace(t *testing.T) (ws, out string) {
	t.Helper()
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ws, out = filepath.Join(base, "ws"), filepath.Join(base, "out")
	for _, d := range []string{filepath.Join(ws, ".git"), out} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{ws, filepath.Join(ws, ".git"), out} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	return ws, out
}

// marker is a sleep duration unique to one test, so its processes can be
// found in /proc.
func marker(t *testing.T) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(t.Name()))
	return fmt.Sprintf("%d.%d", 1000+h.Sum32()%9000, os.Getpid()%100000)
}

// survivors counts processes whose command line is "sleep <marker>".
func survivors(t *testing.T, mark string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		if bytes.Equal(b, []byte("sleep\x00"+mark+"\x00")) {
			if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil && bytes.Contains(st, []byte(") Z ")) {
				continue // a zombie is dead
			}
			n++
		}
	}
	return n
}

// readLine reads one line from r (for "ready" handshakes).
func readLine(t *testing.T, r io.Reader) string {
	t.Helper()
	var b []byte
	one := make([]byte, 1)
	for {
		n, err := r.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return string(b)
			}
			b = append(b, one[0])
		}
		if err != nil {
			t.Fatalf("read line: %v (got %q)", err, b)
		}
	}
}
