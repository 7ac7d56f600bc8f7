//go:build linux

package agent

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/proctest"
	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// parkedHelpers lists the live processes whose parent is ppid and whose
// command line is a parked codex-linux-sandbox helper's (--parked-plan-fd).
func parkedHelpers(ppid int) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cl, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(cl, []byte("\x00--parked-plan-fd\x00")) {
			continue
		}
		if ppid == 0 || statPPid(pid) == ppid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// statPPid is pid's parent from /proc/<pid>/stat (0 if it is gone).
func statPPid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...: comm may hold spaces, so after the last ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

// awaitParked waits (reading /proc, up to 10 s) for a parked helper of
// ppid not in seen and returns a pidfd on it and its pid.
func awaitParked(ppid int, seen map[int]bool) (int, int, bool) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range parkedHelpers(ppid) {
			if seen[p] {
				continue
			}
			fd, err := unix.PidfdOpen(p, 0)
			if err == nil {
				return fd, p, true
			}
		}
		time.Sleep(time.Millisecond) // polling /proc, not synchronising
	}
	return -1, 0, false
}

// TestAheadEachCallItsPolicy runs read-only, workspace-write and
// read-only commands in one session, each turn's policy set by its
// user_turn: each command is handed to the helper the session parked
// while the model answered (the model's answer waits until it is
// parked, and the helper is gone once the command has ended: an unused
// one would stay parked), and each gets its own turn's policy, never an
// earlier one's. At the end of the session its last parked helper is
// reaped.
func TestAheadEachCallItsPolicy(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: helpers are started ahead only with CAP_SYS_ADMIN (CI runs as root and fails on any skip)")
	}
	// As root the sandbox is set up by the agent itself, which parks
	// nothing (sandbox.Ahead); the switch asks for the helper process.
	t.Setenv("CODEX_SANDBOX_HELPER", "1")
	call := func(id, file string) modelserver.Turn {
		return modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall(id, "exec_command",
			map[string]any{"cmd": "touch " + file + " && echo made"})}}
	}
	msg := modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}}
	turns := []modelserver.Turn{call("c1", "ro1"), msg, call("c2", "ww"), msg, call("c3", "ro2"), msg}
	h := newHarness(t, turns, func(cfg *SessionConfig) { cfg.Runner = SandboxRunner{} })
	me := os.Getpid()
	var (
		mu      sync.Mutex
		n       int
		seen    = map[int]bool{}
		pending = -1
		probs   []string
	)
	h.srv.OnRequest(func(modelserver.Request) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if pending >= 0 {
			// The command of the previous answer ran: its helper, parked
			// before it, is no longer.
			if !proctest.Exits(pending, 10*time.Second) {
				probs = append(probs, "request "+strconv.Itoa(n)+": the helper parked for the previous command is still there: the command did not use it")
			}
			_ = unix.Close(pending)
			pending = -1
		}
		if n%2 == 1 { // the answer is a command
			fd, pid, ok := awaitParked(me, seen)
			if !ok {
				probs = append(probs, "request "+strconv.Itoa(n)+": no helper parked while the model answers")
				return
			}
			seen[pid], pending = true, fd
		}
	})
	for i, mode := range []protocol.SandboxMode{protocol.SandboxReadOnly, protocol.SandboxWorkspaceWrite, protocol.SandboxReadOnly} {
		if err := h.s.Submit(context.Background(), protocol.Submission{ID: "t" + strconv.Itoa(i), Op: protocol.UserTurnOp{
			Items: protocol.TextInput("touch"), Cwd: h.dir, ApprovalPolicy: protocol.ApprovalNever, Model: "mock-model",
			SandboxPolicy: &protocol.SandboxPolicy{Mode: mode}}}); err != nil {
			t.Fatal(err)
		}
		msgs := h.collect(nil)
		ends := find[protocol.ExecCommandEndMsg](msgs)
		if len(ends) != 1 {
			t.Fatalf("turn %d: exec_command_end = %+v", i, ends)
		}
		wantOK := mode == protocol.SandboxWorkspaceWrite
		if got := ends[0].ExitCode == 0 && strings.Contains(ends[0].AggregatedOutput, "made"); got != wantOK {
			t.Errorf("turn %d (%s): exit %d, output %q: want it to write %v", i, mode, ends[0].ExitCode, ends[0].AggregatedOutput, wantOK)
		}
	}
	for f, want := range map[string]bool{"ro1": false, "ww": true, "ro2": false} {
		if _, err := os.Stat(filepath.Join(h.dir, f)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", f, err == nil, want)
		}
	}
	mu.Lock()
	for _, p := range probs {
		t.Error(p)
	}
	mu.Unlock()
	// A helper is parked again (after the last command, or for the next
	// request); the session's end reaps it.
	fd, _, ok := awaitParked(me, seen)
	if !ok {
		t.Fatal("no helper parked after the last command")
	}
	defer func() { _ = unix.Close(fd) }()
	if err := h.s.Submit(context.Background(), protocol.Submission{ID: "end", Op: protocol.ShutdownOp{}}); err != nil {
		t.Fatal(err)
	}
	for range h.s.Events() { // closed once Run has returned
	}
	if !proctest.Exits(fd, 10*time.Second) {
		t.Error("the parked helper outlived its session")
	}
}

