package protoserver_test

import (
	"encoding/json"
	"strings"
	"testing"

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// TestAutoCompaction fills the context window in the middle of a turn:
// the session compacts through the model before sampling again, and
// token_count reports the window left.
func TestAutoCompaction(t *testing.T) {
	t.Parallel()
	full := json.RawMessage(`{"input_tokens":900,"output_tokens":50,"total_tokens":950}`)
	c := start(t, []modelserver.Turn{
		{Items: []json.RawMessage{execCall("c1", "echo big output")}, Usage: full},
		turnOf(modelserver.Message("SUMMARY-AUTO: ran echo")),
		turnOf(modelserver.Message("done after compaction")),
	}, func(cfg *agent.SessionConfig) { cfg.ContextWindow = 1000 })
	evs := c.turn("t1", "fill the window", nil)
	if got := find[protocol.TaskCompleteMsg](evs); len(got) != 1 || got[0].LastAgentMessage != "done after compaction" {
		t.Fatalf("turn: %s", msgTypes(evs))
	}
	tc := find[protocol.TokenCountMsg](evs)
	if len(tc) == 0 || tc[0].ContextWindowRemaining != 50 || tc[0].ModelContextWindow != 1000 || tc[0].LastTokenUsage.TotalTokens != 950 {
		t.Errorf("first token_count = %+v, want 50 of 1000 left", tc)
	}
	if bg := find[protocol.BackgroundEventMsg](evs); len(bg) != 1 || !strings.Contains(bg[0].Message, "compacting") {
		t.Errorf("background events = %+v", bg)
	}
	if in := inputText(c.requestInput(1)); !strings.Contains(in, "CONTEXT CHECKPOINT COMPACTION") {
		t.Errorf("compaction request lacks the compact prompt:\n%s", in)
	}
	in := inputText(c.requestInput(2))
	if !strings.Contains(in, "SUMMARY-AUTO: ran echo") || !strings.Contains(in, "fill the window") || strings.Contains(in, "echo big output") {
		t.Errorf("request after compaction should hold the summary and the prompt, not the old call:\n%s", in)
	}
}

// TestCompactFailureKeepsHistory checks a compaction the model fails
// leaves the conversation as it was.
func TestCompactFailureKeepsHistory(t *testing.T) {
	t.Parallel()
	fail := modelserver.Turn{Fail: &modelserver.Fail{Code: "server_error", Message: "nope"}}
	c := start(t, []modelserver.Turn{
		turnOf(modelserver.Message("remember me")),
		fail, fail, fail,
		turnOf(modelserver.Message("ok")),
	}, nil)
	c.turn("t1", "hello", nil)
	c.submit("k", protocol.CompactOp{})
	evs := c.until(nil, "task_complete", "turn_aborted")
	if errs := find[protocol.ErrorMsg](evs); len(errs) != 1 || !strings.Contains(errs[0].Message, "compact") {
		t.Errorf("compact failure events: %s", msgTypes(evs))
	}
	c.turn("t2", "again", nil)
	if in := inputText(c.requestInput(len(c.srv.Requests()) - 1)); !strings.Contains(in, "remember me") {
		t.Errorf("history lost after a failed compaction:\n%s", in)
	}
}

// TestCompactedRolloutResumes checks a resumed session starts from the
// compacted history, not the one it replaced.
func TestCompactedRolloutResumes(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	rec, err := agent.CreateRollout(home, agent.SessionMeta{ID: "0190aaaa-0000-7000-8000-000000000001", Cwd: "/w"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, []modelserver.Turn{
		turnOf(modelserver.Message("old answer")),
		turnOf(modelserver.Message("THE SUMMARY")),
	}, func(cfg *agent.SessionConfig) { cfg.Recorder = rec })
	c.turn("t1", "first prompt", nil)
	c.submit("k", protocol.CompactOp{})
	c.until(nil, "task_complete")
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	loaded, err := agent.LoadRollout(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	in := inputText(loaded.History)
	if !strings.Contains(in, "THE SUMMARY") || !strings.Contains(in, "first prompt") || strings.Contains(in, "old answer") {
		t.Errorf("resumed history:\n%s", in)
	}
}
