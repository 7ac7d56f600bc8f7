package approval

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	execpolicy "github.com/codexgo/codex-execpolicy"
	"github.com/codexgo/common/protocol"
)

// Remember records an approved_for_session answer; when the answer asked
// for it ("approve and remember"), it also appends allow rules to the
// rules file with codex-execpolicy (locked, deduplicated) and reloads the
// policy so that they apply at once.
func (a *Approver) Remember(c Command, parsed []protocol.ParsedCommand, persist bool) error {
	prefixes := approvalPrefixes(c.Argv, parsed, c.PrefixRule)
	a.mu.Lock()
	a.approved[strings.Join(c.Argv, "\x00")] = true
	a.sessionRules = append(a.sessionRules, prefixes...)
	a.mu.Unlock()
	if !persist || a.rulesFile == "" {
		return nil
	}
	home, err := rulesHome(a.rulesFile)
	if err != nil {
		return err
	}
	for _, p := range rulePrefixes(c.Argv, parsed, c.PrefixRule) {
		if _, _, err := execpolicy.AppendPrefixRule(home, p, protocol.DecisionAllow, ""); err != nil {
			return err
		}
	}
	if r, ok := a.policy.(interface{ Reload() error }); ok {
		if err := r.Reload(); err != nil {
			return fmt.Errorf("reload policy after remembering a rule: %w", err)
		}
	}
	return nil
}

// sessionApproved reports whether every simple command of a proposed
// command matches a prefix approved earlier in the session.
func (a *Approver) sessionApproved(argv []string, parsed []protocol.ParsedCommand) bool {
	cmds := approvalPrefixes(argv, parsed, nil)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.approved[strings.Join(argv, "\x00")] {
		return true
	}
	for _, c := range cmds {
		if !slices.ContainsFunc(a.sessionRules, func(r []string) bool { return hasPrefix(c, r) }) {
			return false
		}
	}
	return len(cmds) > 0
}

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
	if len(argv) != 3 || !IsShell(argv[0]) || (argv[1] != "-c" && argv[1] != "-lc") {
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

// IsShell reports a program that is a POSIX shell.
func IsShell(p string) bool {
	switch filepath.Base(p) {
	case "bash", "sh", "zsh", "dash":
		return true
	}
	return false
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
