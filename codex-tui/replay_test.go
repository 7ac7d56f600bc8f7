package tui

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

const replayRollout = `{"timestamp":"2026-01-01T10:00:00Z","type":"session_meta","payload":{"id":"s1"}}
{"type":"response_item","payload":{"type":"message","role":"developer","content":[{"type":"input_text","text":"permissions"}]}}
{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>cwd</environment_context>"}]}}
{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"first prompt"}]}}
{"type":"response_item","payload":{"type":"reasoning","summary":[]}}
{"type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{}","call_id":"c"}}
{"type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"first **answer**"}]}}
{"type":"event_msg","payload":{"type":"agent_message","message":"first **answer**"}}
{torn
{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"second prompt"}]}}
{"type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"second answer"}]}}
`

func TestParseReplay(t *testing.T) {
	tests := []struct {
		name, rollout string
		want          []replayEntry
	}{
		{"conversation only", replayRollout, []replayEntry{{true, "first prompt"}, {false, "first **answer**"}, {true, "second prompt"}, {false, "second answer"}}},
		{"compaction replaces the history", replayRollout +
			`{"type":"compacted","payload":{"message":"summary","replacement_history":[{"type":"message","role":"user","content":[{"type":"input_text","text":"second prompt"}]},{"type":"message","role":"user","content":[{"type":"input_text","text":"summary of it all"}]}]}}` + "\n" +
			`{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"after"}]}}` + "\n",
			[]replayEntry{{true, "second prompt"}, {true, "summary of it all"}, {true, "after"}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseReplay(strings.NewReader(tt.rollout))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseReplay = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestResumePrintsEarlierConversation: /resume picks a session; once the
// resumed agent is configured, the earlier messages are printed after the
// session header, once.
func TestResumePrintsEarlierConversation(t *testing.T) {
	h := newHarness(t)
	path := t.TempDir() + "/rollout-x.jsonl"
	if err := writeFile(path, replayRollout); err != nil {
		t.Fatal(err)
	}
	fresh := newFakeConn()
	h.m.env.reconnect = func(context.Context, sessionRef) (Conn, error) { return fresh, nil }
	h.send(h.m.reconnect(path)())
	h.events(ev("", protocol.SessionConfiguredMsg{SessionID: "s1", Model: "m", RolloutPath: path}))
	got := h.printed()
	order := []string{">_ Codex", "› first prompt", "• first", "› second prompt", "• second answer"}
	at := 0
	for _, w := range order {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("printed transcript lacks %q in order %q:\n%s", w, order, got)
		}
		at += i + len(w)
	}
	if strings.Contains(got, "environment_context") || strings.Contains(got, "permissions") {
		t.Errorf("context blocks replayed:\n%s", got)
	}
	// A second session_configured (none expected, but harmless) prints no replay again.
	h.events(ev("", protocol.SessionConfiguredMsg{SessionID: "s1", Model: "m"}))
	if n := strings.Count(h.printed(), "second prompt"); n != 1 {
		t.Errorf("replay printed %d times, want once", n)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
