package agent

import (
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
