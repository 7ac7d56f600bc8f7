package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

func TestApprovalPrefixes(t *testing.T) {
	t.Parallel()
	pc := func(argv ...string) protocol.ParsedCommand { return protocol.ParsedCommand{Argv: argv} }
	tests := []struct {
		name     string
		argv     []string
		parsed   []protocol.ParsedCommand
		proposed []string
		want     [][]string
	}{
		{"plain argv", []string{"ls", "-la"}, nil, nil, [][]string{{"ls", "-la"}}},
		{"plain script unwrapped", []string{"/bin/bash", "-lc", "git status"}, nil, nil, [][]string{{"git", "status"}}},
		{"script with syntax kept whole", []string{"bash", "-lc", "git status | head"}, nil, nil, [][]string{{"bash", "-lc", "git status | head"}}},
		{"quoted script kept whole", []string{"bash", "-c", "echo 'a b'"}, nil, nil, [][]string{{"bash", "-c", "echo 'a b'"}}},
		{"policy's simple commands", []string{"bash", "-lc", "git add . && git commit"}, []protocol.ParsedCommand{pc("git", "add", "."), pc("git", "commit")}, nil,
			[][]string{{"git", "add", "."}, {"git", "commit"}}},
		{"proposed prefix covering all", []string{"bash", "-lc", "npm test"}, nil, []string{"npm", "test"}, [][]string{{"npm", "test"}}},
		{"proposed prefix covering some is ignored", []string{"bash", "-lc", "git add . && rm x"}, []protocol.ParsedCommand{pc("git", "add", "."), pc("rm", "x")}, []string{"git"},
			[][]string{{"git", "add", "."}, {"rm", "x"}}},
	}
	for _, tt := range tests {
		if got := approvalPrefixes(tt.argv, tt.parsed, tt.proposed); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSessionApprovedMatching(t *testing.T) {
	t.Parallel()
	s := &Session{approved: map[string]bool{}, remember: map[string]bool{}}
	if err := s.rememberApproval("c1", []string{"bash", "-lc", "git status"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		argv []string
		want bool
	}{
		{[]string{"bash", "-lc", "git status"}, true},
		{[]string{"git", "status"}, true},
		{[]string{"git", "status", "--short"}, true},
		{[]string{"/bin/zsh", "-c", "git status -s"}, true},
		{[]string{"git", "stash"}, false},
		{[]string{"git"}, false},
		{[]string{"bash", "-lc", "git status; rm -rf /"}, false},
	}
	for _, tt := range tests {
		if got := s.sessionApproved(tt.argv, nil); got != tt.want {
			t.Errorf("sessionApproved(%q) = %v, want %v", tt.argv, got, tt.want)
		}
	}
}

func TestRulePrefixes(t *testing.T) {
	t.Parallel()
	pc := func(rule string, d protocol.Decision, argv ...string) protocol.ParsedCommand {
		return protocol.ParsedCommand{Argv: argv, Decision: d, Rule: rule}
	}
	allow, prompt := protocol.DecisionAllow, protocol.DecisionPrompt
	tests := []struct {
		name     string
		argv     []string
		parsed   []protocol.ParsedCommand
		proposed []string
		want     [][]string
	}{
		{"subcommand tool generalised", []string{"bash", "-lc", "cargo frob --x"}, nil, nil, [][]string{{"cargo", "frob"}}},
		{"program generalised", []string{"mytool", "a", "b"}, nil, nil, [][]string{{"mytool"}}},
		{"rm kept whole", []string{"rm", "-rf", "build"}, nil, nil, [][]string{{"rm", "-rf", "build"}}},
		{"script with syntax kept whole", []string{"bash", "-lc", "a | b"}, nil, nil, [][]string{{"bash", "-lc", "a | b"}}},
		{"only the prompted commands", []string{"bash", "-lc", "ls && npm publish"},
			[]protocol.ParsedCommand{pc("default.policy:1", allow, "ls"), pc("builtin:x", prompt, "npm", "publish")}, nil, [][]string{{"npm", "publish"}}},
		{"excluded option kept whole", []string{"rg", "--pre", "x", "y"},
			[]protocol.ParsedCommand{pc("default.policy:9", prompt, "rg", "--pre", "x", "y")}, nil, [][]string{{"rg", "--pre", "x", "y"}}},
		{"proposed prefix covering all", []string{"bash", "-lc", "npm test -- -u"}, nil, []string{"npm", "test"}, [][]string{{"npm", "test"}}},
		{"proposed prefix covering some is ignored", []string{"bash", "-lc", "git add . && rm x"},
			[]protocol.ParsedCommand{pc("", prompt, "git", "add", "."), pc("", prompt, "rm", "x")}, []string{"git"}, [][]string{{"git", "add"}, {"rm", "x"}}},
	}
	for _, tt := range tests {
		if got := rulePrefixes(tt.argv, tt.parsed, tt.proposed); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

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
	before, _ := ep.Check(context.Background(), []string{"mytool", "build", "--fast"}, h.dir)
	if explicitAllow(before) {
		t.Fatalf("verdict before = %+v, want no rule allowing it", before)
	}
	var asked []string
	answer := func(m protocol.Msg) protocol.Op {
		r := m.(protocol.ExecApprovalRequestMsg)
		asked = append(asked, r.CallID)
		return protocol.ExecApprovalOp{ID: r.CallID, Decision: protocol.DecisionApprovedForSession, Remember: true}
	}
	h.turn("first", answer)
	after, _ := ep.Check(context.Background(), []string{"mytool", "build", "--fast"}, h.dir)
	if !explicitAllow(after) || !strings.Contains(after.Commands[0].Rule, "default.rules") {
		t.Errorf("verdict after = %+v, want an allow from default.rules", after)
	}
	// The same answer again (a second session, say) adds no second line.
	if err := (&Session{cfg: SessionConfig{RulesFile: rules, Policy: ep}, approved: map[string]bool{},
		remember: map[string]bool{"x": true}}).rememberApproval("x", []string{"mytool", "build"}, nil, nil); err != nil {
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

// TestRememberAppendsToExistingRules: remembered rules go after the
// user's own lines (a last line without a newline is ended first),
// quoted so Starlark reads the same tokens, once each.
func TestRememberAppendsToExistingRules(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	rules := filepath.Join(home, "rules", "default.rules")
	if err := os.MkdirAll(filepath.Dir(rules), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rules, []byte(`prefix_rule(pattern=["ls"], decision="allow")`), 0o600); err != nil {
		t.Fatal(err)
	}
	ep, err := LoadExecPolicy(home, "", "", true)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{cfg: SessionConfig{RulesFile: rules, Policy: ep}, approved: map[string]bool{}, remember: map[string]bool{}}
	for i, argv := range [][]string{{"npm", "test"}, {"npm", "test"}, {"mytool", `a "quoted" \ word`}} {
		id := fmt.Sprint(i)
		s.remember[id] = true
		if err := s.rememberApproval(id, argv, nil, argv); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	want := `prefix_rule(pattern=["ls"], decision="allow")
prefix_rule(pattern=["npm", "test"], decision="allow")
prefix_rule(pattern=["mytool", "a \"quoted\" \\ word"], decision="allow")
`
	if string(b) != want {
		t.Errorf("rules file:\n%s\nwant:\n%s", b, want)
	}
	if v, _ := ep.Check(context.Background(), []string{"mytool", `a "quoted" \ word`, "x"}, home); !explicitAllow(v) {
		t.Errorf("verdict for the quoted rule = %+v, want allow", v)
	}
	if err := s.rememberApproval("none", []string{"npm", "test"}, nil, nil); err != nil {
		t.Errorf("an approval without remember: %v", err)
	}
	if b2, _ := os.ReadFile(rules); string(b2) != want {
		t.Errorf("an approval without remember changed the rules file:\n%s", b2)
	}
}
