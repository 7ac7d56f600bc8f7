package approval

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// mcpAsked is what the Codex CLI 0.169 asked about under on-request, one
// tool per mix of annotations (measured: `codex app-server`, a one-server
// MCP stdio fixture with a tool per mix, one turn per tool, each call
// answered accept). A name is r<readOnlyHint>_d<destructiveHint>_o<openWorldHint>,
// each x (absent), 0 (false) or 1 (true); "none" has no annotations.
// untrusted, on-failure and every granular policy asked the same; never
// refused exactly these, but under danger-full-access ran them all.
var mcpAsked = map[string]bool{
	"rx_dx_ox": true, "rx_dx_o0": true, "rx_dx_o1": true,
	"rx_d0_ox": true, "rx_d0_o0": false, "rx_d0_o1": true,
	"rx_d1_ox": true, "rx_d1_o0": true, "rx_d1_o1": true,
	"r0_dx_ox": true, "r0_dx_o0": true, "r0_dx_o1": true,
	"r0_d0_ox": true, "r0_d0_o0": false, "r0_d0_o1": true,
	"r0_d1_ox": true, "r0_d1_o0": true, "r0_d1_o1": true,
	"r1_dx_ox": false, "r1_dx_o0": false, "r1_dx_o1": false,
	"r1_d0_ox": false, "r1_d0_o0": false, "r1_d0_o1": false,
	"r1_d1_ox": false, "r1_d1_o0": false, "r1_d1_o1": false,
	"none": true,
}

// hintsOf reads a name of mcpAsked.
func hintsOf(t *testing.T, name string) ToolHints {
	t.Helper()
	if name == "none" {
		return ToolHints{}
	}
	var r, d, o byte
	if _, err := fmt.Sscanf(name, "r%c_d%c_o%c", &r, &d, &o); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	hint := func(c byte) *bool {
		switch c {
		case '0':
			return new(bool)
		case '1':
			v := true
			return &v
		}
		return nil
	}
	h := ToolHints{Destructive: hint(d), OpenWorld: hint(o)}
	if p := hint(r); p != nil {
		h.ReadOnly = *p
	}
	return h
}

// TestToolMatrix: every mix of readOnlyHint, destructiveHint and
// openWorldHint (and none at all) under every approval policy (the four
// names and every granular mix) and sandbox, against what the Codex CLI
// 0.169 did: a tool annotated read-only, or not destructive and not
// open-world, runs without asking; any other is asked about under every
// policy but never (granular too, whatever its flags), and refused under
// never unless the sandbox is danger-full-access, where it runs. An
// approval for the session covers later calls of the same tool; a
// denial is refused with a reason for the model.
func TestToolMatrix(t *testing.T) {
	t.Parallel()
	aps := append([]protocol.AskForApproval{}, policies...)
	for _, g := range allGranular() {
		aps = append(aps, protocol.GranularApproval(g))
	}
	if len(mcpAsked) != 28 {
		t.Fatalf("the table has %d mixes, want 27 and none", len(mcpAsked))
	}
	for name, asked := range mcpAsked {
		h := hintsOf(t, name)
		for _, ap := range aps {
			for _, sm := range sandboxes {
				label := fmt.Sprintf("%s/%s/%s", name, policyName(ap), sm)
				want := Run
				switch {
				case !asked:
				case ap != protocol.ApprovalNever:
					want = Ask
				case sm != protocol.SandboxDangerFullAccess:
					want = Refuse
				}
				ak := &asker{d: protocol.DecisionApprovedForSession}
				a := New(Config{})
				tn := Turn{Approval: ap, Sandbox: protocol.SandboxPolicy{Mode: sm}, Ask: ak.ask}
				req := protocol.ExecApprovalRequestMsg{CallID: "m", McpServer: "s", McpTool: "t"}
				o := a.Tool(context.Background(), tn, "s/t", h, req)
				if got := actionOf(o); got != want {
					t.Errorf("%s: %s, want %s (%s)", label, got, want, o.Refusal)
					continue
				}
				switch want {
				case Refuse:
					if o.Refusal != "MCP tool call requires approval, but approval policy is never" {
						t.Errorf("%s: refusal %q, want the Codex CLI's", label, o.Refusal)
					}
				case Ask:
					if o := a.Tool(context.Background(), tn, "s/t", h, req); o.Asked || !o.Run {
						t.Errorf("%s: second call after approved_for_session %+v, want run without asking", label, o)
					}
					ak.d = protocol.DecisionDenied
					if o := New(Config{}).Tool(context.Background(), tn, "s/t", h, req); o.Run || !strings.Contains(o.Refusal, "rejected by user") {
						t.Errorf("%s: denied call %+v, want refused with a reason", label, o)
					}
					tn.Ask = nil
					if o := New(Config{}).Tool(context.Background(), tn, "s/t", h, req); o.Run || o.Refusal == "" {
						t.Errorf("%s: with nobody to ask %+v, want refused with a reason", label, o)
					}
				}
			}
		}
	}
}

func policyName(ap protocol.AskForApproval) string {
	if g, ok := ap.Granular(); ok {
		return fmt.Sprintf("granular{sandbox=%v,rules=%v,mcp=%v}", g.SandboxApproval, g.Rules, g.McpElicitations)
	}
	return string(ap)
}
