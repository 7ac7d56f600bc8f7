package appserver_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestSteer adds input to a running turn: the model's next request holds
// it, and the turn goes on until that request is answered.
func TestSteer(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		turnOf(execCall("c1", "echo ready; while [ ! -f go.txt ]; do sleep 0.05; done; echo went")),
		turnOf(modelserver.Message("done, and also the extra thing")),
	)
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "never", "sandbox": "workspace-write"})
	turn := startTurn(t, c, th.Thread.ID, "wait for go")
	for {
		m := c.next()
		if m.Method == "item/commandExecution/outputDelta" && strings.Contains(string(m.Params), "ready") {
			break
		}
	}
	if m := c.callErr("turn/steer", map[string]any{"threadId": th.Thread.ID, "expectedTurnId": "turn-9", "input": text("x")}); m.Error == nil {
		t.Errorf("steer of another turn: %s", m)
	}
	var sr struct {
		TurnID string `json:"turnId"`
	}
	c.call("turn/steer", map[string]any{"threadId": th.Thread.ID, "expectedTurnId": turn, "input": text("also do the extra thing")}).decode(t, &sr)
	if sr.TurnID != turn {
		t.Errorf("steer = %+v", sr)
	}
	if err := os.WriteFile(filepath.Join(f.work, "go.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	done, seen := c.until("turn/completed")
	var tc turnNote
	done.decode(t, &tc)
	if tc.Turn.ID != turn || tc.Turn.Status != "completed" {
		t.Errorf("turn/completed = %s", done)
	}
	users := completedItems(t, seen, "userMessage")
	if len(users) != 1 || !strings.Contains(string(mustJSON(t, users[0])), "also do the extra thing") {
		t.Errorf("steer item = %v", users)
	}
	reqs := f.srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests", len(reqs))
	}
	var body struct {
		Input []json.RawMessage `json:"input"`
	}
	if err := reqs[1].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if in := string(mustJSON(t, body.Input)); !strings.Contains(in, "also do the extra thing") || !strings.Contains(in, "went") {
		t.Errorf("second request lacks the steer or the command output")
	}
	if m := c.callErr("turn/steer", map[string]any{"threadId": th.Thread.ID, "expectedTurnId": turn, "input": text("late")}); m.Error == nil {
		t.Errorf("steer after the turn: %s", m)
	}
}

// TestOutputSchema asks for a structured final answer in one turn only.
func TestOutputSchema(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(modelserver.Message(`{"ok":true}`)), turnOf(modelserver.Message("free text")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work})
	schema := map[string]any{"type": "object", "properties": map[string]any{"ok": map[string]any{"type": "boolean"}},
		"required": []string{"ok"}, "additionalProperties": false}
	c.call("turn/start", map[string]any{"threadId": th.Thread.ID, "input": text("answer in JSON"), "outputSchema": schema})
	c.until("turn/completed")
	startTurn(t, c, th.Thread.ID, "now in prose")
	c.until("turn/completed")
	var first, second struct {
		Text *struct {
			Format *struct {
				Type   string         `json:"type"`
				Strict bool           `json:"strict"`
				Schema map[string]any `json:"schema"`
			} `json:"format"`
		} `json:"text"`
	}
	reqs := f.srv.Requests()
	if err := reqs[0].JSON(&first); err != nil {
		t.Fatal(err)
	}
	if err := reqs[1].JSON(&second); err != nil {
		t.Fatal(err)
	}
	if first.Text == nil || first.Text.Format == nil || first.Text.Format.Type != "json_schema" || !first.Text.Format.Strict || first.Text.Format.Schema["type"] != "object" {
		t.Errorf("first request text = %+v", first.Text)
	}
	if second.Text != nil && second.Text.Format != nil {
		t.Errorf("the schema outlived its turn: %+v", second.Text.Format)
	}
}
