package approval

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// TestGranularMatrix: every mix of the granular flags against every
// kind of prompt. A kind whose flag is true is asked (as on-request
// asks it), one whose flag is false is refused without asking; what
// on-request runs without asking still runs, and forbidden stays
// refused.
func TestGranularMatrix(t *testing.T) {
	t.Parallel()
	pol := realPolicy(t)
	cwd := t.TempDir()
	R, A, F := Run, Ask, Refuse
	pick := func(flag bool) Action {
		if flag {
			return A
		}
		return F
	}
	for _, g := range allGranular() {
		ap := protocol.GranularApproval(g)
		name := fmt.Sprintf("sandbox=%v,rules=%v,mcp=%v", g.SandboxApproval, g.Rules, g.McpElicitations)
		cmds := []struct {
			what string
			argv []string
			esc  bool
			want Action
		}{
			{"write in the workspace", []string{"touch", "x"}, false, R},
			{"unknown program", []string{"mytool", "--go"}, false, R},
			{"prompt rule", []string{"npm", "publish"}, false, pick(g.Rules)},
			{"danger heuristic", []string{"rm", "-f", "x"}, false, pick(g.SandboxApproval)},
			{"rule and heuristic", []string{"bash", "-lc", "npm publish && rm -f x"}, false, pick(g.Rules && g.SandboxApproval)},
			{"escalation", []string{"ls"}, true, pick(g.SandboxApproval)},
			{"escalated prompt rule", []string{"npm", "publish"}, true, pick(g.Rules && g.SandboxApproval)},
			{"forbidden", []string{"rm", "-rf", "/"}, false, F},
		}
		for _, c := range cmds {
			ak := &asker{d: protocol.DecisionApproved}
			tn := Turn{Approval: ap, Sandbox: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}, Cwd: cwd, Ask: ak.ask}
			o := New(Config{Policy: pol}).Command(context.Background(), tn, Command{CallID: "c", Argv: c.argv, Cwd: cwd, Escalate: c.esc})
			if got := actionOf(o); got != c.want {
				t.Errorf("%s: %s: %s, want %s (%s)", name, c.what, got, c.want, o.Refusal)
			}
			if c.want == F && c.what != "forbidden" && !strings.Contains(o.Refusal, "approval_policy granular does not allow") {
				t.Errorf("%s: %s: refusal %q does not name the granular policy", name, c.what, o.Refusal)
			}
		}

		// A retry outside the sandbox after a denial.
		ak := &asker{d: protocol.DecisionApproved}
		tn := Turn{Approval: ap, Sandbox: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}, Cwd: cwd, Ask: ak.ask}
		o := New(Config{Policy: pol}).Retry(context.Background(), tn, Command{CallID: "c", Argv: []string{"touch", "/etc/x"}, Cwd: cwd}, protocol.PolicyVerdict{})
		if o.Asked != g.SandboxApproval || o.Run != g.SandboxApproval {
			t.Errorf("%s: retry asked=%v run=%v", name, o.Asked, o.Run)
		}

		// Patches inside and outside the writable roots.
		for _, inRoots := range []bool{true, false} {
			ak := &asker{d: protocol.DecisionApproved}
			tn.Ask = ak.ask
			o := New(Config{Policy: pol}).Patch(context.Background(), tn, "p", []string{"/etc/x"}, inRoots, nil)
			want := R
			if !inRoots {
				want = pick(g.SandboxApproval)
			}
			if got := actionOf(o); got != want {
				t.Errorf("%s: patch (in roots %v): %s, want %s", name, inRoots, got, want)
			}
		}

		// An MCP server's own elicitation.
		want := ElicitDecline
		if g.McpElicitations {
			want = ElicitAsk
		}
		for _, empty := range []bool{true, false} {
			if got := Elicitation(tn, empty); got != want {
				t.Errorf("%s: elicitation (empty %v): %s, want %s", name, empty, got, want)
			}
		}
	}
}

// allGranular is every mix of the three flags the Codex CLI requires.
func allGranular() []protocol.Granular {
	var out []protocol.Granular
	for i := range 8 {
		out = append(out, protocol.Granular{SandboxApproval: i&1 != 0, Rules: i&2 != 0, McpElicitations: i&4 != 0})
	}
	return out
}

// TestElicitationPolicy: an MCP server's elicitation under the named
// policies, as the Codex CLI 0.169 decides it: asked unless never, which
// declines it — but accepts a bare confirmation (a form with no fields)
// under danger-full-access; declined when nobody can be asked.
func TestElicitationPolicy(t *testing.T) {
	t.Parallel()
	ask := func(context.Context, string, protocol.Msg) Answer { return Answer{} }
	for _, ap := range policies {
		for _, sm := range sandboxes {
			for _, empty := range []bool{true, false} {
				want := ElicitAsk
				if ap == protocol.ApprovalNever {
					want = ElicitDecline
					if empty && sm == protocol.SandboxDangerFullAccess {
						want = ElicitAccept
					}
				}
				tn := Turn{Approval: ap, Sandbox: protocol.SandboxPolicy{Mode: sm}, Ask: ask}
				if got := Elicitation(tn, empty); got != want {
					t.Errorf("%s/%s/empty=%v: %s, want %s", ap, sm, empty, got, want)
				}
				tn.Ask = nil
				if got := Elicitation(tn, empty); got == ElicitAsk {
					t.Errorf("%s/%s/empty=%v without an asker: asks", ap, sm, empty)
				}
			}
		}
	}
}
