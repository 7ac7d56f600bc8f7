package agent

import (
	"context"
	"encoding/json"
	"os"
	"testing"

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
