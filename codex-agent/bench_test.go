package agent

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// BenchmarkSessionTurn measures one whole turn (request built, streamed
// over loopback HTTP, events emitted, history recorded) with a model that
// answers at once: the agent's per-turn overhead.
func BenchmarkSessionTurn(b *testing.B) {
	srv, err := modelserver.Start(modelserver.Script{Turns: []modelserver.Turn{{Items: []json.RawMessage{modelserver.Message("done")}}}})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	srv.Loop(true)
	s, err := NewSession(SessionConfig{Model: "m", Client: &model.Responses{HTTP: model.HTTP{BaseURL: srv.URL()}},
		Cwd: os.TempDir(), Tools: ToolSet{Shell: ShellExecCommand, FreeformPatch: true, Plan: true}, Instructions: BaseInstructions})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Run(ctx) }()
	<-s.Events()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Submit(ctx, protocol.Submission{ID: "t", Op: protocol.UserInputOp{Items: protocol.TextInput("hi")}}); err != nil {
			b.Fatal(err)
		}
		for ev := range s.Events() {
			if _, ok := ev.Msg.(protocol.TaskCompleteMsg); ok {
				break
			}
		}
	}
}

// noAhead is SandboxRunner as a runner the session cannot hand an Ahead
// (runner.WithAhead knows only SandboxRunner): every command starts its
// own helper, as before sessions started them ahead.
type noAhead struct{ SandboxRunner }

// directTrue runs the command itself with no sandbox or supervisor: the
// baseline of BenchmarkSandboxedCommand.
type directTrue struct{}

func (directTrue) Run(_ context.Context, req protocol.ExecRequest, _ func(string, []byte)) (protocol.ExecResult, error) {
	err := exec.Command(req.Argv[0], req.Argv[1:]...).Run()
	return protocol.ExecResult{ExitCode: 0}, err
}

// BenchmarkSandboxedCommand measures a turn of one command (/bin/true
// through the shell tool, workspace-write) and its answer, with a model
// that answers at once: with the command run directly (baseline), under
// the sandbox as the agent runs it (as root: set up by the agent itself,
// linuxsandbox.Launch, no helper process), and, with
// CODEX_SANDBOX_HELPER=1, under the helper process started per command
// (noAhead) and started ahead by the session. The differences to the
// baseline are the agent's cost per sandboxed command; as root the agent
// supervises in process (codex-sandbox README, Speed).
// Between turns, untimed, 20 ms stand for the user and the model, whose
// time the helper's start overlaps (with a model answering at once it
// only competes for the CPU). In a test binary the helper is the test
// binary itself, slower to start than the standalone codex-linux-sandbox.
func BenchmarkSandboxedCommand(b *testing.B) {
	for _, bc := range []struct {
		name   string
		r      Runner
		helper bool
	}{{"direct", directTrue{}, false}, {"sandbox", SandboxRunner{}, false},
		{"sandbox-helper-per-command", noAhead{}, true}, {"sandbox-helper-ahead", SandboxRunner{}, true}} {
		b.Run(bc.name, func(b *testing.B) {
			env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": b.TempDir()}
			if bc.helper {
				// The session's Ahead reads the agent's environment, the
				// supervisor the command's.
				b.Setenv("CODEX_SANDBOX_HELPER", "1")
				env["CODEX_SANDBOX_HELPER"] = "1"
			}
			srv, err := modelserver.Start(modelserver.Script{Turns: []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.FunctionCall("c", "shell", map[string]any{"command": []string{"/bin/true"}})}},
				{Items: []json.RawMessage{modelserver.Message("done")}}}})
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = srv.Close() }()
			srv.Loop(true)
			dir := b.TempDir()
			s, err := NewSession(SessionConfig{Model: "m", Client: &model.Responses{HTTP: model.HTTP{BaseURL: srv.URL()}},
				Cwd: dir, Tools: ToolSet{Shell: ShellClassic}, Instructions: BaseInstructions, Runner: bc.r,
				ApprovalPolicy: protocol.ApprovalNever, Sandbox: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite},
				Env: env})
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = s.Run(ctx) }()
			defer func() { cancel(); <-done }()
			<-s.Events()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// The user and the model take their time between commands
				// (untimed): what a session starts ahead has started.
				b.StopTimer()
				time.Sleep(20 * time.Millisecond)
				b.StartTimer()
				if err := s.Submit(ctx, protocol.Submission{ID: "t", Op: protocol.UserInputOp{Items: protocol.TextInput("hi")}}); err != nil {
					b.Fatal(err)
				}
				for ev := range s.Events() {
					if e, ok := ev.Msg.(protocol.ExecCommandEndMsg); ok && e.ExitCode != 0 {
						b.Fatalf("command: %+v", e)
					}
					if _, ok := ev.Msg.(protocol.TaskCompleteMsg); ok {
						break
					}
				}
			}
		})
	}
}
