package codex

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/appserver/schematest"
	"github.com/codexgo/codex-agent/modelserver"
)

// TestPythonClientDrivesAppServer runs a stdlib-only Python client,
// written from the protocol facts as the Codex Python SDK speaks them,
// against the real codex binary: `codex --config K=V app-server --listen
// stdio://`, a turn with an approval round trip, a second turn, and a
// resume in a new process. Every line the server wrote is checked
// against the protocol schema.
func TestPythonClientDrivesAppServer(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is required for this test: %v", err)
	}
	bin := codexBinary(t)
	call := func(id, cmd string) json.RawMessage {
		return modelserver.FunctionCall(id, "exec_command", map[string]any{"cmd": cmd, "yield_time_ms": 30000})
	}
	srv, err := modelserver.Start(modelserver.Script{Turns: []modelserver.Turn{
		{Items: []json.RawMessage{call("c1", "echo from-python > made.txt && cat made.txt")}},
		{Items: []json.RawMessage{modelserver.Message("first answer")}},
		{Items: []json.RawMessage{modelserver.Message("second answer")}},
		{Items: []json.RawMessage{modelserver.Message("third answer")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	dir := t.TempDir()
	home, work := filepath.Join(dir, "home"), filepath.Join(dir, "work")
	for _, d := range []string{home, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	log := filepath.Join(dir, "server.jsonl")
	cmd := exec.Command(python, "testdata/appserver_client.py", bin, work, log,
		"--config", `model="gpt-test"`, "--config", `model_provider="mock"`,
		"--config", `model_providers.mock={name="mock",base_url="`+srv.URL()+`",env_key="MOCK_KEY",stream_max_retries=0}`)
	cmd.Env = append(os.Environ(), "CODEX_HOME="+home, "HOME="+dir, "MOCK_KEY=sk-mock", "OPENAI_API_KEY=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python client: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var got struct {
		ThreadID string `json:"threadId"`
		First    struct {
			Status    string   `json:"status"`
			Approvals []string `json:"approvals"`
			Messages  []string `json:"messages"`
			Deltas    string   `json:"deltas"`
			Commands  []struct {
				Status, Output string
			} `json:"commands"`
		} `json:"first"`
		Second struct {
			Status   string   `json:"status"`
			Messages []string `json:"messages"`
		} `json:"second"`
		ResumedTurns []string `json:"resumedTurns"`
		Third        struct {
			Messages []string `json:"messages"`
		} `json:"third"`
		Exit1, Exit2 int
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("client output %q: %v", stdout.String(), err)
	}
	f := got.First
	if got.ThreadID == "" || f.Status != "completed" || len(f.Approvals) != 1 || !strings.Contains(f.Approvals[0], "made.txt") ||
		len(f.Commands) != 1 || f.Commands[0].Status != "completed" || f.Commands[0].Output != "from-python\n" ||
		strings.Join(f.Messages, "|") != "first answer" || f.Deltas != "first answer" {
		t.Errorf("first turn = %+v", f)
	}
	if got.Second.Status != "completed" || strings.Join(got.Second.Messages, "|") != "second answer" {
		t.Errorf("second turn = %+v", got.Second)
	}
	if strings.Join(got.ResumedTurns, ",") != "completed,completed" || strings.Join(got.Third.Messages, "|") != "third answer" {
		t.Errorf("resume: turns %v, third %+v", got.ResumedTurns, got.Third)
	}
	if got.Exit1 != 0 || got.Exit2 != 0 {
		t.Errorf("exit codes %d %d", got.Exit1, got.Exit2)
	}
	if b, err := os.ReadFile(filepath.Join(work, "made.txt")); err != nil || string(b) != "from-python\n" {
		t.Errorf("made.txt = %q, %v", b, err)
	}
	v, err := schematest.Load()
	if err != nil {
		t.Fatal(err)
	}
	f2, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f2.Close() }()
	sc := bufio.NewScanner(f2)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		var e struct {
			Line   string  `json:"line"`
			Method *string `json:"method"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		method := ""
		if e.Method != nil {
			method = *e.Method
		}
		if err := v.Line([]byte(e.Line), method); err != nil {
			t.Errorf("schema: %v\nline: %s", err, e.Line)
		}
		n++
	}
	if n < 20 {
		t.Errorf("only %d server lines logged", n)
	}
}
