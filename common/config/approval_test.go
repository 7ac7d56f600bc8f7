package config

import (
	"strings"
	"testing"
)

// TestGranularApprovalTable: the Codex CLI 0.169's approval_policy =
// { granular = {...} } loads in every TOML spelling, from the file, a
// profile and -c overrides, as the string form the agent's setup reads;
// the string forms are kept.
func TestGranularApprovalTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file string
		opts       Options
		want       string
	}{
		{"inline", "approval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = true } }\n", Options{},
			"granular:sandbox_approval,mcp_elicitations"},
		{"all five", "approval_policy = { granular = { sandbox_approval = false, rules = true, mcp_elicitations = false, skill_approval = true, request_permissions = true } }\n", Options{},
			"granular:rules,skill_approval,request_permissions"},
		{"header", "model = \"m\"\n[approval_policy.granular]\nsandbox_approval = false\nrules = true\nmcp_elicitations = false\n", Options{},
			"granular:rules"},
		{"dotted", "approval_policy.granular.sandbox_approval = true\napproval_policy.granular.rules = true\napproval_policy.granular.mcp_elicitations = true\n", Options{},
			"granular:sandbox_approval,rules,mcp_elicitations"},
		{"unknown flag ignored, as the Codex CLI does", "approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = true, later = true } }\n", Options{},
			"granular:sandbox_approval,rules,mcp_elicitations"},
		{"all false", "approval_policy = { granular = { sandbox_approval = false, rules = false, mcp_elicitations = false } }\n", Options{}, "granular:"},
		{"string kept", "approval_policy = \"never\"\n", Options{}, "never"},
		{"default", "", Options{}, "on-request"},
		{"profile table over a string", "approval_policy = \"never\"\nprofile = \"p\"\n[profiles.p]\napproval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = false } }\n", Options{},
			"granular:sandbox_approval"},
		{"profile replaces the table whole", "approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = true, skill_approval = true } }\n[profiles.p]\napproval_policy = { granular = { sandbox_approval = false, rules = true, mcp_elicitations = false } }\n", Options{Profile: "p"},
			"granular:rules"},
		{"profile string over a table", "approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = true } }\n[profiles.p]\napproval_policy = \"on-request\"\n", Options{Profile: "p"},
			"on-request"},
		{"override inline", "approval_policy = \"never\"\n", Options{Overrides: []string{"approval_policy={granular={sandbox_approval=true,rules=false,mcp_elicitations=true}}"}},
			"granular:sandbox_approval,mcp_elicitations"},
		{"override one flag of the file's table", "approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = true } }\n", Options{Overrides: []string{"approval_policy.granular.rules=false"}},
			"granular:sandbox_approval,mcp_elicitations"},
		{"override a string over the table", "approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = true } }\n", Options{Overrides: []string{"approval_policy=never"}},
			"never"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("config.toml", []byte(tc.file), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.ApprovalPolicy != tc.want {
				t.Errorf("ApprovalPolicy = %q, want %q", cfg.ApprovalPolicy, tc.want)
			}
		})
	}
}

// TestGranularApprovalErrors: a bad approval_policy is one line naming
// the file, line and column of what is wrong (or the -c override), the
// key and what it should be.
func TestGranularApprovalErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file string
		opts       Options
		want       string
	}{
		{"missing flag", "model = \"m\"\napproval_policy = { granular = { sandbox_approval = true, rules = false } }\n", Options{},
			"config.toml:2:21: approval_policy.granular: mcp_elicitations is required (true or false)"},
		{"not a boolean", "model = \"m\"\n\napproval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = \"yes\" } }\n", Options{},
			"config.toml:3:74: approval_policy.granular.mcp_elicitations: expected true or false, got a string"},
		{"header, not a boolean", "[approval_policy.granular]\nsandbox_approval = true\nrules = 1\nmcp_elicitations = true\n", Options{},
			"config.toml:3:1: approval_policy.granular.rules: expected true or false, got an integer"},
		{"header, missing flag", "model = \"m\"\n[approval_policy.granular]\nrules = true\nmcp_elicitations = true\n", Options{},
			"config.toml:2:2: approval_policy.granular: sandbox_approval is required"},
		{"unknown kind", "approval_policy = { other = true }\n", Options{},
			"config.toml:1:21: approval_policy.other: unknown kind of policy `other`"},
		{"granular not a table", "approval_policy = { granular = true }\n", Options{},
			"config.toml:1:21: approval_policy.granular: expected a table of flags (true or false), got a boolean"},
		{"integer", "approval_policy = 3\n", Options{},
			"config.toml:1:1: approval_policy: expected a policy name"},
		{"our string spelling", "approval_policy = \"granular:rules\"\n", Options{},
			"config.toml:1:1: approval_policy: a granular policy is a table: approval_policy = { granular = {"},
		{"profile", "[profiles.p]\nmodel = \"x\"\napproval_policy = { granular = { rules = 2 } }\n", Options{},
			"config.toml:3:34: profiles.p.approval_policy.granular.rules: expected true or false, got an integer"},
		{"override", "", Options{Overrides: []string{"approval_policy={granular={sandbox_approval=true,rules=false,mcp_elicitations=2}}"}},
			"-c override approval_policy.granular.mcp_elicitations: expected true or false, got an integer"},
		{"override of one flag alone", "", Options{Overrides: []string{"approval_policy.granular.rules=true"}},
			"-c override approval_policy.granular: sandbox_approval is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("config.toml", []byte(tc.file), tc.opts)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %v\nwant   %s…", err, tc.want)
			}
		})
	}
}

// TestGranularApprovalStrict: --strict-config names a granular key that
// is not a flag; the flags themselves are known.
func TestGranularApprovalStrict(t *testing.T) {
	t.Parallel()
	file := "approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = true, skill_approval = false, later = true } }\n[profiles.p]\napproval_policy = \"never\"\n"
	cfg, err := Parse("config.toml", []byte(file), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Unknown(), " "); got != "approval_policy.granular.later" {
		t.Errorf("Unknown() = %q", got)
	}
}
