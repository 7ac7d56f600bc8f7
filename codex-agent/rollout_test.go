package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
)

func TestRolloutRoundTripAndTornLine(t *testing.T) {
	home := t.TempDir()
	now := func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
	r, err := CreateRollout(home, SessionMeta{ID: "01a2-id", Cwd: "/w", Source: "exec"}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(home, "sessions", "2026", "11", "23", "rollout-2026-11-23T10-00-00-01a2-id.jsonl")
	if r.Path() != want {
		t.Errorf("path = %s, want %s", r.Path(), want)
	}
	r.Item(model.UserMessage("hi"))
	r.Event(protocol.Event{ID: "1", Msg: protocol.AgentMessageDeltaMsg{Delta: "not kept"}})
	r.Event(protocol.Event{ID: "1", Msg: protocol.TokenCountMsg{TotalTokenUsage: protocol.TokenUsage{InputTokens: 7}}})
	r.Event(protocol.Event{ID: "1", Msg: protocol.TaskCompleteMsg{LastAgentMessage: "bye"}})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// A crash mid-write leaves a torn last line: loading skips it.
	f, err := os.OpenFile(want, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"timestamp":"x","type":"response_item","payload":{"type":"mess`); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	b, _ := os.ReadFile(want)
	if strings.Contains(string(b), "not kept") || !strings.HasPrefix(string(b), `{"timestamp":"2026-11-23T10:00:00.000Z","type":"session_meta","payload":{"id":"01a2-id"`) {
		t.Errorf("file:\n%s", b)
	}
	lr, err := LoadRollout(want)
	if err != nil {
		t.Fatal(err)
	}
	if lr.Meta.ID != "01a2-id" || len(lr.History) != 1 || lr.History[0].Text() != "hi" || lr.Usage.InputTokens != 7 || lr.LastText != "bye" {
		t.Errorf("loaded %+v", lr)
	}
	if p, err := FindRollout(home, "01a2"); err != nil || p != want {
		t.Errorf("FindRollout prefix = %q, %v", p, err)
	}
	if p, err := LatestRollout(home, "/w", false); err != nil || p != want {
		t.Errorf("LatestRollout = %q, %v", p, err)
	}
	if _, err := LatestRollout(home, "/elsewhere", false); err == nil {
		t.Errorf("LatestRollout for another cwd found something")
	}
}

func TestUnifiedDiff(t *testing.T) {
	got := UnifiedDiff("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nB\nc\nd\ne\nf\ng\nh\ni\nJ\nk\n", "f.txt", "f.txt")
	want := "--- a/f.txt\n+++ b/f.txt\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -7,4 +7,5 @@\n g\n h\n i\n-j\n+J\n+k\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if UnifiedDiff("same\n", "same\n", "x", "x") != "" {
		t.Errorf("identical files give a diff")
	}
}
