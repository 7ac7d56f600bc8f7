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
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
)

// TestFullDisk runs the real codex exec with CODEX_HOME on a small tmpfs
// that the model's answer overflows: the run reports the failed write
// (an error event in --json) and exits non-zero, and the rollout holds
// whole lines only, which a resume loads.
func TestFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	bin := selfCodex(t)
	big := strings.Repeat("all work and no play makes jack a dull boy\n", 6000) // ~260 kB
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message(big)}})
	home := filepath.Join(t.TempDir(), "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", home, "tmpfs", 0, "size=128k"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(home, syscall.MNT_DETACH) })
	fx.env["CODEX_HOME"] = home
	cmd := exec.Command(bin, append(append([]string{"exec"}, fx.providerArgs()...), "--json", "-C", fx.repo, "write a lot")...)
	cmd.Env = fx.environ()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exit: %v, want status 1\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(string(stdout), `"type":"error","message":"the session could not be saved: write rollout `) ||
		!strings.Contains(string(stdout), "no space left on device") {
		t.Errorf("no error event for the failed write:\n%.2000s", stdout)
	}
	files, _ := filepath.Glob(filepath.Join(home, "sessions", "*", "*", "*", "rollout-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("rollouts: %v", files)
	}
	checkWholeLines(t, files[0])
	if _, err := LoadRollout(files[0]); err != nil {
		t.Errorf("load after a full disk: %v", err)
	}
}

// checkWholeLines fails unless every line of the file is whole JSON.
func checkWholeLines(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("%s ends in a torn line: %q", path, b[max(0, len(b)-80):])
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(nil, len(b)+1)
	for n := 1; sc.Scan(); n++ {
		if !json.Valid(sc.Bytes()) {
			t.Errorf("%s:%d is not whole JSON: %.80q", path, n, sc.Text())
		}
	}
}

// TestAppendAfterTornTail: a rollout that ends in half a line (a crash or
// full disk mid-write, by an older version) gets the torn tail cut when
// it is appended to, so the next line starts on a line of its own and is
// loaded.
func TestAppendAfterTornTail(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	now := func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
	r, err := CreateRollout(home, SessionMeta{ID: "id1", Cwd: "/w"}, now)
	if err != nil {
		t.Fatal(err)
	}
	r.Item(model.UserMessage("first"))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(r.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"timestamp":"x","type":"response_item","payload":{"type":"mess`); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	r2, err := AppendRollout(r.Path(), now)
	if err != nil {
		t.Fatal(err)
	}
	r2.Item(model.UserMessage("second"))
	if err := r2.Close(); err != nil {
		t.Fatal(err)
	}
	checkWholeLines(t, r.Path())
	l, err := LoadRollout(r.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.History) != 2 || l.History[1].Text() != "second" {
		t.Errorf("history = %+v, want first and second", l.History)
	}
}

// FuzzLoadRollout: whatever a rollout file holds (torn lines, a crash's
// leftovers, hand edits), loading it never panics, its history has every
// tool call paired with one output, and appending to it keeps whole lines.
func FuzzLoadRollout(f *testing.F) {
	f.Add([]byte(`{"timestamp":"t","type":"session_meta","payload":{"id":"x","cwd":"/w"}}` + "\n" +
		`{"timestamp":"t","type":"response_item","payload":{"type":"function_call","call_id":"c1","name":"exec_command","arguments":"{}"}}` + "\n" +
		`{"timestamp":"t","type":"response_item","payload":{"type":"mess`))
	f.Add([]byte(`{"timestamp":"t","type":"session_meta","payload":{"id":"x"}}` + "\n" +
		`{"timestamp":"t","type":"response_item","payload":{"type":"function_call_output","call_id":"zz","output":"x"}}` + "\n"))
	f.Add([]byte("\n\n{}\n"))
	f.Add([]byte(`{"timestamp":"t","type":"session_meta","payload":{"id":"x","cwd":"/"}}` + "\n" + `{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}}`))
	f.Add([]byte(`{"type":"event_msg","payload":{"type":"token_count","total_token_usage":{"input_tokens":1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "r.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := LoadRollout(path)
		if err != nil {
			return
		}
		calls, outs := map[string]int{}, map[string]int{}
		for _, it := range l.History {
			switch it.Type {
			case "function_call", "custom_tool_call", "local_shell_call":
				calls[it.CallID]++
			case "function_call_output", "custom_tool_call_output", "local_shell_call_output":
				outs[it.CallID]++
			}
		}
		for id := range calls {
			if outs[id] == 0 {
				t.Errorf("call %q has no output", id)
			}
		}
		for id := range outs {
			if calls[id] == 0 {
				t.Errorf("output %q has no call", id)
			}
		}
		r, err := AppendRollout(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Item(model.UserMessage("more"))
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if len(b) == 0 || b[len(b)-1] != '\n' {
			t.Errorf("appended rollout does not end with a whole line")
		}
		if l2, err := LoadRollout(path); err != nil || len(l2.History) == 0 || l2.History[len(l2.History)-1].Text() != "more" {
			t.Errorf("appended line not loaded: %v", err)
		}
	})
}
