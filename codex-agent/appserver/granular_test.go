package appserver_test

import (
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestGranularApprovalPolicy: the granular approvalPolicy object is
// accepted when it amounts to a policy our approver has: every prompt
// allowed runs the thread on-request (a command asking to leave the
// sandbox is put to the client), none allowed runs it never (the same
// command is not put to the client). A mix, and the kinds of prompt we
// have not, are refused with -32602.
func TestGranularApprovalPolicy(t *testing.T) {
	escalated := modelserver.FunctionCall("call_esc", "exec_command", map[string]any{"cmd": "echo outside",
		"sandbox_permissions": "require_escalated", "justification": "needs the network", "yield_time_ms": 30000})
	granular := func(sb, rules, mcp bool) map[string]any {
		return map[string]any{"granular": map[string]any{"sandbox_approval": sb, "rules": rules, "mcp_elicitations": mcp}}
	}
	for _, tc := range []struct {
		name   string
		policy map[string]any
		want   string
		asked  bool
	}{
		{"all", granular(true, true, true), "on-request", true},
		{"none", granular(false, false, false), "never", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, turnOf(escalated), turnOf(modelserver.Message("done")))
			c := f.start(t)
			var r struct {
				Thread         struct{ ID string } `json:"thread"`
				ApprovalPolicy any                 `json:"approvalPolicy"`
			}
			c.call("thread/start", map[string]any{"cwd": f.work, "approvalPolicy": tc.policy, "sandbox": "workspace-write"}).decode(t, &r)
			if r.ApprovalPolicy != tc.want {
				t.Fatalf("approvalPolicy = %v, want %s", r.ApprovalPolicy, tc.want)
			}
			startTurn(t, c, r.Thread.ID, "run it")
			var seen []msg
			for {
				m := c.next()
				seen = append(seen, m)
				if m.Method == "item/commandExecution/requestApproval" {
					c.reply(m, map[string]any{"decision": "decline"})
				}
				if m.Method == "turn/completed" {
					break
				}
			}
			if asked := strings.Contains(methods(seen), "item/commandExecution/requestApproval"); asked != tc.asked {
				t.Errorf("asked = %v, want %v: %s", asked, tc.asked, methods(seen))
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		f := newFixture(t)
		c := f.start(t)
		th := startThread(t, c, map[string]any{})
		for _, p := range []any{
			granular(true, false, true),
			map[string]any{"granular": map[string]any{"sandbox_approval": true, "rules": true, "mcp_elicitations": true, "skill_approval": true}},
			map[string]any{"granular": map[string]any{"sandbox_approval": true}},
			map[string]any{"other": true},
		} {
			if m := c.callErr("thread/start", map[string]any{"approvalPolicy": p}); m.Error == nil || m.Error.Code != -32602 {
				t.Errorf("thread/start %v answered %s", p, m.raw)
			}
			if m := c.callErr("turn/start", map[string]any{"threadId": th.Thread.ID, "input": text("x"), "approvalPolicy": p}); m.Error == nil || m.Error.Code != -32602 {
				t.Errorf("turn/start %v answered %s", p, m.raw)
			}
		}
	})
}
