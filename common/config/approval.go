package config

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/codexgo/common/protocol"
	"github.com/pelletier/go-toml/v2/unstable"
)

// approvalKey is the one setting whose value is either a string (a
// policy name) or a table: the Codex CLI 0.169's
//
//	approval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = true } }
//
// (or the same as a [approval_policy.granular] table). Config keeps it
// as a string: the name as written, or protocol.GranularApproval's
// spelling of the table, which protocol.ParseAskForApproval reads where
// the config becomes a policy (the agent's session setup).
const approvalKey = "approval_policy"

// granularFlags are the granular table's keys; the first three are
// required, as the Codex CLI requires them.
var granularFlags = []string{"sandbox_approval", "rules", "mcp_elicitations", "skill_approval", "request_permissions"}

// valueError is a bad approval_policy value: the dotted path below the
// setting that is wrong (empty: the value itself) and what is wrong.
type valueError struct {
	path []string
	msg  string
}

// approvalFrom reads an approval_policy value of the merged document:
// a string is kept as written (its name is checked by the caller that
// turns it into a policy), a granular table becomes the string form of
// protocol.GranularApproval. Keys of the granular table that are not
// flags are ignored, as the Codex CLI ignores them (--strict-config
// reports them).
func approvalFrom(v any) (string, *valueError) {
	const want = "a policy name (\"on-request\", \"never\", …) or a table { granular = { sandbox_approval = …, rules = …, mcp_elicitations = … } }"
	switch v := v.(type) {
	case string:
		if v == "granular" || strings.HasPrefix(v, "granular:") {
			return "", &valueError{msg: "a granular policy is a table: approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = true } }"}
		}
		return v, nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k != "granular" {
				return "", &valueError{path: []string{k}, msg: fmt.Sprintf("unknown kind of policy `%s`: want %s", k, want)}
			}
		}
		inner, ok := v["granular"].(map[string]any)
		if !ok {
			return "", &valueError{path: []string{"granular"}, msg: "expected a table of flags (true or false), got " + kindWord(v["granular"])}
		}
		var g protocol.Granular
		flags := map[string]*bool{"sandbox_approval": &g.SandboxApproval, "rules": &g.Rules, "mcp_elicitations": &g.McpElicitations,
			"skill_approval": &g.SkillApproval, "request_permissions": &g.RequestPermissions}
		for _, k := range granularFlags {
			raw, set := inner[k]
			if !set {
				continue
			}
			b, ok := raw.(bool)
			if !ok {
				return "", &valueError{path: []string{"granular", k}, msg: "expected true or false, got " + kindWord(raw)}
			}
			*flags[k] = b
		}
		for _, k := range granularFlags[:3] {
			if _, set := inner[k]; !set {
				return "", &valueError{path: []string{"granular"}, msg: fmt.Sprintf("%s is required (true or false); the granular flags sandbox_approval, rules and mcp_elicitations must all be set", k)}
			}
		}
		return string(protocol.GranularApproval(g)), nil
	}
	return "", &valueError{msg: "expected " + want + ", got " + kindWord(v)}
}

// kindWord names the TOML kind of a decoded value, with its article.
func kindWord(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case map[string]any:
		return "a table"
	case []any:
		return "an array"
	case nil:
		return "nothing"
	}
	return "a date or time"
}

// checkApproval checks the approval_policy settings of one config
// document (at the top and in each profile), naming the file, line and
// column of what is wrong.
func checkApproval(name string, data []byte, doc map[string]any) error {
	check := func(prefix []string, v any) error {
		if _, verr := approvalFrom(v); verr != nil {
			path := append(append(append([]string(nil), prefix...), approvalKey), verr.path...)
			where := name
			if where == "" {
				where = FileName
			}
			if line, col, ok := locate(data, path); ok {
				where = fmt.Sprintf("%s:%d:%d", where, line, col)
			}
			return fmt.Errorf("%s: %s: %s", where, strings.Join(path, "."), verr.msg)
		}
		return nil
	}
	if v, ok := doc[approvalKey]; ok {
		if err := check(nil, v); err != nil {
			return err
		}
	}
	profs, _ := doc["profiles"].(map[string]any)
	names := make([]string, 0, len(profs))
	for n := range profs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p, _ := profs[n].(map[string]any)
		if v, ok := p[approvalKey]; ok {
			if err := check([]string{"profiles", n}, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// locate finds where a dotted key path is set in a TOML document: the
// key of the deepest key/value or table header whose full path is path
// or leads to it (an inline table is looked into). ok is false when
// nothing on the way is found.
func locate(data []byte, path []string) (line, col int, ok bool) {
	best, bestLen := -1, 0
	consider := func(full []string, off int) {
		if len(full) > len(path) || !slices.Equal(full, path[:len(full)]) {
			return
		}
		if len(full) >= bestLen {
			best, bestLen = off, len(full)
		}
	}
	var walkKV func(prefix []string, e *unstable.Node)
	walkKV = func(prefix []string, e *unstable.Node) {
		full := append(append([]string(nil), prefix...), exprKeys(e)...)
		consider(full, firstKeyOffset(e))
		if v := e.Value(); v != nil && v.Kind == unstable.InlineTable {
			it := v.Children()
			for it.Next() {
				if c := it.Node(); c.Kind == unstable.KeyValue {
					walkKV(full, c)
				}
			}
		}
	}
	var p unstable.Parser
	p.Reset(data)
	var cur []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			cur = exprKeys(e)
			consider(cur, firstKeyOffset(e))
		case unstable.KeyValue:
			walkKV(cur, e)
		}
	}
	if best < 0 || best > len(data) {
		return 0, 0, false
	}
	start := bytes.LastIndexByte(data[:best], '\n') + 1
	return bytes.Count(data[:best], []byte("\n")) + 1, best - start + 1, true
}
