package execpolicy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/codexgo/common/protocol"
	"go.starlark.net/starlark"
)

// prefixRule is one prefix_rule() after fanning out first-position
// alternatives: argv[0] must equal program, and each later position one of
// its alternatives.
type prefixRule struct {
	program       string
	rest          [][]string
	decision      protocol.Decision
	justification string
	source        string
}

// prefixMatch is a rule that matched, with the tokens it matched.
type prefixMatch struct {
	rule     *prefixRule
	prefix   []string
	resolved string // absolute argv[0] resolved to the rule's program
}

func (m prefixMatch) matchedRule() protocol.MatchedRule {
	return protocol.MatchedRule{Source: m.rule.source, Kind: "prefix_rule", Decision: m.rule.decision, Pattern: m.prefix, Justification: m.rule.justification}
}

func (r *prefixRule) matches(argv []string) bool {
	if len(argv) < 1+len(r.rest) {
		return false
	}
	for i, alts := range r.rest {
		ok := false
		for _, a := range alts {
			if argv[i+1] == a {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchPrefix returns every prefix rule matching argv, in definition
// order. With resolve, an absolute argv[0] that no rule names falls back
// to the rules for its base name when the path is a registered
// host_executable for it (or no host_executable names it), as Codex does.
func (p *Policy) matchPrefix(argv []string, resolve bool) []prefixMatch {
	if len(argv) == 0 || p.nPrefix == 0 {
		return nil
	}
	var out []prefixMatch
	collect := func(key, resolved string) {
		for _, r := range p.prefix[key] {
			if r.matches(argv) {
				pre := append([]string{r.program}, argv[1:1+len(r.rest)]...)
				out = append(out, prefixMatch{rule: r, prefix: pre, resolved: resolved})
			}
		}
	}
	collect(argv[0], "")
	if len(out) == 0 && resolve && strings.HasPrefix(argv[0], "/") {
		base := baseName(argv[0])
		paths, listed := p.hostExec[base]
		ok := !listed
		for _, hp := range paths {
			if hp == argv[0] {
				ok = true
			}
		}
		if ok {
			collect(base, argv[0])
		}
	}
	return out
}

func parseDecision(s string) (protocol.Decision, error) {
	switch s {
	case "allow", "prompt", "forbidden":
		return protocol.Decision(s), nil
	}
	return "", fmt.Errorf("invalid decision: %s", s)
}

func (b *builder) prefixRule(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pattern, match, notMatch *starlark.List
	decision := "allow"
	var justification starlark.Value = starlark.None
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "pattern", &pattern, "decision?", &decision,
		"match?", &match, "not_match?", &notMatch, "justification?", &justification); err != nil {
		return nil, err
	}
	return starlark.None, b.addPrefixRule(pattern, decision, match, notMatch, justification, b.source(thread))
}

func (b *builder) addPrefixRule(pattern *starlark.List, decision string, match, notMatch *starlark.List, justification starlark.Value, src string) error {
	d, err := parseDecision(decision)
	if err != nil {
		return err
	}
	just := ""
	if justification != starlark.None {
		js, ok := justification.(starlark.String)
		if !ok {
			return fmt.Errorf("justification must be a string, got %s", justification.Type())
		}
		if js == "" {
			return errors.New("justification cannot be empty")
		}
		just = string(js)
	}
	if pattern.Len() == 0 {
		return errors.New("pattern cannot be empty")
	}
	var toks [][]string
	for i := 0; i < pattern.Len(); i++ {
		switch v := pattern.Index(i).(type) {
		case starlark.String:
			toks = append(toks, []string{string(v)})
		case *starlark.List:
			alts, err := stringList(fmt.Sprintf("pattern[%d]", i), v)
			if err != nil {
				return err
			}
			if len(alts) == 0 {
				return fmt.Errorf("pattern[%d]: alternatives cannot be empty", i)
			}
			toks = append(toks, alts)
		default:
			return fmt.Errorf("pattern[%d] must be a string or list of strings, got %s", i, v.Type())
		}
	}
	var rules []*prefixRule
	for _, prog := range toks[0] {
		rules = append(rules, &prefixRule{program: prog, rest: toks[1:], decision: d, justification: just, source: src})
	}
	good, err := exampleList("match", match)
	if err != nil {
		return err
	}
	bad, err := exampleList("not_match", notMatch)
	if err != nil {
		return err
	}
	ruleList := func() string {
		var rs []string
		for _, r := range rules {
			rs = append(rs, r.String())
		}
		return "[" + strings.Join(rs, ", ") + "]"
	}
	var unmatched []string
	for _, ex := range good {
		if !anyMatches(rules, ex, b.p) {
			unmatched = append(unmatched, fmt.Sprintf("%q", strings.Join(ex, " ")))
		}
	}
	if len(unmatched) > 0 {
		return fmt.Errorf("expected every example to match at least one rule. rules: %s; unmatched examples: [%s]", ruleList(), strings.Join(unmatched, ", "))
	}
	var matched []string
	for _, ex := range bad {
		if anyMatches(rules, ex, b.p) {
			matched = append(matched, fmt.Sprintf("%q", strings.Join(ex, " ")))
		}
	}
	if len(matched) > 0 {
		return fmt.Errorf("expected examples to not match any rule. rules: %s; matched examples: [%s]", ruleList(), strings.Join(matched, ", "))
	}
	for _, r := range rules {
		b.p.prefix[r.program] = append(b.p.prefix[r.program], r)
		b.p.nPrefix++
	}
	return nil
}

func anyMatches(rules []*prefixRule, argv []string, p *Policy) bool {
	if len(argv) == 0 {
		return false
	}
	for _, r := range rules {
		cand := argv
		if argv[0] != r.program && strings.HasPrefix(argv[0], "/") && baseName(argv[0]) == r.program {
			paths, listed := p.hostExec[r.program]
			ok := !listed
			for _, hp := range paths {
				ok = ok || hp == argv[0]
			}
			if ok {
				cand = append([]string{r.program}, argv[1:]...)
			}
		}
		if cand[0] == r.program && r.matches(cand) {
			return true
		}
	}
	return false
}

func (r *prefixRule) String() string {
	parts := []string{fmt.Sprintf("%q", r.program)}
	for _, alts := range r.rest {
		if len(alts) == 1 {
			parts = append(parts, fmt.Sprintf("%q", alts[0]))
		} else {
			parts = append(parts, joinQuoted(alts))
		}
	}
	return fmt.Sprintf("prefix_rule([%s], %s)", strings.Join(parts, ", "), r.decision)
}
