package tui

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/codex-login/issuertest"
	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/codex-tui/internal/fakeagent"
	"github.com/codexgo/common/selfexec"
)

// TestMain lets the test binary act as codex-tui and as the (fake)
// codex-agent when run under those names, so the end-to-end tests drive
// the real Main in a real terminal (tmux).
func TestMain(m *testing.M) {
	switch selfexec.Name(os.Args[0]) {
	case "codex-agent":
		os.Exit(fakeagent.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	case "codex-tui":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// term is a tmux session running codex-tui.
type term struct {
	t    *testing.T
	name string
	home string
	dir  string
}

// startTerm runs codex-tui (this test binary under that name) with the
// fake agent in a detached tmux session of the given size.
func startTerm(t *testing.T, width, height int, extra ...string) *term {
	return startTermEnv(t, width, height, []string{"OPENAI_API_KEY=sk-test"}, nil, extra...)
}

// startTermEnv is startTerm with extra environment variables.
// prepare, if set, runs on CODEX_HOME before codex-tui starts.
func startTermEnv(t *testing.T, width, height int, env []string, prepare func(home string), extra ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is required for the end-to-end tests: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, n := range []string{"codex-tui", "codex-agent"} {
		if err := os.Symlink(self, filepath.Join(bin, n)); err != nil {
			t.Fatal(err)
		}
	}
	tm := &term{t: t, name: fmt.Sprintf("codex-tui-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), home: t.TempDir(), dir: t.TempDir()}
	if prepare != nil {
		prepare(tm.home)
	}
	// sh reports the exit status in the pane: tmux itself can leave a dead
	// pane's status unknown for a long while.
	args := append([]string{"sh", "-c", `"$@"; echo "[codex-tui exited $?]"`, "sh", "env", "-u", "OPENAI_API_KEY", "CODEX_HOME=" + tm.home, "TERM=xterm-256color", "GORACE=atexit_sleep_ms=0"}, env...)
	args = append(args, filepath.Join(bin, "codex-tui"), "--agent", filepath.Join(bin, "codex-agent"), "-C", tm.dir)
	args = append(args, extra...)
	// Keep the pane after exit so the end state can be inspected (set
	// before the program starts: it may exit at once).
	cmd := tm.tmux(append([]string{"start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";", "new-session", "-d", "-s", tm.name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = tm.tmux("kill-server").Run() })
	return tm
}

// tmux runs a tmux command against this test's own server (socket named
// after the session), so tests neither share nor race a server.
func (tm *term) tmux(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", tm.name, "-f", "/dev/null"}, args...)...)
}

func (tm *term) keys(keys ...string) {
	tm.t.Helper()
	if out, err := tm.tmux(append([]string{"send-keys", "-t", tm.name}, keys...)...).CombinedOutput(); err != nil {
		tm.t.Fatalf("send-keys %q: %v: %s", keys, err, out)
	}
}

// capture returns the pane with its scrollback.
func (tm *term) capture() string {
	out, err := tm.tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", tm.name).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// waitFor polls the pane until re matches, failing after a deadline.
// Polling the terminal is the only way to observe it from outside.
func (tm *term) waitFor(pattern string) string {
	tm.t.Helper()
	re := regexp.MustCompile(pattern)
	var s string
	poll(tm.t, "pane to show "+pattern, func() bool {
		s = tm.capture()
		return re.MatchString(s)
	}, tm.dump)
	return s
}

// waitExit waits for codex-tui to exit with status want.
func (tm *term) waitExit(want int) {
	tm.t.Helper()
	tm.waitFor(fmt.Sprintf(`\[codex-tui exited %d\]`, want))
}

// dump asks a stuck codex-tui for its goroutines (SIGQUIT prints them to
// the pane) and returns the pane, for the failure message.
func (tm *term) dump() string {
	out, err := tm.tmux("display-message", "-p", "-t", tm.name, "#{pane_pid} #{pane_dead}").Output()
	f := strings.Fields(string(out))
	if err != nil || len(f) != 2 || f[1] == "1" {
		ps, _ := exec.Command("ps", "-e", "-o", "pid,ppid,stat,args").Output()
		var mine []string
		for _, l := range strings.Split(string(ps), "\n") {
			if strings.Contains(l, "codex-") {
				mine = append(mine, l)
			}
		}
		return fmt.Sprintf("pane %q (%v)\nprocesses:\n%s\n%s", out, err, strings.Join(mine, "\n"), tm.capture())
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		return tm.capture()
	}
	// The pane runs sh; codex-tui is its child.
	if out, err := exec.Command("pgrep", "-P", strconv.Itoa(pid)).Output(); err == nil {
		if c, err := strconv.Atoi(strings.Fields(string(out) + " x")[0]); err == nil {
			pid = c
		}
	}
	_ = tm.tmux("set-option", "-t", tm.name, "history-limit", "100000").Run()
	_ = syscall.Kill(pid, syscall.SIGQUIT)
	poll(tm.t, "the goroutine dump", func() bool {
		return strings.Contains(tm.capture(), "[codex-tui exited")
	}, tm.capture)
	return tm.capture()
}

// poll checks cond until it holds, failing after a deadline; show
// describes the last state for the failure message.
func poll(t *testing.T, what string, cond func() bool, show func() string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last state:\n%s", what, show())
		}
	}
}

// think is the user reading a request that just opened before answering.
// It is part of the scenario, not synchronisation: a key pressed sooner
// is swallowed by the grace period on purpose (TestGracePeriod).
func (tm *term) think() { time.Sleep(graceQuiet + 100*time.Millisecond) }

func TestE2EPromptApprovalCommandPatchInterrupt(t *testing.T) {
	tm := startTerm(t, 100, 30)
	// A new directory: the trust prompt comes first.
	tm.waitFor(`You are running Codex in`)
	tm.keys("Enter")
	tm.waitFor(`>_ Codex`)
	cfg, err := os.ReadFile(filepath.Join(tm.home, "config.toml"))
	if err != nil || !strings.Contains(string(cfg), "trust_level = ") {
		t.Errorf("trust not recorded in config.toml: %q, %v", cfg, err)
	}

	tm.keys("-l", "hi there")
	tm.keys("Enter")
	tm.waitFor(`You said: hi there`)
	tm.waitFor(`echo fenced`)

	tm.keys("-l", "please run it")
	tm.keys("Enter")
	tm.waitFor(`Would you like to run the following command\?`)
	tm.think()
	tm.keys("y")
	tm.waitFor(`You approved codex to run echo hello this time`)
	tm.waitFor(`Ran echo hello`)
	tm.waitFor(`(?s)└ hello.*✓ exit 0`)
	tm.waitFor(`Done\.`)

	tm.keys("-l", "make a patch")
	tm.keys("Enter")
	tm.waitFor(`Would you like to make the following edits\?`)
	tm.think()
	tm.keys("y")
	tm.waitFor(`Edited 1 file \(\+2 -0\)`)
	if b, err := os.ReadFile(filepath.Join(tm.dir, "hello.txt")); err != nil || string(b) != "hello\nworld\n" {
		t.Errorf("patch not applied: %q, %v", b, err)
	}

	tm.keys("-l", "wait for me")
	tm.keys("Enter")
	tm.waitFor(`Running sleep 600`)
	tm.waitFor(`esc to interrupt`)
	tm.keys("Escape")
	tm.waitFor(`Conversation interrupted`)

	// Quit: Ctrl+C twice; the terminal is restored and the exit is clean.
	tm.keys("C-c")
	tm.waitFor(`Ctrl\+C again to quit`)
	tm.keys("C-c")
	tm.waitExit(0)
}

func TestE2ENarrowAndLongStream(t *testing.T) {
	tm := startTerm(t, 50, 20, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "long 300")
	tm.keys("Enter")
	s := tm.waitFor(`Line 300 of the answer\.`)
	if strings.Count(s, "Line 150 of the answer.") != 1 {
		t.Errorf("line printed %d times, want once", strings.Count(s, "Line 150 of the answer."))
	}
	// -J joins rows tmux marks as wrapped; trailing blanks are not content.
	for _, l := range strings.Split(s, "\n") {
		if w := len([]rune(strings.TrimRight(l, " "))); w > 50 {
			t.Errorf("line wider than the terminal (%d): %q", w, l)
		}
	}
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2ELoginScreen: no credentials, so the TUI opens the login screen;
// Sign in with ChatGPT runs the whole browser flow against the local
// OIDC test issuer ($BROWSER records the URL, Visit plays the browser),
// then onboarding goes on to the trust prompt and the session.
func TestE2ELoginScreen(t *testing.T) {
	srv, err := issuertest.Start(issuertest.Options{Email: "dev@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	urlFile := filepath.Join(t.TempDir(), "url")
	browser := filepath.Join(t.TempDir(), "browser")
	if err := os.WriteFile(browser, []byte("#!/bin/sh\nprintf %s \"$1\" > "+urlFile+".tmp && mv "+urlFile+".tmp "+urlFile+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tm := startTermEnv(t, 100, 30, []string{"BROWSER=" + browser, "CODEX_LOGIN_ISSUER=" + srv.URL,
		"CODEX_LOGIN_CLIENT_ID=" + oauth.OpenAIClientID, "CODEX_LOGIN_PORT=0"}, nil)
	tm.waitFor(`Sign in with ChatGPT`)
	tm.keys("Enter")
	tm.waitFor(`Finish signing in via your browser`)
	var url []byte
	poll(t, "the browser to be opened", func() bool {
		url, _ = os.ReadFile(urlFile)
		return len(url) > 0
	}, tm.capture)
	if code, body, err := issuertest.Visit(context.Background(), &http.Client{}, string(url)); err != nil || code != 200 {
		t.Fatalf("visit: %d %v %s", code, err, body)
	}
	tm.waitFor(`Signed in with your ChatGPT account \(dev@example.com\)`)
	tm.waitFor(`You are running Codex in`)
	tm.keys("Enter")
	tm.waitFor(`>_ Codex`)
	if _, err := os.Stat(filepath.Join(tm.home, "auth.json")); err != nil {
		t.Errorf("auth.json: %v", err)
	}
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2EResumePicker: `codex-tui resume` lists the saved sessions, newest
// first, with their first prompt; typing filters; Enter resumes the chosen
// one (the agent is started with its rollout).
func TestE2EResumePicker(t *testing.T) {
	write := func(home, day, id, prompt string) {
		dir := filepath.Join(home, "sessions", "2026", "01", day)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := `{"timestamp":"2026-01-` + day + `T10:00:00Z","type":"session_meta","payload":{"id":"` + id + `","timestamp":"2026-01-` + day + `T10:00:00Z"}}` + "\n" +
			`{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"` + prompt + `"}]}}` + "\n"
		name := "rollout-2026-01-" + day + "T10-00-00-" + id + ".jsonl"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prepare := func(home string) {
		write(home, "01", "older", "fix the parser bug")
		write(home, "02", "newer", "write the docs")
	}
	tm := startTermEnv(t, 80, 24, []string{"OPENAI_API_KEY=sk-test"}, prepare, "-s", "read-only", "-a", "on-request", "resume")
	s := tm.waitFor(`Resume a previous session`)
	if i, j := strings.Index(s, "write the docs"), strings.Index(s, "fix the parser bug"); i < 0 || j < 0 || i > j {
		t.Fatalf("sessions not listed newest first:\n%s", s)
	}
	tm.keys("-l", "parser")
	tm.waitFor(`(?s)Type to search: parser.*› .*fix the parser bug`)
	tm.keys("Enter")
	tm.waitFor(`resumed rollout-2026-01-01T10-00-00-older.jsonl`)
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2EExternalEditor: Ctrl+G runs $EDITOR on the draft (the UI gives
// the terminal to it and takes it back) and the edited text is sent.
func TestE2EExternalEditor(t *testing.T) {
	editor := filepath.Join(t.TempDir(), "editor")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nprintf '%s and more from the editor' \"$(cat \"$1\")\" > \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tm := startTermEnv(t, 100, 30, []string{"OPENAI_API_KEY=sk-test", "VISUAL=", "EDITOR=" + editor}, nil, "-s", "read-only", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "draft")
	tm.waitFor(`› draft`)
	tm.keys("C-g")
	tm.waitFor(`› draft and more from the editor`)
	tm.keys("Enter")
	tm.waitFor(`You said: draft and more from the editor`)
	tm.keys("C-d")
	tm.waitExit(0)
}
