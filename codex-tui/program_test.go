package tui

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/codex-tui/internal/appconn"
	"github.com/codexgo/codex-tui/internal/fakeagent"
	"github.com/codexgo/common/agentclient"
)

// syncBuffer is a bytes.Buffer safe for the renderer and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgramWithInProcessAgent runs the real bubbletea program over the
// real protocol client with the (fake) agent in-process: keys in through
// a pipe, the printed transcript out, a clean exit on Ctrl+D.
func TestProgramWithInProcessAgent(t *testing.T) {
	cwd := t.TempDir()
	client := appconn.Open(agentclient.StartInProcess(context.Background(), fakeagent.Main, []string{"app-server"}, nil), appconn.Options{Cwd: cwd})
	e := env{now: time.Now, cwd: cwd}
	m := newModel(e, client, asciiTheme())
	inR, inW := io.Pipe()
	out := &syncBuffer{}
	p := tea.NewProgram(m, tea.WithInput(inR), tea.WithOutput(out))
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	waitOut := func(want string) {
		t.Helper()
		poll(t, "output "+want, func() bool { return strings.Contains(out.String(), want) }, out.String)
	}
	waitOut("fake-model")
	if _, err := io.WriteString(inW, "hello there\r"); err != nil {
		t.Fatal(err)
	}
	waitOut("You said: **hello there**")
	waitOut("echo fenced")
	if _, err := io.WriteString(inW, "\x04"); err != nil { // Ctrl+D
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("program: %v", err)
	}
	_ = inW.Close()
	if err := client.Close(5 * time.Second); err != nil {
		t.Errorf("agent: %v", err)
	}
	if strings.Count(out.String(), "You said: **hello there**") != 1 {
		t.Errorf("answer printed %d times", strings.Count(out.String(), "You said: **hello there**"))
	}
}

// TestRunInProcess drives Run itself (configuration, theme, log file,
// connection, program) with the agent in-process, as the fused binary's
// single-process mode would.
func TestRunInProcess(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"CODEX_HOME": home, "OPENAI_API_KEY": "sk-test", "NO_COLOR": "1"}
	inR, inW := io.Pipe()
	out := &syncBuffer{}
	var errb syncBuffer
	o := Options{
		Sandbox: "read-only", Approval: "on-request", Cwd: t.TempDir(), Prompt: "first words",
		AgentMain: fakeagent.Main, Stdin: inR, Stdout: out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }, Now: time.Now,
	}
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), o) }()
	poll(t, "the initial prompt's answer", func() bool { return strings.Contains(out.String(), "You said: **first words**") }, out.String)
	if _, err := io.WriteString(inW, "\x04"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v (stderr %q)", err, errb.String())
	}
	// NO_COLOR: no SGR styling at all (cursor movement is fine).
	if sgr := regexp.MustCompile(`\x1b\[[0-9;]*[1-9][0-9;]*m`).FindString(out.String()); sgr != "" {
		t.Errorf("NO_COLOR output has styling %q", sgr)
	}
	h, err := loadHistory(filepath.Join(home, "history.jsonl"))
	if err != nil || len(h) != 0 {
		t.Errorf("history = %q, %v (the initial prompt is not typed history)", h, err)
	}
}
