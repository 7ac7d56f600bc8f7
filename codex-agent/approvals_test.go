package agent

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

func TestPolicyVerdicts(t *testing.T) {
	forbidAll := PolicyFunc(func(_ context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error) {
		return protocol.PolicyVerdict{Decision: protocol.DecisionForbidden, Reason: "no way"}, nil
	})
	promptAll := PolicyFunc(func(_ context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error) {
		return protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Reason: "check"}, nil
	})
	unverified := PolicyFunc(func(_ context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error) {
		argv := req.Argv
		return protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Reason: "no policy rule allows touch",
			Commands: []protocol.ParsedCommand{{Argv: argv, Program: "touch", Decision: protocol.DecisionPrompt, Rule: "default:no-rule", Kind: protocol.KindUnverified}}}, nil
	})
	userRule := PolicyFunc(func(_ context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error) {
		argv := req.Argv
		return protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Reason: "ask me",
			Commands: []protocol.ParsedCommand{{Argv: argv, Program: "touch", Decision: protocol.DecisionPrompt, Rule: "/home/u/.codex/rules/default.rules:3", Kind: protocol.KindRule}}}, nil
	})
	tests := []struct {
		name     string
		policy   Policy
		approval protocol.AskForApproval
		answer   protocol.ReviewDecision
		wantOut  string
		ran      bool
		asked    bool
	}{
		{"forbidden", forbidAll, protocol.ApprovalOnRequest, "", "execution forbidden by policy: no way", false, false},
		{"prompt under never", promptAll, protocol.ApprovalNever, "", "approval required (check), but approval_policy is never", false, false},
		{"prompt approved", promptAll, protocol.ApprovalOnRequest, protocol.DecisionApproved, "Process exited with code 0", true, true},
		{"prompt denied", promptAll, protocol.ApprovalOnRequest, protocol.DecisionDenied, "command rejected by user", false, true},
		{"untrusted default asks", FallbackPolicy{}, protocol.ApprovalUntrusted, protocol.DecisionApproved, "Process exited with code 0", true, true},
		{"on-request default runs", FallbackPolicy{}, protocol.ApprovalOnRequest, "", "Process exited with code 0", true, false},
		{"unverified runs sandboxed under never", unverified, protocol.ApprovalNever, "", "Process exited with code 0", true, false},
		{"unverified runs under on-request", unverified, protocol.ApprovalOnRequest, "", "Process exited with code 0", true, false},
		{"unverified asks under untrusted", unverified, protocol.ApprovalUntrusted, protocol.DecisionDenied, "command rejected by user", false, true},
		{"user rule prompt refused under never", userRule, protocol.ApprovalNever, "", "approval required (ask me), but approval_policy is never", false, false},
		{"user rule prompt asks under on-failure", userRule, protocol.ApprovalOnFailure, protocol.DecisionApprovedForSession, "Process exited with code 0", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "touch ran"})}},
				{Items: []json.RawMessage{modelserver.Message("ok")}},
			}, func(c *SessionConfig) { c.Policy = tt.policy; c.ApprovalPolicy = tt.approval })
			asked := false
			msgs := h.turn("go", func(m protocol.Msg) protocol.Op {
				asked = true
				r := m.(protocol.ExecApprovalRequestMsg)
				return protocol.ExecApprovalOp{ID: r.CallID, Decision: tt.answer}
			})
			if asked != tt.asked {
				t.Errorf("asked = %v, want %v", asked, tt.asked)
			}
			if out := outputOf(t, h.requestInput(1), "c1"); !strings.Contains(out, tt.wantOut) {
				t.Errorf("output = %q, want containing %q", out, tt.wantOut)
			}
			_, err := os.Stat(filepath.Join(h.dir, "ran"))
			if ran := err == nil; ran != tt.ran {
				t.Errorf("ran = %v, want %v", ran, tt.ran)
			}
			ends := find[protocol.ExecCommandEndMsg](msgs)
			wantStatus := protocol.ExecCompleted
			if !tt.ran {
				wantStatus = protocol.ExecDeclined
				if len(ends) != 1 || ends[0].ExitCode != DeclinedExitCode {
					t.Errorf("declined end = %+v", ends)
				}
			}
			if len(ends) != 1 || ends[0].Status != wantStatus {
				t.Errorf("exec_command_end = %+v, want status %s", ends, wantStatus)
			}
		})
	}
}

