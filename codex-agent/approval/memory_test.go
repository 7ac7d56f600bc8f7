package approval

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

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
	s := New(Config{})
	if err := s.Remember(Command{CallID: "c1", Argv: []string{"bash", "-lc", "git status"}}, nil, false); err != nil {
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
	ep, err := LoadExec(home, "", "", true)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{RulesFile: rules, Policy: ep})
	for i, argv := range [][]string{{"npm", "test"}, {"npm", "test"}, {"mytool", `a "quoted" \ word`}} {
		if err := s.Remember(Command{CallID: fmt.Sprint(i), Argv: argv, PrefixRule: argv}, nil, true); err != nil {
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
	if v, _ := ep.Check(context.Background(), protocol.PolicyRequest{Argv: []string{"mytool", `a "quoted" \ word`, "x"}, Cwd: home}); !KnownSafe(v) {
		t.Errorf("verdict for the quoted rule = %+v, want allow", v)
	}
	if err := s.Remember(Command{CallID: "none", Argv: []string{"npm", "test"}}, nil, false); err != nil {
		t.Errorf("an approval without remember: %v", err)
	}
	if b2, _ := os.ReadFile(rules); string(b2) != want {
		t.Errorf("an approval without remember changed the rules file:\n%s", b2)
	}
}
