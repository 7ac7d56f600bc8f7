package agent

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// selfCodex is this test binary under the name codex (TestMain runs Main
// for it): the real front ends in a process of their own.
func selfCodex(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "codex")
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

func (fx *execFixture) environ() []string {
	env := []string{}
	for k, v := range fx.env {
		env = append(env, k+"="+v)
	}
	return env
}

// TestResumeAfterKill9: `codex exec` killed with SIGKILL while a command
// runs leaves the command's call without an output in the rollout; the
// model server, strict like the real Responses API, rejects such a
// history with 400 "No tool output found for function call …". Resuming
// gives the call an "aborted" output, so the session goes on.
func TestResumeAfterKill9(t *testing.T) {
	bin := selfCodex(t)
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command",
			map[string]any{"cmd": "echo started; exec sleep 600", "yield_time_ms": 30000})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("resumed fine")}})
	base := append(fx.providerArgs(), "--json", "-s", "danger-full-access", "-C", fx.repo)
	cmd := exec.Command(bin, append(append([]string{"exec"}, base...), "run it")...)
	cmd.Env = fx.environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"item.started"`) && strings.Contains(sc.Text(), "command_execution") {
			break
		}
	}
	// Killed in the middle of the command (its process group with it).
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	res := exec.Command(bin, append(append([]string{"exec"}, base...), "resume", "--last", "go on")...)
	res.Env = fx.environ()
	var stderr strings.Builder
	res.Stderr = &stderr
	stdout, err := res.Output()
	if err != nil {
		t.Fatalf("resume: %v\nstdout: %s\nstderr: %s", err, stdout, stderr.String())
	}
	if !strings.Contains(string(stdout), "resumed fine") {
		t.Errorf("resume output:\n%s", stdout)
	}
	reqs := fx.srv.Requests()
	var body struct {
		Input []struct {
			Type   string          `json:"type"`
			CallID string          `json:"call_id"`
			Output json.RawMessage `json:"output"`
		} `json:"input"`
	}
	if err := reqs[len(reqs)-1].JSON(&body); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range body.Input {
		if it.Type == "function_call_output" && it.CallID == "c1" && strings.Contains(string(it.Output), AbortedOutput) {
			found = true
		}
	}
	if !found {
		t.Errorf("resumed request lacks c1's aborted output: %+v", body.Input)
	}
}