// TestNoParkedHelperSurvives runs each front end through a turn of one
// sandboxed command and its answer. While the model writes the answer
// (the request waits) the front end has a helper parked for its next
// command; then the front end is SIGKILLed (the process alone), or, for
// exec and proto, left to end (exec after its turn, proto at EOF of its
// input): the parked helper must not survive either way. As uid 65534
// codex exec parks one with no switch (seen failing when Start parked
// nothing without CAP_SYS_ADMIN), and its command sees only its own uid
// mapped (seen failing when the helper did not map its ids).
func TestNoParkedHelperSurvives(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: helpers are started ahead only with CAP_SYS_ADMIN (CI runs as root and fails on any skip)")
	}
	// As root the sandbox is set up by the agent itself, which parks
	// nothing (sandbox.Ahead); CODEX_SANDBOX_HELPER=1 in the front end's
	// environment (parkedSurvival) asks for the helper process.
	for _, tc := range []struct {
		front string
		kill  bool
	}{{"exec", true}, {"exec", false}, {"proto", true}, {"proto", false}, {"mcp-server", true}, {"app-server", true}} {
		name := tc.front + "/ends"
		if tc.kill {
			name = tc.front + "/kill-9"
		}
		t.Run(name, func(t *testing.T) {
			parkedSurvival(t, tc.front, tc.kill, nil)
		})
	}
	// As an ordinary user the agent parks helpers by default (no switch),
	// supervising them itself: the command runs in a user namespace of
	// its helper's, its own uid mapped.
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534}
	for _, kill := range []bool{true, false} {
		name := map[bool]string{true: "kill-9", false: "ends"}[kill]
		t.Run("uid 65534/exec/"+name, func(t *testing.T) {
			parkedSurvival(t, "exec", kill, nobody)
		})
	}
}

