//go:build linux

package agent

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/proctest"
	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// TestNoSurvivorsAfterKill9 SIGKILLs a front end (the process alone, not
// its group) while a command it started runs with a background child and
// a setsid'd, double-forked grandchild, sandboxed and not: none may
// survive. The supervisor gets SIGTERM when the agent dies
// (PR_SET_PDEATHSIG) and ends the tree; a sandboxed tree's PID namespace
// dies with it regardless.
func TestNoSurvivorsAfterKill9(t *testing.T) {
	for _, tc := range []struct{ front, mode string }{
		{"exec", "workspace-write"}, {"exec", "danger-full-access"}, {"proto", "danger-full-access"}, {"proto", "workspace-write"},
		{"exec --sandbox-cmd", "workspace-write"}, {"mcp-server", "danger-full-access"}, {"mcp-server", "workspace-write"},
	} {
		t.Run(tc.front+"/"+tc.mode, func(t *testing.T) {
			mark := fmt.Sprintf("7%03d.%05d", os.Getpid()%1000, time.Now().UnixNano()%100000)
			script := "sleep " + mark + " & setsid sh -c 'sleep " + mark + " &'; echo started; wait"
			bin := selfCodex(t)
			fx := newExecFixture(t,
				modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command",
					map[string]any{"cmd": script, "yield_time_ms": 30000})}},
				modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
			var cmd *exec.Cmd
			switch tc.front {
			case "exec":
				cmd = exec.Command(bin, append(append([]string{"exec"}, fx.providerArgs()...), "--json", "-s", tc.mode, "-C", fx.repo, "run it")...)
			case "exec --sandbox-cmd":
				// An external sandbox program speaking codex-sandbox --json
				// (this test binary under that name).
				sbx := filepath.Join(filepath.Dir(bin), "codex-sandbox")
				if err := os.Symlink(bin, sbx); err != nil {
					t.Fatal(err)
				}
				cmd = exec.Command(bin, append(append([]string{"exec"}, fx.providerArgs()...), "--json", "-s", tc.mode, "-C", fx.repo,
					"--sandbox-cmd", sbx+" --json", "run it")...)
			case "mcp-server":
				args := fx.providerArgs()
				cmd = exec.Command(bin, append(append([]string{"mcp-server"}, args[:len(args)-2]...), "-c", "model=\"gpt-test\"")...)
				pr, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = pw.Close() })
				cmd.Stdin = pr
				for _, m := range []string{
					`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
					`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
					`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"codex","arguments":{"prompt":"run it","approval-policy":"never","sandbox":"` + tc.mode + `","cwd":"` + fx.repo + `"}}}`,
				} {
					if _, err := pw.Write([]byte(m + "\n")); err != nil {
						t.Fatal(err)
					}
				}
			default:
				cmd = exec.Command(bin, append(append([]string{"proto"}, fx.providerArgs()...), "-c", "sandbox_mode=\""+tc.mode+"\"", "-c", "approval_policy=\"never\"")...)
				cmd.Dir = fx.repo
				sub, err := json.Marshal(protocol.Submission{ID: "t1", Op: protocol.UserInputOp{Items: protocol.TextInput("run it")}})
				if err != nil {
					t.Fatal(err)
				}
				// stdin stays open: proto would end its session at EOF.
				pr, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = pw.Close() })
				cmd.Stdin = pr
				if _, err := pw.Write(append(sub, '\n')); err != nil {
					t.Fatal(err)
				}
			}
			cmd.Env = fx.environ()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if f, ok := cmd.Stdin.(*os.File); ok {
				_ = f.Close()
			}
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			// The command has begun; sleepPidfds then waits for its tree.
			begun := "command_execution"
			switch tc.front {
			case "proto":
				begun = "exec_command_begin"
			case "mcp-server":
				begun = "exec_command_begin" // in a codex/event notification
			}
			sc := bufio.NewScanner(out)
			var seen []string
			defer func() {
				if t.Failed() {
					t.Logf("front end's output: %s", strings.Join(seen, "\n"))
				}
			}()
			for !strings.Contains(sc.Text(), begun) {
				if !sc.Scan() {
					t.Fatalf("front end ended before the command started: %s", stderr.String())
				}
				seen = append(seen, sc.Text())
			}
			go func() { _, _ = io.Copy(io.Discard, out) }()
			pfds := sleepPidfds(t, mark, 2)
			if err := cmd.Process.Kill(); err != nil { // SIGKILL, the process alone
				t.Fatal(err)
			}
			_ = cmd.Wait()
			for i, pfd := range pfds {
				if !proctest.Exits(pfd, 10*time.Second) {
					t.Errorf("process %d of the command's tree survived kill -9 of codex %s", i, tc.front)
					_ = unix.PidfdSendSignal(pfd, unix.SIGKILL, nil, 0)
				}
				_ = unix.Close(pfd)
			}
		})
	}
}

// sleepPidfds opens a pidfd on each of the want live processes whose
// command line is "sleep <mark>", reading /proc until all exist.
func sleepPidfds(t *testing.T, mark string, want int) []int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pids []int
		ents, err := os.ReadDir("/proc")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			if err == nil && bytes.Equal(b, []byte("sleep\x00"+mark+"\x00")) {
				if p, err := strconv.Atoi(e.Name()); err == nil {
					pids = append(pids, p)
				}
			}
		}
		if len(pids) >= want || time.Now().After(deadline) {
			var fds []int
			for _, p := range pids {
				if fd, err := unix.PidfdOpen(p, 0); err == nil {
					fds = append(fds, fd)
				}
			}
			if len(fds) < want {
				t.Fatalf("found %d processes of the tree, want %d", len(fds), want)
			}
			return fds
		}
		runtime.Gosched()
	}
}
