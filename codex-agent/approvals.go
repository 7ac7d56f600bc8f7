package agent

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/codexgo/codex-agent/patch"
	execpolicy "github.com/codexgo/codex-execpolicy"
	"github.com/codexgo/common/protocol"
)

// approvalPrefixes returns the argv prefixes an "approved for the
// session" answer remembers. They are the simple commands the policy
// found (so `bash -lc 'git status'` and `git status` are the same
// command), or the model's proposed prefix_rule when it gave one and
// that prefix covers every simple command. Matching later commands
// against these prefixes is how the execpolicy matches its rules: an
// exact positional prefix of the argv.
func approvalPrefixes(argv []string, parsed []protocol.ParsedCommand, proposed []string) [][]string {
	var cmds [][]string
	for _, p := range parsed {
		if len(p.Argv) > 0 {
			cmds = append(cmds, plainScript(p.Argv))
		}
	}
	if len(cmds) == 0 {
		cmds = [][]string{plainScript(argv)}
	}
	if len(proposed) > 0 {
		all := true
		for _, c := range cmds {
			all = all && hasPrefix(c, proposed)
		}
		if all {
			return [][]string{append([]string(nil), proposed...)}
		}
	}
	out := make([][]string, len(cmds))
	for i, c := range cmds {
		out[i] = append([]string(nil), c...)
	}
	return out
}

// plainScript unwraps `bash -lc 'git status'` into [git status] when the
// script is plain words, with nothing the shell would interpret; any
// other script stays whole, so it only ever matches itself. (A real
// execpolicy splits scripts itself and hands us simple commands.)
func plainScript(argv []string) []string {
	if len(argv) != 3 || !isShell(argv[0]) || (argv[1] != "-c" && argv[1] != "-lc") {
		return argv
	}
	if strings.ContainsAny(argv[2], "\"'`$;&|<>(){}[]*?~#!=\n\\") {
		return argv
	}
	words := strings.Fields(argv[2])
	if len(words) == 0 {
		return argv
	}
	return words
}

// hasPrefix reports whether prefix is an exact positional prefix of argv.
func hasPrefix(argv, prefix []string) bool {
	if len(prefix) == 0 || len(argv) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if argv[i] != p {
			return false
		}
	}
	return true
}

