package protoserver_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// untrusted asks before every command the policy does not explicitly
// allow, which with the fallback policy is every command.
func untrusted(cfg *agent.SessionConfig) { cfg.ApprovalPolicy = protocol.ApprovalUntrusted }

func TestExecApprovalDecisions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		decision protocol.ReviewDecision
		wantEnd  string // last event type of the turn
		ran      bool
	}{
		{protocol.DecisionApproved, "task_complete", true},
		{protocol.DecisionApprovedForSession, "task_complete", true},
		{protocol.DecisionDenied, "task_complete", false},
		{protocol.DecisionAbort, "turn_aborted", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.decision), func(t *testing.T) {
			t.Parallel()
			c := start(t, []modelserver.Turn{
				turnOf(execCall("c1", "touch ran.txt")),
				turnOf(modelserver.Message("done")),
			}, untrusted)
			var asked []protocol.ExecApprovalRequestMsg
			evs := c.turn("t1", "make a file", func(ev protocol.Event) protocol.Op {
				m := ev.Msg.(protocol.ExecApprovalRequestMsg)
				asked = append(asked, m)
				if ev.ID != "t1" {
					t.Errorf("approval request id = %q, want t1", ev.ID)
				}
				return protocol.ExecApprovalOp{ID: m.CallID, Decision: tt.decision}
			})
			if len(asked) != 1 || asked[0].CallID != "c1" || asked[0].Cwd != c.dir ||
				strings.Join(asked[0].Command, " ") != "/bin/bash -lc touch ran.txt" {
				t.Errorf("approval requests = %+v", asked)
			}
			if got := evs[len(evs)-1].Msg.MsgType(); got != tt.wantEnd {
				t.Errorf("turn ended with %s, want %s (%s)", got, tt.wantEnd, msgTypes(evs))
			}
			_, err := os.Stat(filepath.Join(c.dir, "ran.txt"))
			if ran := err == nil; ran != tt.ran {
				t.Errorf("command ran = %v, want %v", ran, tt.ran)
			}
			if !tt.ran {
				ends := find[protocol.ExecCommandEndMsg](evs)
				if len(ends) != 1 || ends[0].ExitCode != agent.DeclinedExitCode {
					t.Errorf("declined command end = %+v, want exit %d", ends, agent.DeclinedExitCode)
				}
			}
			if tt.decision == protocol.DecisionDenied {
				// The model is told and the turn goes on.
				if in := inputText(c.requestInput(1)); !strings.Contains(in, "rejected by user") {
					t.Errorf("model was not told of the denial:\n%s", in)
				}
			}
			// The session is usable after every decision.
			c.srv.Push(turnOf(modelserver.Message("again")))
			if evs := c.turn("t2", "hello", nil); evs[len(evs)-1].Msg.MsgType() != "task_complete" {
				t.Errorf("next turn: %s", msgTypes(evs))
			}
		})
	}
}