func TestApplyPatchForms(t *testing.T) {
	p := "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n"
	p2 := "*** Begin Patch\n*** Update File: hello.txt\n-hello\n+hello world\n*** End Patch"
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.CustomToolCall("c1", "apply_patch", p)}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c2", "apply_patch", map[string]any{"input": p2})}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c3", "exec_command", map[string]any{"cmd": "apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: hello.txt\n*** End Patch\nEOF"})}},
		{Items: []json.RawMessage{modelserver.CustomToolCall("c4", "apply_patch", "*** Begin Patch\n*** Update File: nope.txt\n-x\n+y\n*** End Patch")}},
		{Items: []json.RawMessage{modelserver.Message("patched")}},
	}, nil)
	msgs := h.turn("edit", nil)
	in := h.requestInput(4)
	if out := outputOf(t, in, "c1"); out != "Exit code: 0\nWall time: 0 seconds\nOutput:\nSuccess. Updated the following files:\nA hello.txt\n" {
		t.Errorf("c1 = %q", out)
	}
	if out := outputOf(t, in, "c2"); !strings.HasSuffix(out, "M hello.txt\n") {
		t.Errorf("c2 = %q", out)
	}
	if out := outputOf(t, in, "c3"); !strings.HasSuffix(out, "D hello.txt\n") {
		t.Errorf("c3 = %q", out)
	}
	if out := outputOf(t, in, "c4"); !strings.Contains(out, "Failed to read file to update") {
		t.Errorf("c4 = %q", out)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "hello.txt")); !os.IsNotExist(err) {
		t.Errorf("hello.txt still there: %v", err)
	}
	ends := find[protocol.PatchApplyEndMsg](msgs)
	if len(ends) != 3 {
		t.Errorf("patch ends = %d", len(ends))
	}
	diffs := find[protocol.TurnDiffMsg](msgs)
	// The delete undoes the add: the turn's net diff is empty, so no event.
	if len(diffs) != 2 || !strings.Contains(diffs[1].UnifiedDiff, "--- /dev/null\n+++ b/hello.txt\n@@ -0,0 +1 @@\n+hello world\n") {
		t.Errorf("turn diffs = %+v", diffs)
	}
}

func TestPatchOutsideRootsNeedsApproval(t *testing.T) {
	outside := t.TempDir()
	p := "*** Begin Patch\n*** Add File: " + filepath.Join(outside, "x.txt") + "\n+x\n*** End Patch"
	for _, tt := range []struct {
		name     string
		approval protocol.AskForApproval
		answer   protocol.ReviewDecision
		written  bool
	}{
		{"never", protocol.ApprovalNever, "", false},
		{"approved", protocol.ApprovalOnRequest, protocol.DecisionApproved, true},
		{"denied", protocol.ApprovalOnRequest, protocol.DecisionDenied, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.CustomToolCall("c1", "apply_patch", p)}},
				{Items: []json.RawMessage{modelserver.Message("ok")}},
			}, func(c *SessionConfig) { c.ApprovalPolicy = tt.approval; c.Sandbox.ExcludeSlashTmp = true })
			h.turn("go", func(m protocol.Msg) protocol.Op {
				r := m.(protocol.ApplyPatchApprovalRequestMsg)
				return protocol.PatchApprovalOp{ID: r.CallID, Decision: tt.answer}
			})
			_, err := os.Stat(filepath.Join(outside, "x.txt"))
			if (err == nil) != tt.written {
				t.Errorf("written = %v, want %v", err == nil, tt.written)
			}
			_ = os.Remove(filepath.Join(outside, "x.txt"))
		})
	}
}

// denyingRunner reports a sandbox denial for every sandboxed run.
type denyingRunner struct{}

func (denyingRunner) Run(_ context.Context, req protocol.ExecRequest, out func(string, []byte)) (protocol.ExecResult, error) {
	return protocol.ExecResult{ExitCode: 1, Stderr: "touch: Permission denied\n",
		Sandbox: &protocol.SandboxReport{Mechanism: "landlock", Denied: true}}, nil
}

