package appserver_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

func addFile(name, text string) string {
	return "*** Begin Patch\n*** Add File: " + name + "\n+" + text + "\n*** End Patch\n"
}

// TestFileChangeApprovalPlanDiffReasoning: a patch asks for approval
// (after its item/started), each decision does what it says, and the
// plan, the turn's diff and the reasoning stream as notifications.
func TestFileChangeApprovalPlanDiffReasoning(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		turnOf(modelserver.Reasoning("Thinking about files", ""),
			modelserver.FunctionCall("plan-1", "update_plan", map[string]any{"explanation": "two files", "plan": []any{
				map[string]any{"step": "write a", "status": "in_progress"}, map[string]any{"step": "write b", "status": "pending"}}}),
			modelserver.CustomToolCall("p1", "apply_patch", addFile("a.txt", "alpha"))),
		turnOf(modelserver.CustomToolCall("p2", "apply_patch", addFile("b.txt", "beta"))),
		turnOf(modelserver.Message("wrote a, b was declined")),
	)
	c := f.start(t)
	th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "untrusted", "sandbox": "workspace-write"})
	startTurn(t, c, th.Thread.ID, "write two files")

	req, seen := c.until("item/fileChange/requestApproval")
	var ap struct{ ThreadID, TurnID, ItemID string }
	req.decode(t, &ap)
	if ap.ItemID != "p1" || ap.ThreadID != th.Thread.ID {
		t.Errorf("approval = %s", req)
	}
	var started bool
	for _, m := range seen {
		if m.Method == "item/started" && strings.Contains(string(m.Params), `"fileChange"`) && strings.Contains(string(m.Params), "a.txt") {
			started = true
		}
	}
	if !started {
		t.Errorf("no item/started for the patch before its approval: %s", methods(seen))
	}
	if _, err := os.Stat(filepath.Join(f.work, "a.txt")); err == nil {
		t.Fatal("the patch was applied before its approval")
	}
	c.reply(req, map[string]any{"decision": "accept"})
	req2, more := c.until("item/fileChange/requestApproval")
	seen = append(seen, more...)
	c.reply(req2, map[string]any{"decision": "decline"})
	_, more = c.until("turn/completed")
	seen = append(seen, more...)

	if b, err := os.ReadFile(filepath.Join(f.work, "a.txt")); err != nil || string(b) != "alpha\n" {
		t.Errorf("a.txt = %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(f.work, "b.txt")); err == nil {
		t.Error("the declined patch was applied")
	}
	changes := completedItems(t, seen, "fileChange")
	if len(changes) != 2 || changes[0]["status"] != "completed" || changes[1]["status"] != "declined" {
		t.Errorf("fileChange items = %v", changes)
	}
	// The applied patch's report streams as its output before it completes.
	var delta string
	for _, m := range seen {
		if m.Method == "item/fileChange/outputDelta" {
			var d struct{ ItemID, Delta string }
			m.decode(t, &d)
			if d.ItemID == "p1" {
				delta += d.Delta
			}
		}
		if m.Method == "item/completed" && strings.Contains(string(m.Params), `"id":"p1"`) {
			break
		}
	}
	if !strings.Contains(delta, "a.txt") {
		t.Errorf("item/fileChange/outputDelta of p1 = %q", delta)
	}
	ms := methods(seen)
	for _, want := range []string{"turn/plan/updated", "turn/diff/updated", "serverRequest/resolved"} {
		if !strings.Contains(ms, want) {
			t.Errorf("no %s in %s", want, ms)
		}
	}
	if r := completedItems(t, seen, "reasoning"); len(r) != 1 || !strings.Contains(string(mustJSON(t, r[0]["summary"])), "Thinking about files") {
		t.Errorf("reasoning items = %v", r)
	}
	for _, m := range seen {
		if m.Method == "turn/plan/updated" && !strings.Contains(string(m.Params), `"status":"inProgress"`) {
			t.Errorf("plan = %s", m)
		}
		if m.Method == "turn/diff/updated" && !strings.Contains(string(m.Params), "+alpha") {
			t.Errorf("diff = %s", m)
		}
	}
}

// TestCommandDecisions: every decision of the schema does what it says.
func TestCommandDecisions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		decision   any
		ran        bool
		turnStatus string
		itemStatus string
		asksAgain  bool
	}{
		{"accept", true, "completed", "completed", true},
		{"acceptForSession", true, "completed", "completed", false},
		{map[string]any{"acceptWithExecpolicyAmendment": map[string]any{"execpolicy_amendment": []string{"touch"}}}, true, "completed", "completed", false},
		{"decline", false, "completed", "declined", true},
		{"cancel", false, "interrupted", "declined", false},
	}
	for i, tt := range tests {
		t.Run(strings.ReplaceAll(string(mustJSON(t, tt.decision)), "/", "_"), func(t *testing.T) {
			t.Parallel()
			second := "touch two.txt"
			if !tt.asksAgain {
				second = "touch one.txt" // the same command: remembered
			}
			f := newFixture(t,
				turnOf(execCall("c1", "touch one.txt")),
				turnOf(execCall("c2", second)),
				turnOf(modelserver.Message("done")),
			)
			c := f.start(t)
			th := startThread(t, c, map[string]any{"cwd": f.work, "approvalPolicy": "untrusted", "sandbox": "workspace-write"})
			startTurn(t, c, th.Thread.ID, "touch files")
			req, _ := c.until("item/commandExecution/requestApproval")
			c.reply(req, map[string]any{"decision": tt.decision})
			var seen []msg
			asked := false
			for {
				m := c.next()
				seen = append(seen, m)
				if m.Method == "item/commandExecution/requestApproval" {
					asked = true
					c.reply(m, map[string]any{"decision": "accept"})
				}
				if m.Method == "turn/completed" {
					break
				}
			}
			var tc turnNote
			seen[len(seen)-1].decode(t, &tc)
			_, err := os.Stat(filepath.Join(f.work, "one.txt"))
			items := completedItems(t, seen, "commandExecution")
			if (err == nil) != tt.ran || tc.Turn.Status != tt.turnStatus || len(items) == 0 || items[0]["status"] != tt.itemStatus {
				t.Errorf("case %d: ran %v, turn %s, items %v", i, err == nil, tc.Turn.Status, items)
			}
			if tt.turnStatus == "completed" && asked != tt.asksAgain {
				t.Errorf("case %d: asked again = %v", i, asked)
			}
		})
	}
}
