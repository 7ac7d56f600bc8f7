//go:build linux

package linuxsandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestStandardDevicesAndIoctl(t *testing.T) {
	ws, _ := workspace(t)
	s := sbx{policy: roPolicy, policyCwd: ws}
	for _, dev := range []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"} {
		if got := s.probeOut(t, "openw", dev); got != "ok" {
			t.Errorf("open %s for writing: got %q, want ok", dev, got)
		}
	}
	if got := s.probeOut(t, "tiocsti"); got != "err: EPERM" {
		t.Errorf("TIOCSTI: got %q, want err: EPERM", got)
	}
}

// TestEverydayTools runs programs the agent runs all day under the
// strictest useful policy: git on a repository whose .git is read-only,
// node spawning a child (pipes, socketpairs, maybe io_uring), Python
// asyncio waking its loop from another thread (a socketpair send).
func TestEverydayTools(t *testing.T) {
	ws, _ := workspace(t)
	repo := filepath.Join(ws, "repo")
	for _, args := range [][]string{{"init", "-q", repo}, {"-C", repo, "-c", "user.email=t@e", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x"}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "new.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := sbx{policy: wsPolicy, policyCwd: repo, env: []string{"HOME=" + ws, "GIT_CONFIG_NOSYSTEM=1"}}
	type toolCase struct {
		name string
		argv []string
		want string
	}
	tests := []toolCase{
		{"git status", []string{"git", "-c", "safe.directory=*", "status", "--porcelain"}, "?? new.txt"},
		{"git rev-parse", []string{"git", "-c", "safe.directory=*", "rev-parse", "--show-toplevel"}, repo},
		{"git commit refused", []string{"sh", "-c", "git -c safe.directory=* -c user.email=t@e -c user.name=t commit -q --allow-empty -m y 2>/dev/null; echo $?"}, "128"},
		{"node child process", []string{"node", "-e", "process.stdout.write(require('child_process').execFileSync('sh', ['-c', 'echo child']).toString())"}, "child"},
		{"python asyncio wakeup", []string{"/usr/bin/python3", "-c", `import asyncio, threading
async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    threading.Thread(target=lambda: loop.call_soon_threadsafe(fut.set_result, "woke")).start()
    print(await fut)
asyncio.run(main())`}, "woke"},
	}
	shmFile := fmt.Sprintf("/dev/shm/codex-sbx-test-%d", os.Getpid())
	defer func() { _ = os.Remove(shmFile) }()
	shm := sbx{policy: `{"mode":"workspace-write","exclude_slash_tmp":true,"writable_roots":["/dev/shm"]}`, policyCwd: repo}
	tests = append(tests, toolCase{"python multiprocessing lock with /dev/shm as a root", []string{"/usr/bin/python3", "-c",
		"import multiprocessing as mp; mp.Lock(); open('" + shmFile + "', 'w').write('x'); print('locked')"}, "locked"})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			box := s
			if strings.Contains(tc.name, "/dev/shm") {
				box = shm
			}
			o := box.run(t, tc.argv...)
			if got := strings.TrimSpace(o.stdout); got != tc.want {
				t.Errorf("exit %d, stdout %q, want %q (stderr %q)", o.code, got, tc.want, o.stderr)
			}
		})
	}
	if _, err := os.Stat(shmFile); err != nil {
		t.Errorf("the host does not see the sandbox's /dev/shm write: %v", err)
	}
}