func TestSandboxDenialRetry(t *testing.T) {
	for _, tt := range []struct {
		name     string
		approval protocol.AskForApproval
		answer   protocol.ReviewDecision
		asked    int
		ran      bool
	}{
		{"never does not retry", protocol.ApprovalNever, "", 0, false},
		{"on-failure asks, approved", protocol.ApprovalOnFailure, protocol.DecisionApproved, 1, true},
		{"on-request asks, denied", protocol.ApprovalOnRequest, protocol.DecisionDenied, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "touch ran"})}},
				{Items: []json.RawMessage{modelserver.Message("ok")}},
			}, func(c *SessionConfig) { c.Runner = denyingRunner{}; c.ApprovalPolicy = tt.approval })
			asked := 0
			h.turn("go", func(m protocol.Msg) protocol.Op {
				asked++
				r := m.(protocol.ExecApprovalRequestMsg)
				if !strings.Contains(r.Reason, "retry without sandbox") {
					t.Errorf("reason = %q", r.Reason)
				}
				return protocol.ExecApprovalOp{ID: r.CallID, Decision: tt.answer}
			})
			_, err := os.Stat(filepath.Join(h.dir, "ran"))
			if asked != tt.asked || (err == nil) != tt.ran {
				t.Errorf("asked %d ran %v; want %d %v", asked, err == nil, tt.asked, tt.ran)
			}
		})
	}
}

// TestEndStatus: events from agents that send no status are judged by
// their exit code.
func TestEndStatus(t *testing.T) {
	tests := []struct {
		e    protocol.ExecCommandEndMsg
		want protocol.ExecCommandStatus
	}{
		{protocol.ExecCommandEndMsg{ExitCode: 0}, protocol.ExecCompleted},
		{protocol.ExecCommandEndMsg{ExitCode: 2}, protocol.ExecFailed},
		{protocol.ExecCommandEndMsg{ExitCode: DeclinedExitCode}, protocol.ExecDeclined},
		{protocol.ExecCommandEndMsg{ExitCode: 0, Status: protocol.ExecFailed}, protocol.ExecFailed},
		{protocol.ExecCommandEndMsg{ExitCode: 1, Status: protocol.ExecDeclined}, protocol.ExecDeclined},
	}
	for _, tt := range tests {
		if got := EndStatus(tt.e); got != tt.want {
			t.Errorf("EndStatus(%+v) = %s, want %s", tt.e, got, tt.want)
		}
	}
}

// TestPatchIntoProtectedNeedsApproval: a patch that writes where the
// sandbox would not (a protected name, existing or not, or through a
// symlink out of the workspace) is never applied without asking; with
// approval_policy never it is refused and nothing is written. The
// decision is sandboxpolicy's, the same the sandbox enforces.
func TestPatchIntoProtectedNeedsApproval(t *testing.T) {
	outside := t.TempDir()
	for _, tt := range []struct{ name, path string }{
		{".agents", ".agents/skills/evil/SKILL.md"},
		{".aws", ".aws/config"},
		{".codex", ".codex/config.toml"},
		{".git", ".git/hooks/pre-commit"},
		{"through a symlink", "out/x.txt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := "*** Begin Patch\n*** Add File: " + tt.path + "\n+x\n*** End Patch"
			h := newHarness(t, []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.CustomToolCall("c1", "apply_patch", p)}},
				{Items: []json.RawMessage{modelserver.Message("ok")}},
			}, func(c *SessionConfig) { c.ApprovalPolicy = protocol.ApprovalNever; c.Sandbox.ExcludeSlashTmp = true })
			if err := os.Symlink(outside, filepath.Join(h.dir, "out")); err != nil {
				t.Fatal(err)
			}
			h.turn("go", func(m protocol.Msg) protocol.Op {
				t.Errorf("asked %T under approval never", m)
				return nil
			})
			if _, err := os.Stat(filepath.Join(h.dir, tt.path)); err == nil {
				t.Errorf("%s written without approval", tt.path)
			}
		})
	}
	// Control: the same patch to an ordinary path is applied.
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.CustomToolCall("c1", "apply_patch", "*** Begin Patch\n*** Add File: src/ok.txt\n+x\n*** End Patch")}},
		{Items: []json.RawMessage{modelserver.Message("ok")}},
	}, func(c *SessionConfig) { c.ApprovalPolicy = protocol.ApprovalNever; c.Sandbox.ExcludeSlashTmp = true })
	h.turn("go", nil)
	if _, err := os.Stat(filepath.Join(h.dir, "src/ok.txt")); err != nil {
		t.Errorf("ordinary patch not applied: %v", err)
	}
}
