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
