package appserver_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestGranularApprovalPolicy: the granular approvalPolicy object, every
// mix of sandbox_approval and rules, against a command that asks to
// leave the sandbox and one a user's execpolicy rule prompts for: a
// kind whose flag is true is put to the client, one whose flag is false
// is refused without asking. (mcp_elicitations: elicit_test.go.) The
// thread reports the policy as given, and bad objects get -32602.
func TestGranularApprovalPolicy(t *testing.T) {
	t.Parallel()
	for _, sb := range []bool{false, true} {
		for _, rules := range []bool{false, true} {
			t.Run(fmt.Sprintf("sandbox=%v,rules=%v", sb, rules), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t,
					turnOf(modelserver.FunctionCall("call_esc", "exec_command", map[string]any{"cmd": "echo outside",
						"sandbox_permissions": "require_escalated", "justification": "needs the network", "yield_time_ms": 30000})),
					turnOf(modelserver.FunctionCall("call_rule", "exec_command", map[string]any{"cmd": "mytool go", "yield_time_ms": 30000})),
					turnOf(modelserver.Message("done")))
				if err := os.MkdirAll(filepath.Join(f.home, "rules"), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(f.home, "rules", "default.rules"),
					[]byte(`prefix_rule(pattern=["mytool"], decision="prompt")`+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				c := f.start(t)
				policy := map[string]any{"granular": map[string]any{"sandbox_approval": sb, "rules": rules,
					"mcp_elicitations": true, "skill_approval": false}}
				var r struct {
					Thread         struct{ ID string } `json:"thread"`
					ApprovalPolicy any                 `json:"approvalPolicy"`
				}
				c.call("thread/start", map[string]any{"cwd": f.work, "approvalPolicy": policy, "sandbox": "workspace-write"}).decode(t, &r)
				want := fmt.Sprintf("map[granular:map[mcp_elicitations:true request_permissions:false rules:%v sandbox_approval:%v skill_approval:false]]", rules, sb)
				if got := fmt.Sprint(r.ApprovalPolicy); got != want {
					t.Errorf("approvalPolicy = %s, want %s", got, want)
				}
				startTurn(t, c, r.Thread.ID, "run them")
				var seen []msg
				asked := map[string]bool{}
				for {
					m := c.next()
					seen = append(seen, m)
					if m.Method == "item/commandExecution/requestApproval" {
						var p struct{ ItemID string }
						m.decode(t, &p)
						asked[p.ItemID] = true
						c.reply(m, map[string]any{"decision": "decline"})
					}
					if m.Method == "turn/completed" {
						break
					}
				}
				if asked["call_esc"] != sb || asked["call_rule"] != rules {
					t.Errorf("asked %v, want call_esc %v, call_rule %v: %s", asked, sb, rules, methods(seen))
				}
				// What is not asked is refused: the model is told so.
				reqs := f.srv.Requests()
				out := string(reqs[len(reqs)-1].Body)
				for id, flag := range map[string]string{"call_esc": "sandbox_approval", "call_rule": "rules"} {
					if !asked[id] && !containsAll(out, id, "approval_policy granular does not allow "+flag) {
						t.Errorf("%s refused without saying why: %s", id, out)
					}
				}
			})
		}
	}
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		c := f.start(t)
		th := startThread(t, c, map[string]any{})
		for _, p := range []any{
			map[string]any{"granular": map[string]any{"sandbox_approval": true}},
			map[string]any{"granular": map[string]any{"sandbox_approval": true, "rules": true, "mcp_elicitations": "yes"}},
			map[string]any{"granular": map[string]any{"sandbox_approval": true, "rules": true, "mcp_elicitations": true, "other": true}},
			map[string]any{"other": true},
			"sometimes",
		} {
			if m := c.callErr("thread/start", map[string]any{"approvalPolicy": p}); m.Error == nil || m.Error.Code != -32602 {
				t.Errorf("thread/start %v answered %s", p, m.raw)
			}
			if m := c.callErr("turn/start", map[string]any{"threadId": th.Thread.ID, "input": text("x"), "approvalPolicy": p}); m.Error == nil || m.Error.Code != -32602 {
				t.Errorf("turn/start %v answered %s", p, m.raw)
			}
		}
	})
	t.Run("not-experimental", func(t *testing.T) {
		// As the Codex CLI 0.169: the granular object needs the
		// experimental API.
		t.Parallel()
		f := newFixture(t)
		c := f.spawn(t)
		c.call("initialize", map[string]any{"clientInfo": map[string]any{"name": "ide", "version": "1"}})
		c.send(`{"method":"initialized"}`)
		p := map[string]any{"granular": map[string]any{"sandbox_approval": true, "rules": true, "mcp_elicitations": true}}
		m := c.callErr("thread/start", map[string]any{"approvalPolicy": p})
		if m.Error == nil || m.Error.Code != -32600 || m.Error.Message != "askForApproval.granular requires experimentalApi capability" {
			t.Errorf("thread/start answered %s", m.raw)
		}
		th := startThread(t, c, map[string]any{"approvalPolicy": "never"})
		if m := c.callErr("turn/start", map[string]any{"threadId": th.Thread.ID, "input": text("x"), "approvalPolicy": p}); m.Error == nil || m.Error.Code != -32600 {
			t.Errorf("turn/start answered %s", m.raw)
		}
	})
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
