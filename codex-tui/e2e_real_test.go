package tui

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests in this file run the real fused binary (codex/,
// built into a temporary directory, or $CODEX_E2E_BIN) in tmux: the TUI,
// the real agent it spawns (`codex-agent app-server`, the same binary
// re-executed) and, as the model API, the local scripted model server
// (`codex-agent model-server`, the same binary again) on 127.0.0.1.

// buildCodex builds codex/cmd/codex (the go build cache makes a rebuild
// cheap) or takes $CODEX_E2E_BIN, and returns the binary.
func buildCodex(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("CODEX_E2E_BIN"); bin != "" {
		return bin
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build codex: %v", err)
	}
	src, err := filepath.Abs(filepath.Join("..", "codex"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "codex")
	cmd := exec.Command(gobin, "build", "-o", bin, "./cmd/codex")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build codex: %v\n%s", err, out)
	}
	return bin
}

// modelServer is `codex-agent model-server` running a script, with every
// request it received recorded in a JSONL file.
type modelServer struct {
	url, record string
}

// startModelServer runs the model server from the codex binary (through a
// codex-agent link) and waits for its URL.
func startModelServer(t *testing.T, codex string, turns ...string) *modelServer {
	t.Helper()
	dir := t.TempDir()
	agentLink := filepath.Join(dir, "codex-agent")
	if err := os.Symlink(codex, agentLink); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "script.json")
	if err := os.WriteFile(script, []byte(`{"turns":[`+strings.Join(turns, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ms := &modelServer{record: filepath.Join(dir, "requests.jsonl")}
	cmd := exec.Command(agentLink, "model-server", "--script", script, "--record", ms.record)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start model server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	// The server prints its base URL once it listens.
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("model server URL: %v", err)
	}
	ms.url = strings.TrimSpace(line)
	return ms
}

// requests returns the bodies of the model requests received so far.
func (ms *modelServer) requests(t *testing.T) []modelRequest {
	t.Helper()
	b, err := os.ReadFile(ms.record)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var reqs []modelRequest
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var r struct {
			Path string `json:"path"`
			Body []byte `json:"body"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("bad record line %q: %v", l, err)
		}
		if !strings.HasSuffix(r.Path, "/responses") {
			continue
		}
		var body modelRequest
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("bad request body %s: %v", r.Body, err)
		}
		reqs = append(reqs, body)
	}
	return reqs
}

// modelRequest is the part of a Responses request the tests look at.
type modelRequest struct {
	Input          []json.RawMessage `json:"input"`
	PromptCacheKey string            `json:"prompt_cache_key"`
}

// text is the request's input as one string, for searching.
func (r modelRequest) text() string {
	var parts []string
	for _, it := range r.Input {
		parts = append(parts, string(it))
	}
	return strings.Join(parts, "\n")
}

// Scripted model output items, in the Responses wire shape.
func itemsTurn(items ...string) string { return `{"items":[` + strings.Join(items, ",") + `]}` }

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func messageItem(text string) string {
	return `{"type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":` + jsonString(text) + `,"annotations":[]}]}`
}

func shellCallItem(callID, script string) string {
	args := `{"command":["bash","-lc",` + jsonString(script) + `]}`
	return `{"type":"function_call","id":"fc_` + callID + `","call_id":"` + callID + `","name":"shell","arguments":` + jsonString(args) + `,"status":"completed"}`
}

func patchCallItem(callID, patch string) string {
	return `{"type":"custom_tool_call","id":"ctc_` + callID + `","call_id":"` + callID + `","name":"apply_patch","input":` + jsonString(patch) + `,"status":"completed"}`
}

// startRealTerm runs `codex ARGS...` in tmux with a CODEX_HOME whose
// config.toml points the agent at the model server and trusts dir.
func startRealTerm(t *testing.T, codex, home, dir string, ms *modelServer, args ...string) *term {
	t.Helper()
	return startRealTermThen(t, "", codex, home, dir, ms, args...)
}

// startRealTermThen is startRealTerm whose pane's shell runs then after
// codex exits and has said so (as a user's shell goes on after it).
func startRealTermThen(t *testing.T, then, codex, home, dir string, ms *modelServer, args ...string) *term {
	t.Helper()
	cfg := fmt.Sprintf(`model = "gpt-test"
model_provider = "local"

[model_providers.local]
name = "local scripted model server"
base_url = %q
env_key = "OPENAI_API_KEY"
stream_max_retries = 0

[projects.%q]
trust_level = "trusted"
`, ms.url, dir)
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, name: fmt.Sprintf("codex-real-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), home: home, dir: dir}
	shArgs := []string{"sh", "-c", `"$@"; echo "[codex-tui exited $?]"` + then, "sh", "env", "CODEX_HOME=" + home,
		"OPENAI_API_KEY=sk-local-test", "TERM=xterm-256color", codex, "-C", dir}
	shArgs = append(shArgs, args...)
	cmd := tm.tmux(append([]string{"start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";", "new-session", "-d", "-s", tm.name, "-x", "100", "-y", "30"}, shArgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = tm.tmux("kill-server").Run() })
	return tm
}

// processesWithArgs lists the processes whose command line (NUL-separated
// arguments) contains args.
func processesWithArgs(args string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && strings.Contains(string(b), args) && !processGone(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processGone reports whether pid no longer runs (gone or a zombie that
// nobody has reaped yet: it runs nothing any more).
func processGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z' || s[i+2] == 'X'
}

// TestE2ERealBinary drives the real codex binary against the local model
// server: a streamed answer, a command approved under `untrusted` and its
// output, a patch approved and really applied, an interrupt that kills
// the running command's whole process tree, and `codex resume --last`
// continuing the recorded conversation (the model receives the history).
func TestE2ERealBinary(t *testing.T) {
	codex := buildCodex(t)
	dir := t.TempDir()
	// The interrupted command's processes are found by a unique sleep
	// argument: inside the sandbox's PID namespace $$ is not a host pid.
	nap := fmt.Sprintf("%d.%06d", 600+os.Getpid()%300, time.Now().UnixNano()%1000000)
	ms := startModelServer(t, codex,
		// 1: the streamed answer (the server sends it in small deltas).
		itemsTurn(messageItem("Streaming **answer** from the real agent.\n\nA second paragraph follows it.")),
		// 2-3: a command, then the answer after its output.
		itemsTurn(shellCallItem("c1", "echo real-output-$((6*7))")),
		itemsTurn(messageItem("The command printed its line.")),
		// 4-5: a patch, then the answer after it.
		itemsTurn(patchCallItem("p1", "*** Begin Patch\n*** Add File: notes.txt\n+written by the real agent\n*** End Patch\n")),
		itemsTurn(messageItem("The file is written.")),
		// 6: a long command with a child, interrupted.
		itemsTurn(shellCallItem("c2", "sleep "+nap+" & echo started-long; sleep "+nap+"; wait")),
		// 7: the first request after the resume.
		itemsTurn(messageItem("Resumed: I remember the earlier turns.")),
	)
	home := t.TempDir()
	tm := startRealTerm(t, codex, home, dir, ms, "-a", "untrusted", "-s", "workspace-write")
	tm.waitFor(`>_ Codex`)
	tm.waitFor(`gpt-test`)

	tm.keys("-l", "hello real model")
	tm.keys("Enter")
	tm.waitFor(`Streaming answer from the real agent\.`)
	tm.waitFor(`A second paragraph follows it\.`)

	tm.keys("-l", "run a command")
	tm.keys("Enter")
	tm.waitFor(`Would you like to run the following command\?`)
	tm.think()
	tm.keys("y")
	tm.waitFor(`(?s)real-output-42.*✓ exit 0`)
	tm.waitFor(`The command printed its line\.`)

	tm.keys("-l", "write a file")
	tm.keys("Enter")
	tm.waitFor(`Would you like to make the following edits\?`)
	tm.think()
	tm.keys("y")
	tm.waitFor(`The file is written\.`)
	if b, err := os.ReadFile(filepath.Join(dir, "notes.txt")); err != nil || string(b) != "written by the real agent\n" {
		t.Errorf("notes.txt = %q, %v; want the patch applied", b, err)
	}

	tm.keys("-l", "run something long")
	tm.keys("Enter")
	tm.waitFor(`Would you like to run the following command\?`)
	tm.think()
	tm.keys("y")
	tm.waitFor(`esc to interrupt`)
	var started []int
	poll(t, "the long command to start both processes", func() bool {
		started = processesWithArgs("sleep\x00" + nap)
		return len(started) == 2
	}, tm.capture)
	tm.keys("Escape")
	tm.waitFor(`Conversation interrupted`)
	for _, pid := range started {
		poll(t, fmt.Sprintf("process %d of the interrupted command to end", pid), func() bool { return processGone(pid) }, tm.capture)
	}
	tm.keys("C-c")
	tm.waitFor(`Ctrl\+C again to quit`)
	tm.keys("C-c")
	tm.waitExit(0)

	reqs := ms.requests(t)
	if len(reqs) != 6 {
		t.Fatalf("%d model requests before the resume, want 6", len(reqs))
	}
	if out := reqs[2].text(); !strings.Contains(out, "real-output-42") {
		t.Errorf("the command's output did not reach the model:\n%s", out)
	}
	first := reqs[0]

	// Resume the recorded session: the model gets the earlier history.
	tm2 := startRealTerm(t, codex, home, dir, ms, "resume", "--last")
	// The earlier conversation is shown again, in order, before the prompt.
	tm2.waitFor(`(?s)>_ Codex.*› hello real model.*Streaming answer from the real agent\..*› run a command.*The command printed its line\..*The file is written\..*› run something long`)
	tm2.keys("-l", "do you remember")
	tm2.keys("Enter")
	tm2.waitFor(`Resumed: I remember the earlier turns\.`)
	tm2.keys("C-d")
	tm2.waitExit(0)
	reqs = ms.requests(t)
	if len(reqs) != 7 {
		t.Fatalf("%d model requests, want 7", len(reqs))
	}
	last := reqs[6]
	in := last.text()
	var missing []string
	for _, want := range []string{"hello real model", "Streaming **answer** from the real agent.", "real-output-42", "notes.txt", "run something long", "do you remember"} {
		if !strings.Contains(in, want) {
			missing = append(missing, want)
		}
	}
	if missing != nil {
		t.Errorf("the resumed request lacks %q of the earlier conversation; its input:\n%s", missing, in)
	}
	if last.PromptCacheKey == "" || last.PromptCacheKey != first.PromptCacheKey {
		t.Errorf("resumed prompt_cache_key %q, want the first session's %q", last.PromptCacheKey, first.PromptCacheKey)
	}
	// The resumed history opens with the first request's own input.
	for i, it := range first.Input {
		if i >= len(last.Input) || string(last.Input[i]) != string(it) {
			t.Errorf("resumed input item %d differs from the original:\n%s", i, it)
			break
		}
	}
}

// execCallItem is an exec_command call (the unified exec tool) with args.
func execCallItem(callID string, args map[string]any) string {
	b, _ := json.Marshal(args)
	return `{"type":"function_call","id":"fc_` + callID + `","call_id":"` + callID + `","name":"exec_command","arguments":` + jsonString(string(b)) + `,"status":"completed"}`
}

// TestE2ERealBackgroundSession drives the real binary through an
// exec_command session: a command still waiting for input when its yield
// time is up is left running in the background (announced, counted in
// the footer) while the turn ends; in the next turn the model writes to
// it, the TUI shows what was sent, and the command's cell comes when it
// ends.
func TestE2ERealBackgroundSession(t *testing.T) {
	codex := buildCodex(t)
	dir := t.TempDir()
	ms := startModelServer(t, codex,
		itemsTurn(execCallItem("c1", map[string]any{"cmd": "echo serving-$((40*100+2)); read line; echo got-$line", "yield_time_ms": 300})),
		itemsTurn(messageItem("The server runs in the background.")),
		itemsTurn(`{"type":"function_call","id":"fc_w1","call_id":"w1","name":"write_stdin","arguments":`+jsonString(`{"session_id":1001,"chars":"stop\n","yield_time_ms":30000}`)+`,"status":"completed"}`),
		itemsTurn(messageItem("It stopped.")),
	)
	home := t.TempDir()
	tm := startRealTerm(t, codex, home, dir, ms, "-a", "never", "-s", "workspace-write")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "start the server")
	tm.keys("Enter")
	tm.waitFor(`The server runs in the background\.`)
	tm.waitFor(`keeps running in the background`)
	tm.waitFor(`1 background terminal`)

	tm.keys("-l", "stop it")
	tm.keys("Enter")
	tm.waitFor(`It stopped\.`)
	s := tm.waitFor(`(?s)Sent "stop\\n" to .*got-stop`)
	if strings.Contains(s[strings.LastIndex(s, "It stopped."):], "background terminal") {
		t.Errorf("the footer still counts the ended command:\n%s", s)
	}
	tm.keys("C-c")
	tm.waitFor(`Ctrl\+C again to quit`)
	tm.keys("C-c")
	tm.waitExit(0)
	reqs := ms.requests(t)
	if out := reqs[1].text(); !strings.Contains(out, "Process running with session ID 1001") {
		t.Errorf("the model was not told of the running session:\n%s", out)
	}
	// What it printed reaches the model by the end, whether before the
	// yield (a loaded machine may take longer to start the shell) or after.
	if out := reqs[len(reqs)-1].text(); !strings.Contains(out, "serving-4002") || !strings.Contains(out, "got-stop") ||
		!strings.Contains(out, "Process exited with code 0") {
		t.Errorf("the session's output and end did not reach the model:\n%s", out)
	}
}