// TestApprovedForSessionGeneralises checks "don't ask again" is matched
// the way the policy matches: by the simple commands inside a shell
// script, as an argv prefix, and only for those commands.
func TestApprovedForSessionGeneralises(t *testing.T) {
	t.Parallel()
	c := start(t, []modelserver.Turn{
		turnOf(modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "git status", "prefix_rule": []string{"git", "status"}})),
		turnOf(execCall("c2", "git status")),                                           // same command: not asked
		turnOf(modelserver.LocalShellCall("c3", []string{"git", "status", "--short"})), // same prefix: not asked
		turnOf(execCall("c4", "git push")),                                             // another command: asked
		turnOf(modelserver.Message("done")),
	}, untrusted)
	var asked []string
	c.turn("t1", "check the repo", func(ev protocol.Event) protocol.Op {
		m := ev.Msg.(protocol.ExecApprovalRequestMsg)
		asked = append(asked, m.CallID)
		if m.CallID == "c1" {
			return protocol.ExecApprovalOp{ID: m.CallID, Decision: protocol.DecisionApprovedForSession, Remember: true}
		}
		return protocol.ExecApprovalOp{ID: m.CallID, Decision: protocol.DecisionDenied}
	})
	if got := strings.Join(asked, ","); got != "c1,c4" {
		t.Errorf("asked for %s, want c1,c4", got)
	}
	b, err := os.ReadFile(filepath.Join(c.home, "rules", "default.rules"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "prefix_rule(pattern=[\"git\", \"status\"], decision=\"allow\")\n"; got != want {
		t.Errorf("default.rules = %q, want %q", got, want)
	}
}

func TestPatchApprovalDecisions(t *testing.T) {
	t.Parallel()
	for _, d := range []protocol.ReviewDecision{protocol.DecisionApproved, protocol.DecisionDenied, protocol.DecisionAbort} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := start(t, []modelserver.Turn{
				turnOf(modelserver.CustomToolCall("p1", "apply_patch", addPatch)),
				turnOf(modelserver.Message("done")),
			}, func(cfg *agent.SessionConfig) {
				cfg.ApprovalPolicy = protocol.ApprovalOnRequest
				cfg.Sandbox = protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}
			})
			evs := c.turn("t1", "patch", func(ev protocol.Event) protocol.Op {
				m := ev.Msg.(protocol.ApplyPatchApprovalRequestMsg)
				if _, ok := m.Changes[filepath.Join(c.dir, "hello.txt")]; !ok {
					t.Errorf("changes = %v, want hello.txt", m.Changes)
				}
				return protocol.PatchApprovalOp{ID: m.CallID, Decision: d}
			})
			_, err := os.Stat(filepath.Join(c.dir, "hello.txt"))
			if applied := err == nil; applied != (d == protocol.DecisionApproved) {
				t.Errorf("applied = %v after %s (%s)", applied, d, msgTypes(evs))
			}
			wantEnd := "task_complete"
			if d == protocol.DecisionAbort {
				wantEnd = "turn_aborted"
			}
			if got := evs[len(evs)-1].Msg.MsgType(); got != wantEnd {
				t.Errorf("turn ended with %s, want %s", got, wantEnd)
			}
		})
	}
}

// TestPatchApprovedForSession checks later patches to the same files go
// through without asking, and patches to other files still ask.
func TestPatchApprovedForSession(t *testing.T) {
	t.Parallel()
	update := "*** Begin Patch\n*** Update File: hello.txt\n@@\n-hello\n+hello again\n*** End Patch\n"
	other := "*** Begin Patch\n*** Add File: other.txt\n+x\n*** End Patch\n"
	c := start(t, []modelserver.Turn{
		turnOf(modelserver.CustomToolCall("p1", "apply_patch", addPatch)),
		turnOf(modelserver.CustomToolCall("p2", "apply_patch", update)),
		turnOf(modelserver.CustomToolCall("p3", "apply_patch", other)),
		turnOf(modelserver.Message("done")),
	}, func(cfg *agent.SessionConfig) {
		cfg.ApprovalPolicy = protocol.ApprovalOnRequest
		cfg.Sandbox = protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}
	})
	var asked []string
	evs := c.turn("t1", "patch twice", func(ev protocol.Event) protocol.Op {
		m := ev.Msg.(protocol.ApplyPatchApprovalRequestMsg)
		asked = append(asked, m.CallID)
		d := protocol.DecisionApprovedForSession
		if m.CallID == "p3" {
			d = protocol.DecisionDenied
		}
		return protocol.PatchApprovalOp{ID: m.CallID, Decision: d}
	})
	if got := strings.Join(asked, ","); got != "p1,p3" {
		t.Errorf("asked for %s, want p1,p3", got)
	}
	var auto []bool
	for _, b := range find[protocol.PatchApplyBeginMsg](evs) {
		auto = append(auto, b.AutoApproved)
	}
	if len(auto) != 2 || auto[0] || !auto[1] {
		t.Errorf("patch_apply_begin auto_approved = %v, want [false true]", auto)
	}
	if b, _ := os.ReadFile(filepath.Join(c.dir, "hello.txt")); string(b) != "hello again\n" {
		t.Errorf("hello.txt = %q", b)
	}
}
