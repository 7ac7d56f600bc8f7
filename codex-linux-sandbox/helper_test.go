//go:build linux

package linuxsandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/codexgo/common/proctest"
	"github.com/codexgo/common/selfexec"
)

func TestMain(m *testing.M) {
	if selfexec.Name(os.Args[0]) == ToolName {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if os.Getenv("CODEX_TEST_PROBE") == "1" {
		os.Exit(probe(os.Args[1:], os.Stdout))
	}
	code := proctest.Run(m)
	// The world-executable copy of the test binary (see publicBinary).
	if dir, err := publicDir(); err == nil {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
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

// publicBinary is a copy of the test binary that any user may execute
// (the original lives in a 0700 build directory).
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

// sbx describes one helper run.
type sbx struct {
	policy     string
	policyCwd  string
	commandCwd string
	cred       *syscall.Credential
	env        []string
	reportFD   bool
}

type outcome struct {
	code           int
	stdout, stderr string
	reports        []HelperReport
	reportLines    [][]byte // reports as written
}

// run runs the helper (this test binary as codex-linux-sandbox) on argv.
// A first argument of "probe" runs the probe built into the test binary.
func (s sbx) run(t *testing.T, argv ...string) outcome {
	t.Helper()
	var env []string
	if len(argv) > 0 && argv[0] == "probe" {
		bin, err := publicBinary()
		if err != nil {
			t.Fatalf("copy test binary: %v", err)
		}
		argv = append([]string{bin}, argv[1:]...)
		env = append(env, "CODEX_TEST_PROBE=1")
	}
	args := []string{"--sandbox-policy", s.policy}
	if s.policyCwd != "" {
		args = append(args, "--sandbox-policy-cwd", s.policyCwd)
	}
	if s.commandCwd != "" {
		args = append(args, "--command-cwd", s.commandCwd)
	}
	args = append(append(args, "--"), argv...)
	return runHelper(t, args, s.policyCwd, s.cred, append(s.env, env...), s.reportFD, (*exec.Cmd).Start)
}

// runHelper runs the helper (this test binary as codex-linux-sandbox)
// with args in dir (empty: here) as cred (nil: root), with env added to
// ours; withReport adds --report-fd 3 and collects the reports. start
// starts the command: cmd.Start, or the same on an older kernel.
func runHelper(t *testing.T, args []string, dir string, cred *syscall.Credential, env []string, withReport bool, start func(*exec.Cmd) error) outcome {
	t.Helper()
	bin, err := publicBinary()
	if err != nil {
		t.Fatalf("copy test binary: %v", err)
	}
	var rr, rw *os.File
	if withReport {
		if rr, rw, err = os.Pipe(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = rr.Close() }()
		args = append([]string{"--report-fd", "3"}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = ToolName
	// The race runtime sleeps a second at exit unless told not to.
	cmd.Env = append(append(os.Environ(), "GORACE=atexit_sleep_ms=0"), env...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if rw != nil {
		cmd.ExtraFiles = []*os.File{rw}
	}
	err = start(cmd)
	if rw != nil {
		_ = rw.Close()
	}
	if err != nil {
		t.Fatalf("start helper: %v", err)
	}
	var o outcome
	if rr != nil {
		b, err := io.ReadAll(rr)
		if err != nil {
			t.Fatalf("read reports: %v", err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var h HelperReport
			if line == "" {
				continue
			}
			if err := json.Unmarshal([]byte(line), &h); err != nil {
				t.Fatalf("report line %q: %v", line, err)
			}
			o.reports = append(o.reports, h)
			o.reportLines = append(o.reportLines, []byte(line))
		}
	}
	var ee *exec.ExitError
	if err := cmd.Wait(); errors.As(err, &ee) {
		if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() {
			o.code = 128 + int(ws.Signal())
		} else {
			o.code = ee.ExitCode()
		}
	} else if err != nil {
		t.Fatalf("wait helper: %v", err)
	}
	o.stdout, o.stderr = stdout.String(), stderr.String()
	return o
}

// probeOut runs a probe and returns its one-line answer.
func (s sbx) probeOut(t *testing.T, args ...string) string {
	t.Helper()
	o := s.run(t, append([]string{"probe"}, args...)...)
	if o.code != 0 {
		t.Fatalf("probe %v: exit %d, stderr %q", args, o.code, o.stderr)
	}
	return strings.TrimSpace(o.stdout)
}

// workspace makes a world-accessible directory tree: ws (writable root,
// a git repo with .git/config) and out (not writable), both outside /tmp's
// default root because tests exclude /tmp.
func workspace(t *testing.T) (ws, out string) {
	t.Helper()
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ws, out = filepath.Join(base, "ws"), filepath.Join(base, "out")
	for _, d := range []string{ws, out, filepath.Join(ws, ".git")} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(ws, ".git", "config"), filepath.Join(out, "file"), filepath.Join(ws, "file")} {
		if err := os.WriteFile(f, []byte("orig"), 0o666); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(f, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return ws, out
}

const (
	wsPolicy = `{"mode":"workspace-write","exclude_slash_tmp":true,"exclude_tmpdir_env_var":true}`
	roPolicy = `{"mode":"read-only"}`
)
