package protocol

import (
	"encoding/json"
	"fmt"
)

// SandboxMode names one of the three sandbox levels, spelled as in
// config.toml's sandbox_mode and the --sandbox flag.
type SandboxMode string

// The sandbox modes.
const (
	SandboxReadOnly         SandboxMode = "read-only"
	SandboxWorkspaceWrite   SandboxMode = "workspace-write"
	SandboxDangerFullAccess SandboxMode = "danger-full-access"
)

// ParseSandboxMode validates s as a sandbox mode.
func ParseSandboxMode(s string) (SandboxMode, error) {
	switch m := SandboxMode(s); m {
	case SandboxReadOnly, SandboxWorkspaceWrite, SandboxDangerFullAccess:
		return m, nil
	}
	return "", fmt.Errorf("unknown sandbox mode %q (want read-only, workspace-write or danger-full-access)", s)
}

// SandboxPolicy is the Codex CLI's sandbox policy JSON, tagged by "mode"
// (kebab-case). The same shape is accepted by codex-linux-sandbox's
// --sandbox-policy flag, so programs written for the Codex helper work
// unchanged.
type SandboxPolicy struct {
	Mode SandboxMode `json:"mode"`
	// WritableRoots are extra writable directories (workspace-write); the
	// policy's cwd, $TMPDIR and /tmp are added unless excluded below.
	WritableRoots []string `json:"writable_roots,omitempty"`
	// NetworkAccess allows sockets of every family.
	NetworkAccess bool `json:"network_access,omitempty"`
	// ExcludeTmpdirEnvVar drops $TMPDIR from the writable roots.
	ExcludeTmpdirEnvVar bool `json:"exclude_tmpdir_env_var,omitempty"`
	// ExcludeSlashTmp drops /tmp from the writable roots.
	ExcludeSlashTmp bool `json:"exclude_slash_tmp,omitempty"`
	// AllowUnixSockets permits connecting to pathname unix sockets while
	// the network is off. It is our extension; the Codex CLI ignores it.
	AllowUnixSockets bool `json:"allow_unix_sockets,omitempty"`
	// ReadOnlySubpaths are extra paths kept read-only inside the writable
	// roots, besides .git, .codex and .agents (a permission profile's
	// "read" entries there, e.g. .aws). Our extension.
	ReadOnlySubpaths []string `json:"read_only_subpaths,omitempty"`
}

// UnmarshalJSON accepts the tagged object and, for convenience, a bare mode
// string such as "read-only".
func (p *SandboxPolicy) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		m, err := ParseSandboxMode(s)
		if err != nil {
			return err
		}
		*p = SandboxPolicy{Mode: m}
		return nil
	}
	type plain SandboxPolicy
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if _, err := ParseSandboxMode(string(v.Mode)); err != nil {
		return err
	}
	*p = SandboxPolicy(v)
	return nil
}

// AskForApproval is the approval policy, spelled as in config.toml's
// approval_policy.
type AskForApproval string

// The approval policies.
const (
	ApprovalUntrusted AskForApproval = "untrusted"
	ApprovalOnFailure AskForApproval = "on-failure"
	ApprovalOnRequest AskForApproval = "on-request"
	ApprovalNever     AskForApproval = "never"
)

// ParseAskForApproval validates s as an approval policy: a named one or
// the spelling of a granular one (GranularApproval).
func ParseAskForApproval(s string) (AskForApproval, error) {
	switch a := AskForApproval(s); a {
	case ApprovalUntrusted, ApprovalOnFailure, ApprovalOnRequest, ApprovalNever:
		return a, nil
	}
	if g, ok, err := parseGranular(s); ok {
		if err != nil {
			return "", err
		}
		return GranularApproval(g), nil
	}
	return "", fmt.Errorf("unknown approval policy %q (want untrusted, on-failure, on-request or never)", s)
}

// ReviewDecision is a user's answer to an approval request.
type ReviewDecision string

// The review decisions.
const (
	DecisionApproved           ReviewDecision = "approved"
	DecisionApprovedForSession ReviewDecision = "approved_for_session"
	DecisionDenied             ReviewDecision = "denied"
	DecisionAbort              ReviewDecision = "abort"
)