// sessionApproved reports whether every simple command of a proposed
// command matches a prefix approved earlier in the session.
func (s *Session) sessionApproved(argv []string, parsed []protocol.ParsedCommand) bool {
	cmds := approvalPrefixes(argv, parsed, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.approved[strings.Join(argv, "\x00")] {
		return true
	}
	for _, c := range cmds {
		ok := false
		for _, r := range s.sessionRules {
			if hasPrefix(c, r) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return len(cmds) > 0
}

// rememberApproval records an approved_for_session answer; when the
// answer asked for it ("approve and remember"), it also appends allow
// rules to the rules file with codex-execpolicy (locked, deduplicated)
// and reloads the session's policy so they apply at once.
func (s *Session) rememberApproval(callID string, argv []string, parsed []protocol.ParsedCommand, proposed []string) error {
	prefixes := approvalPrefixes(argv, parsed, proposed)
	s.mu.Lock()
	s.approved[strings.Join(argv, "\x00")] = true
	s.sessionRules = append(s.sessionRules, prefixes...)
	persist := s.remember[callID]
	delete(s.remember, callID)
	file := s.cfg.RulesFile
	policy := s.cfg.Policy
	s.mu.Unlock()
	if !persist || file == "" {
		return nil
	}
	home, err := rulesHome(file)
	if err != nil {
		return err
	}
	for _, p := range rulePrefixes(argv, parsed, proposed) {
		if _, _, err := execpolicy.AppendPrefixRule(home, p, protocol.DecisionAllow, ""); err != nil {
			return err
		}
	}
	if r, ok := policy.(interface{ Reload() error }); ok {
		if err := r.Reload(); err != nil {
			return fmt.Errorf("reload policy after remembering a rule: %w", err)
		}
	}
	return nil
}

// rulesHome returns the CODEX_HOME of a rules file, which must be
// $CODEX_HOME/rules/default.rules: the file execpolicy.AppendPrefixRule
// writes and execpolicy.Load reads.
func rulesHome(file string) (string, error) {
	dir := filepath.Dir(file)
	if filepath.Base(file) != "default.rules" || filepath.Base(dir) != "rules" {
		return "", fmt.Errorf("rules file %s: remembered rules go to <codex home>/rules/default.rules", file)
	}
	return filepath.Dir(dir), nil
}

// rulePrefixes are the prefixes "approve and remember" writes as allow
// rules: the model's proposed prefix when it covers every simple
// command; else, for each simple command the policy prompted for (all of
// them when it named none), codex-execpolicy's suggestion (program and
// subcommand), or the command itself when it must not be generalised
// (shells, rm, a known program with an option the default policy
// excludes).
func rulePrefixes(argv []string, parsed []protocol.ParsedCommand, proposed []string) [][]string {
	if len(proposed) > 0 {
		if p := approvalPrefixes(argv, parsed, proposed); len(p) == 1 && slices.Equal(p[0], proposed) {
			return p
		}
	}
	var prompted []protocol.ParsedCommand
	for _, p := range parsed {
		if p.Decision == protocol.DecisionPrompt && len(p.Argv) > 0 {
			prompted = append(prompted, p)
		}
	}
	if len(prompted) == 0 {
		prompted = parsed
	}
	var out [][]string
	for _, c := range approvalPrefixes(argv, prompted, nil) {
		p := execpolicy.SuggestPrefix(c)
		if p == nil || wasExcludedOption(c, prompted) {
			p = c
		}
		if !slices.ContainsFunc(out, func(o []string) bool { return slices.Equal(o, p) }) {
			out = append(out, p)
		}
	}
	return out
}

// wasExcludedOption reports a command the default policy knows but
// prompted for because of an option it leaves out (rg --pre):
// generalising it would approve that option for good.
func wasExcludedOption(c []string, parsed []protocol.ParsedCommand) bool {
	for _, p := range parsed {
		if slices.Equal(plainScript(p.Argv), c) && strings.HasPrefix(p.Rule, "default.policy:") {
			return true
		}
	}
	return false
}

// askTool asks about an external tool call (ToolEnv.Ask): approved
// without asking when key was approved for the session, remembered when
// the answer is approved_for_session, the turn aborted on abort. A
// remember flag on the answer writes no rule: .rules files judge
// commands, not tools.
func (s *Session) askTool(ctx context.Context, id, key string, req protocol.ExecApprovalRequestMsg) protocol.ReviewDecision {
	s.mu.Lock()
	known := s.approvedTools[key]
	s.mu.Unlock()
	if known {
		return protocol.DecisionApprovedForSession
	}
	d := s.ask(ctx, id, req.CallID, req)
	s.forgetRemember(req.CallID)
	switch d {
	case protocol.DecisionApprovedForSession:
		s.mu.Lock()
		s.approvedTools[key] = true
		s.mu.Unlock()
	case protocol.DecisionAbort:
		s.abortTurn()
	}
	return d
}

// forgetRemember drops a remember flag whose approval was not for the
// session.
func (s *Session) forgetRemember(callID string) {
	s.mu.Lock()
	delete(s.remember, callID)
	s.mu.Unlock()
}

// patchPaths lists the files a patch writes (renames write both ends).
func patchPaths(changes []patch.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Path)
		if c.MovePath != "" {
			out = append(out, c.MovePath)
		}
	}
	return out
}

// approvePatchPaths remembers an approved_for_session patch: later
// patches that write only these files are not asked about again.
func (s *Session) approvePatchPaths(changes []patch.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.approvedPaths == nil {
		s.approvedPaths = map[string]bool{}
	}
	for _, p := range patchPaths(changes) {
		s.approvedPaths[p] = true
	}
}

// patchPathsApproved reports whether every file a patch writes was
// approved for the session.
func (s *Session) patchPathsApproved(changes []patch.Change) bool {
	paths := patchPaths(changes)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range paths {
		if !s.approvedPaths[p] {
			return false
		}
	}
	return len(paths) > 0
}
