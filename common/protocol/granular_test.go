package protocol

import (
	"encoding/json"
	"testing"
)

// TestGranularApproval: a granular policy keeps its flags through its
// string form and JSON (the Codex CLI's object), a named one stays a
// string, and bad objects are refused.
func TestGranularApproval(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		json string
		want AskForApproval
	}{
		{`"never"`, ApprovalNever},
		{`{"granular":{"sandbox_approval":true,"rules":false,"mcp_elicitations":true}}`, "granular:sandbox_approval,mcp_elicitations"},
		{`{"granular":{"sandbox_approval":false,"rules":false,"mcp_elicitations":false,"skill_approval":true}}`, "granular:skill_approval"},
		{`{"granular":{"sandbox_approval":false,"rules":false,"mcp_elicitations":false}}`, "granular:"},
	} {
		var a AskForApproval
		if err := json.Unmarshal([]byte(tc.json), &a); err != nil || a != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.json, a, err, tc.want)
			continue
		}
		if p, err := ParseAskForApproval(string(a)); err != nil || p != a {
			t.Errorf("ParseAskForApproval(%q) = %q, %v", a, p, err)
		}
		b, err := json.Marshal(a)
		var back AskForApproval
		if err != nil || json.Unmarshal(b, &back) != nil || back != a {
			t.Errorf("%q: marshalled %s, read back %q (%v)", a, b, back, err)
		}
		if _, ok := a.Granular(); ok != (a != ApprovalNever) {
			t.Errorf("%q.Granular() ok = %v", a, ok)
		}
	}
	g, _ := AskForApproval("granular:rules,mcp_elicitations").Granular()
	if g != (Granular{Rules: true, McpElicitations: true}) {
		t.Errorf("flags = %+v", g)
	}
	for _, bad := range []string{
		`{"granular":{"rules":true,"mcp_elicitations":true}}`,
		`{"granular":{"sandbox_approval":true,"rules":true,"mcp_elicitations":"yes"}}`,
		`{"granular":{"sandbox_approval":true,"rules":true,"mcp_elicitations":null}}`,
		`{"granular":{"sandbox_approval":true,"rules":true,"mcp_elicitations":true,"other":true}}`,
		`{"granular":true}`, `{"other":{}}`, `{"granular":{},"x":1}`, `[]`,
	} {
		var a AskForApproval
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("%s: accepted as %q", bad, a)
		}
	}
	if _, err := ParseAskForApproval("granular:rules,everything"); err == nil {
		t.Error("an unknown kind of prompt was accepted")
	}
}

// FuzzApprovalPolicy: any approval policy JSON either fails to load or
// survives a round trip unchanged, and its string form parses back to it.
func FuzzApprovalPolicy(f *testing.F) {
	f.Add([]byte(`"never"`))
	f.Add([]byte(`{"granular":{"sandbox_approval":true,"rules":false,"mcp_elicitations":true,"skill_approval":true}}`))
	f.Add([]byte(`{"granular":{}}`))
	f.Add([]byte(`"granular:rules, rules"`))
	f.Add([]byte(`"granular:bogus"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var a AskForApproval
		if json.Unmarshal(b, &a) != nil {
			return
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("%q: marshal: %v", a, err)
		}
		var back AskForApproval
		if err := json.Unmarshal(out, &back); err != nil || back != a {
			t.Fatalf("%q: round trip %s gave %q, %v", a, out, back, err)
		}
		if _, ok := a.Granular(); ok {
			if p, err := ParseAskForApproval(string(a)); err != nil || p != a {
				t.Fatalf("%q: parse gave %q, %v", a, p, err)
			}
		}
	})
}
