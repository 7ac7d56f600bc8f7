package protocol

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Granular is the Codex CLI's granular approval policy: on-request, but
// each kind of prompt reaches the user only when its flag is true; a
// false flag refuses that kind of prompt instead of asking. Package
// approval gives each flag its meaning.
type Granular struct {
	// SandboxApproval: prompts to run outside the sandbox (an
	// escalation, a retry after a sandbox denial, a patch outside the
	// writable roots) and those of the built-in danger heuristics.
	SandboxApproval bool `json:"sandbox_approval"`
	// Rules: prompts an execpolicy rule asks for (decision "prompt").
	Rules bool `json:"rules"`
	// SkillApproval: prompts of skill scripts (we raise none).
	SkillApproval bool `json:"skill_approval"`
	// RequestPermissions: prompts of the request_permissions tool (we
	// have none).
	RequestPermissions bool `json:"request_permissions"`
	// McpElicitations: MCP elicitations, the tool-call approvals and
	// the servers' own.
	McpElicitations bool `json:"mcp_elicitations"`
}

// granularPrefix starts the string form of a granular policy; the flags
// that are true follow, comma-separated, in the order of granularNames.
const granularPrefix = "granular:"

var granularNames = []string{"sandbox_approval", "rules", "skill_approval", "request_permissions", "mcp_elicitations"}

func (g *Granular) flag(name string) *bool {
	switch name {
	case "sandbox_approval":
		return &g.SandboxApproval
	case "rules":
		return &g.Rules
	case "skill_approval":
		return &g.SkillApproval
	case "request_permissions":
		return &g.RequestPermissions
	case "mcp_elicitations":
		return &g.McpElicitations
	}
	return nil
}

// GranularApproval is the AskForApproval value of a granular policy:
// "granular:" and the kinds of prompt allowed ("granular:rules,
// mcp_elicitations"; "granular:" allows none). In JSON it is written as
// the Codex CLI writes it, {"granular": {...}}.
func GranularApproval(g Granular) AskForApproval {
	var on []string
	for _, n := range granularNames {
		if *g.flag(n) {
			on = append(on, n)
		}
	}
	return AskForApproval(granularPrefix + strings.Join(on, ","))
}

// Granular returns the flags of a granular policy; ok is false for the
// named policies.
func (a AskForApproval) Granular() (g Granular, ok bool) {
	g, ok, err := parseGranular(string(a))
	return g, ok && err == nil
}

// parseGranular reads the string form; ok says s has the prefix.
func parseGranular(s string) (Granular, bool, error) {
	rest, ok := strings.CutPrefix(s, granularPrefix)
	if !ok {
		return Granular{}, false, nil
	}
	var g Granular
	if rest == "" {
		return g, true, nil
	}
	for _, n := range strings.Split(rest, ",") {
		f := g.flag(strings.TrimSpace(n))
		if f == nil {
			return g, true, fmt.Errorf("granular approval policy %q: unknown kind of prompt %q (want %s)", s, n, strings.Join(granularNames, ", "))
		}
		*f = true
	}
	return g, true, nil
}

// MarshalJSON writes a named policy as its name and a granular one as
// {"granular": {...}}, the Codex CLI's form.
func (a AskForApproval) MarshalJSON() ([]byte, error) {
	if g, ok := a.Granular(); ok {
		return json.Marshal(map[string]Granular{"granular": g})
	}
	return json.Marshal(string(a))
}

// UnmarshalJSON reads either form MarshalJSON writes. The granular
// object must name sandbox_approval, rules and mcp_elicitations (the
// other two default to false), as the Codex CLI requires.
func (a *AskForApproval) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		// The string form of a granular policy is kept canonical.
		if g, ok, err := parseGranular(s); ok {
			if err != nil {
				return err
			}
			s = string(GranularApproval(g))
		}
		*a = AskForApproval(s)
		return nil
	}
	g, err := ParseGranularJSON(b)
	if err != nil {
		return err
	}
	*a = GranularApproval(g)
	return nil
}

// ParseGranularJSON reads {"granular": {...}}: sandbox_approval, rules
// and mcp_elicitations are required booleans, skill_approval and
// request_permissions optional ones; nothing else is allowed.
func ParseGranularJSON(b []byte) (Granular, error) {
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(b, &outer); err != nil {
		return Granular{}, fmt.Errorf("approval policy: want a name or {\"granular\": {...}}: %w", err)
	}
	inner, ok := outer["granular"]
	if !ok || len(outer) != 1 {
		return Granular{}, fmt.Errorf("approval policy: want a name or {\"granular\": {...}}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(inner, &fields); err != nil || fields == nil {
		return Granular{}, fmt.Errorf("approval policy granular: want an object of booleans")
	}
	var g Granular
	for k, v := range fields {
		f := g.flag(k)
		if f == nil {
			return Granular{}, fmt.Errorf("approval policy granular: unknown field %q", k)
		}
		if err := json.Unmarshal(v, f); err != nil || string(v) == "null" {
			return Granular{}, fmt.Errorf("approval policy granular.%s: want a boolean", k)
		}
	}
	for _, k := range []string{"sandbox_approval", "rules", "mcp_elicitations"} {
		if _, ok := fields[k]; !ok {
			return Granular{}, fmt.Errorf("approval policy granular: %s is required", k)
		}
	}
	return g, nil
}
