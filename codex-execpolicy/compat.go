package execpolicy

import (
	"strings"

	"github.com/codexgo/common/protocol"
)

// CodexResult is what `codex execpolicy check` prints, field for field.
type CodexResult struct {
	MatchedRules []CodexMatch      `json:"matchedRules"`
	Decision     protocol.Decision `json:"decision,omitempty"`
}

// CodexMatch wraps one matched prefix rule as Codex does.
type CodexMatch struct {
	PrefixRuleMatch CodexPrefixMatch `json:"prefixRuleMatch"`
}

// CodexPrefixMatch is one prefix rule that matched.
type CodexPrefixMatch struct {
	MatchedPrefix   []string          `json:"matchedPrefix"`
	Decision        protocol.Decision `json:"decision"`
	ResolvedProgram string            `json:"resolvedProgram,omitempty"`
	Justification   string            `json:"justification,omitempty"`
}

// CodexCheck evaluates argv against the prefix rules only, exactly as the
// Codex CLI's `execpolicy check` does: no shell parsing, no built-in
// knowledge, every matching rule in definition order, strictest wins.
func (p *Policy) CodexCheck(argv []string, resolveHost bool) CodexResult {
	res := CodexResult{MatchedRules: []CodexMatch{}}
	var best protocol.Decision
	for _, m := range p.matchPrefix(argv, resolveHost) {
		res.MatchedRules = append(res.MatchedRules, CodexMatch{CodexPrefixMatch{
			MatchedPrefix: m.prefix, Decision: m.rule.decision, ResolvedProgram: m.resolved, Justification: m.rule.justification,
		}})
		if best == "" || m.rule.decision.Rank() > best.Rank() {
			best = m.rule.decision
		}
	}
	res.Decision = best
	return res
}

// Legacy evaluates argv against the define_program specs only and returns
// the original engine's {"result": safe|match|forbidden|unverified}
// object, with the decision it maps to (safe allow, forbidden forbidden,
// match and unverified prompt).
//
// The original engine knew nothing of destructive commands, so a force
// push came out "unverified". Here the built-in detectors still run: a
// command they forbid is reported "forbidden" with their reason (cause
// "Builtin"), and an unverified one carries a "reason" a person can read.
func (p *Policy) Legacy(argv []string) (map[string]any, protocol.Decision) {
	res, d := p.legacy(argv)
	if len(argv) == 0 || res["result"] == "forbidden" {
		return res, d
	}
	v := p.Check(protocol.PolicyRequest{Argv: argv})
	if v.Decision == protocol.DecisionForbidden {
		rule := ""
		for _, c := range v.Commands {
			if c.Decision == protocol.DecisionForbidden {
				rule = c.Rule
				break
			}
		}
		call := map[string]any{"program": argv[0], "args": append([]string{}, argv[1:]...)}
		return map[string]any{"result": "forbidden", "reason": v.Reason, "cause": map[string]any{"Builtin": map[string]any{"rule": rule, "exec_call": call}}}, protocol.DecisionForbidden
	}
	if res["result"] == "unverified" && v.Reason != "" {
		res["reason"] = v.Reason
	}
	return res, d
}

func (p *Policy) legacy(argv []string) (map[string]any, protocol.Decision) {
	call := map[string]any{"program": "", "args": []string{}}
	if len(argv) > 0 {
		call = map[string]any{"program": argv[0], "args": append([]string{}, argv[1:]...)}
	}
	unverified := func(errv map[string]any) (map[string]any, protocol.Decision) {
		return map[string]any{"result": "unverified", "error": errv}, protocol.DecisionPrompt
	}
	if len(argv) == 0 {
		return unverified(map[string]any{"type": "NoSpecForProgram", "program": ""})
	}
	base := baseName(argv[0])
	for _, r := range p.forbidRegex {
		if r.re.MatchString(argv[0]) {
			return map[string]any{"result": "forbidden", "reason": r.reason, "cause": map[string]any{"Program": map[string]any{"program": argv[0], "exec_call": call}}}, protocol.DecisionForbidden
		}
	}
	for _, a := range argv[1:] {
		for _, s := range p.forbidSubs {
			if strings.Contains(a, s.s) {
				return map[string]any{"result": "forbidden", "reason": "arg `" + a + "` contains forbidden substring", "cause": map[string]any{"Arg": map[string]any{"arg": a, "exec_call": call}}}, protocol.DecisionForbidden
			}
		}
	}
	specs := p.specsFor(base)
	if len(specs) == 0 {
		return unverified(map[string]any{"type": "NoSpecForProgram", "program": argv[0]})
	}
	var last *matchError
	for _, s := range specs {
		m, err := matchSpec(s, argv[1:])
		if err != nil {
			last = err
			continue
		}
		exec := legacyExec(argv[0], m)
		if s.forbidden != "" {
			return map[string]any{"result": "forbidden", "reason": s.forbidden, "cause": map[string]any{"Exec": map[string]any{"exec": exec}}}, protocol.DecisionForbidden
		}
		if len(m.writes) > 0 || m.unknown {
			return map[string]any{"result": "match", "match": exec}, protocol.DecisionPrompt
		}
		return map[string]any{"result": "safe", "match": exec}, protocol.DecisionAllow
	}
	return unverified(map[string]any{"type": last.kind, "program": argv[0], "message": last.msg})
}

func legacyType(t string, v string) any {
	if t == TypeLiteral.String() {
		return map[string]string{"Literal": v}
	}
	return t
}

func legacyExec(program string, m *execMatch) map[string]any {
	flags := make([]map[string]string, 0, len(m.flags))
	for _, f := range m.flags {
		flags = append(flags, map[string]string{"name": f})
	}
	opts := make([]map[string]any, 0, len(m.opts))
	for _, o := range m.opts {
		opts = append(opts, map[string]any{"name": o.Name, "value": o.Value, "type": legacyType(o.Type, o.Value)})
	}
	args := make([]map[string]any, 0, len(m.args))
	for _, a := range m.args {
		args = append(args, map[string]any{"index": a.Index, "type": legacyType(a.Type, a.Value), "value": a.Value})
	}
	sp := m.spec.systemPath
	if sp == nil {
		sp = []string{}
	}
	return map[string]any{"program": program, "flags": flags, "opts": opts, "args": args, "system_path": sp}
}
