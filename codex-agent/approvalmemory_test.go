package agent

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// TestRememberWritesRuleAndReloads: "approve and remember" appends the
// rule with codex-execpolicy (once, however often it is approved) and
// the session's policy allows the command by that rule at once.
func TestRememberWritesRuleAndReloads(t *testing.T) {
	home := t.TempDir()
	ep, err := LoadExecPolicy(home, "", "", true)
	if err != nil {
		t.Fatal(err)
	}
	rules := filepath.Join(home, "rules", "default.rules")
	call := func(id string) json.RawMessage {
		return modelserver.FunctionCall(id, "exec_command", map[string]any{"cmd": "mytool build --fast"})
	}
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{call("c1")}},
		{Items: []json.RawMessage{modelserver.Message("one")}},
		{Items: []json.RawMessage{call("c2")}},
		{Items: []json.RawMessage{modelserver.Message("two")}},
	}, func(c *SessionConfig) {
		c.ApprovalPolicy = protocol.ApprovalUntrusted
		c.Policy = ep
		c.RulesFile = rules
	})
	before, _ := ep.Check(context.Background(), protocol.PolicyRequest{Argv: []string{"mytool", "build", "--fast"}, Cwd: h.dir})
	if approval.KnownSafe(before) {
		t.Fatalf("verdict before = %+v, want no rule allowing it", before)
	}
	var asked []string
	answer := func(m protocol.Msg) protocol.Op {
		r := m.(protocol.ExecApprovalRequestMsg)
		asked = append(asked, r.CallID)
		return protocol.ExecApprovalOp{ID: r.CallID, Decision: protocol.DecisionApprovedForSession, Remember: true}
	}
	h.turn("first", answer)
	after, _ := ep.Check(context.Background(), protocol.PolicyRequest{Argv: []string{"mytool", "build", "--fast"}, Cwd: h.dir})
	if !approval.KnownSafe(after) || !strings.Contains(after.Commands[0].Rule, "default.rules") {
		t.Errorf("verdict after = %+v, want an allow from default.rules", after)
	}
	// The same answer again (a second session, say) adds no second line.
	if err := approval.New(approval.Config{RulesFile: rules, Policy: ep}).Remember(approval.Command{CallID: "x", Argv: []string{"mytool", "build"}}, nil, true); err != nil {
		t.Fatal(err)
	}
	h.turn("second", answer)
	if got := strings.Join(asked, ","); got != "c1" {
		t.Errorf("asked for %s, want c1 only", got)
	}
	b, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "prefix_rule(pattern=[\"mytool\"], decision=\"allow\")\n"; got != want {
		t.Errorf("default.rules = %q, want %q", got, want)
	}
}