// publicCodex is a copy of the test binary named codex that any user
// may run, in a directory any user may enter.
func publicCodex(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "codex")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// giveFixture makes fx's home and repository cred's, and the
// directories above them enterable.
func giveFixture(t *testing.T, fx *execFixture, cred *syscall.Credential) {
	t.Helper()
	root := filepath.Dir(fx.home)
	for _, d := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, top := range []string{fx.home, fx.repo} {
		err := filepath.WalkDir(top, func(p string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, int(cred.Uid), int(cred.Gid))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// parkedSurvival runs front through a turn of one command and the start
// of the next (see TestNoParkedHelperSurvives), as cred (nil: this
// process's user, root, with CODEX_SANDBOX_HELPER=1).
func parkedSurvival(t *testing.T, front string, kill bool, cred *syscall.Credential) {
	bin := selfCodex(t)
	command := "echo hi"
	if cred != nil {
		bin, command = publicCodex(t), "cat /proc/self/uid_map"
	}
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": command})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
	if cred != nil {
		giveFixture(t, fx, cred)
	}
	type parked struct {
		fd int
		ok bool
	}
	got := make(chan parked, 1)
	release := make(chan struct{})
	var (
		mu   sync.Mutex
		n    int
		fpid int
	)
	fx.srv.OnRequest(func(modelserver.Request) {
		mu.Lock()
		n++
		second, pid := n == 2, fpid
		mu.Unlock()
		if !second {
			return
		}
		fd, _, ok := awaitParked(pid, nil)
		got <- parked{fd, ok}
		if kill {
			<-release // the front end dies waiting for the answer
		}
	})
	t.Cleanup(func() { close(release) })
	var (
		cmd  *exec.Cmd
		msgs []string
	)
	switch front {
	case "exec":
		cmd = exec.Command(bin, append(append([]string{"exec"}, fx.providerArgs()...), "--json", "-s", "workspace-write", "-C", fx.repo, "run it")...)
	case "proto":
		cmd = exec.Command(bin, append(append([]string{"proto"}, fx.providerArgs()...), "-c", `sandbox_mode="workspace-write"`, "-c", `approval_policy="never"`)...)
		sub, err := json.Marshal(protocol.Submission{ID: "t1", Op: protocol.UserInputOp{Items: protocol.TextInput("run it")}})
		if err != nil {
			t.Fatal(err)
		}
		msgs = []string{string(sub)}
	case "mcp-server":
		args := fx.providerArgs()
		cmd = exec.Command(bin, append(append([]string{"mcp-server"}, args[:len(args)-2]...), "-c", `model="gpt-test"`)...)
		msgs = []string{
			`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
			`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
			`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"codex","arguments":{"prompt":"run it","approval-policy":"never","sandbox":"workspace-write","cwd":"` + fx.repo + `"}}}`,
		}
	case "app-server":
		args := fx.providerArgs()
		cmd = exec.Command(bin, append(append([]string{"app-server"}, args[:len(args)-2]...), "-c", `model="gpt-test"`)...)
		msgs = []string{
			`{"id":1,"method":"initialize","params":{"clientInfo":{"name":"t","version":"1"}}}`,
			`{"method":"initialized","params":{}}`,
			`{"id":2,"method":"thread/start","params":{"cwd":"` + fx.repo + `","approvalPolicy":"never","sandbox":"workspace-write"}}`,
		}
	}
	cmd.Env, cmd.Dir = append(fx.environ(), "CODEX_SANDBOX_HELPER=1"), fx.repo
	if cred != nil {
		// No switch: an ordinary user's agent parks helpers by default.
		cmd.Env, cmd.SysProcAttr = fx.environ(), &syscall.SysProcAttr{Credential: cred}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	err = cmd.Start()
	if err == nil {
		fpid = cmd.Process.Pid
	}
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for _, m := range msgs {
		if _, err := io.WriteString(in, m+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	if front == "exec" {
		_ = in.Close()
	}
	// The front end's output: the app-server's thread id starts its
	// turn; proto's task_complete ends its input.
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	mapped := make(chan bool, 1)
	go func() {
		ok := false
		defer func() { mapped <- ok }()
		for l := range lines {
			// The command's output as exec --json reports it: its own
			// uid mapped in its helper's user namespace.
			ok = ok || strings.Contains(l, `65534      65534          1`)
			switch {
			case front == "app-server" && strings.Contains(l, `"id":2,`):
				var r struct {
					Result struct {
						Thread struct {
							ID string `json:"id"`
						} `json:"thread"`
					} `json:"result"`
				}
				_ = json.Unmarshal([]byte(l), &r)
				_, _ = io.WriteString(in, `{"id":3,"method":"turn/start","params":{"threadId":"`+r.Result.Thread.ID+`","input":[{"type":"text","text":"run it"}]}}`+"\n")
			case front == "proto" && !kill && strings.Contains(l, "task_complete"):
				_ = in.Close()
			}
		}
	}()
	var p parked
	select {
	case p = <-got:
	case <-time.After(60 * time.Second):
		t.Fatalf("no second model request from %s: %s", front, stderr.String())
	}
	if !p.ok {
		t.Fatalf("no helper parked by %s while the model answers", front)
	}
	defer func() { _ = unix.Close(p.fd) }()
	if kill {
		if err := cmd.Process.Kill(); err != nil { // SIGKILL, the process alone
			t.Fatal(err)
		}
	}
	_ = cmd.Wait()
	if !proctest.Exits(p.fd, 10*time.Second) {
		_ = unix.PidfdSendSignal(p.fd, unix.SIGKILL, nil, 0)
		t.Errorf("a helper parked by %s survived its end (kill -9: %v); stderr: %s", front, kill, stderr.String())
	}
	if cred != nil && !<-mapped {
		t.Errorf("the command's uid map is not its own uid's alone; stderr: %s", stderr.String())
	}
}
