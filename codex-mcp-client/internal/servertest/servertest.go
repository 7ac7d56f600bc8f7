//go:build unix

// Package servertest finds the real MCP servers the tests run against
// (installed by `npm ci` in testdata/npm) and runs the HTTP one.
package servertest

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bin returns the path of an npm-installed server binary, failing the
// test (never skipping) when `npm ci` has not been run.
func Bin(t testing.TB, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "npm", "node_modules", ".bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not installed: run `npm ci` in codex-mcp-client/testdata/npm (%v)", name, err)
	}
	return p
}

// Everything is mcp-server-everything's path.
func Everything(t testing.TB) string { return Bin(t, "mcp-server-everything") }

// Filesystem is mcp-server-filesystem's path.
func Filesystem(t testing.TB) string { return Bin(t, "mcp-server-filesystem") }

// EverythingHTTP starts `mcp-server-everything streamableHttp` on a free
// loopback port, waits for it to listen, and returns its endpoint. The
// server is killed when the test ends.
func EverythingHTTP(t testing.TB) string {
	t.Helper()
	url, _ := EverythingHTTPOnPort(t, freePort(t))
	return url
}

// EverythingHTTPOnPort is EverythingHTTP on a given port; stop kills the
// server (and waits for it) before the test ends, e.g. to simulate a crash.
func EverythingHTTPOnPort(t testing.TB, port int) (url string, stop func()) {
	t.Helper()
	cmd := exec.Command(Everything(t), "streamableHttp")
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
		})
	}
	t.Cleanup(stop)
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening on port") {
				ready <- nil
				break
			}
			if strings.Contains(sc.Text(), "Failed to start") {
				ready <- &startError{sc.Text()}
				break
			}
		}
		for sc.Scan() { // keep draining so the server never blocks
		}
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("mcp-server-everything streamableHttp did not start listening")
	}
	return "http://127.0.0.1:" + strconv.Itoa(port) + "/mcp", stop
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int { return freePort(t) }

type startError struct{ line string }

func (e *startError) Error() string { return "http server: " + e.line }

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// Alive reports whether a process with this pid exists. A zombie counts
// when it is our own child (we failed to reap it), not when it was
// orphaned to init, whose job reaping it then is.
func Alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// Fields after the parenthesised command: state, ppid, ...
	s := string(st)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) >= 2 && f[0] == "Z" && f[1] != strconv.Itoa(os.Getpid()) {
		return false
	}
	return true
}
