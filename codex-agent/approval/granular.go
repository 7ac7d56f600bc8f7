package approval

import "github.com/codexgo/common/protocol"

// A granular approval_policy (protocol.Granular) is on-request in which
// each kind of prompt reaches the user only when its flag allows it; a
// prompt of a kind not allowed is refused, as never refuses every
// prompt. The kinds, as the Codex CLI sorts them:
//
//	flag               the prompts it governs
//	rules              a command an execpolicy rule (user's, project's
//	                   or default) answers "prompt" for
//	sandbox_approval   a command the danger heuristics (forced delete…)
//	                   or a failed policy check prompt for; a command the
//	                   model asks to run outside the sandbox; the retry
//	                   outside the sandbox after a denial (none: the
//	                   failure is reported); a patch outside the
//	                   writable roots
//	mcp_elicitations   an MCP server's own elicitation (refused:
//	                   declined). Not an MCP tool call that needs
//	                   approval: the Codex CLI 0.169 asks that under
//	                   every granular policy (measured), and so do we.
//	skill_approval,    prompts we never raise (skill scripts run as
//	request_permissions  commands; there is no request_permissions tool)
//
// A command whose verdict involves both a rule and a heuristic prompt
// needs both flags.

// Flag names of the granular policy, as in the Codex CLI's config.
const (
	FlagRules           = "rules"
	FlagSandboxApproval = "sandbox_approval"
	FlagMcpElicitations = "mcp_elicitations"
)

// promptKinds says which kinds of prompt a verdict raises: one an
// execpolicy rule asks for, one a heuristic (or a failed check) asks for.
func promptKinds(v protocol.PolicyVerdict) (rule, heuristic bool) {
	found := false
	for _, c := range v.Commands {
		if c.Decision == protocol.DecisionAllow {
			continue
		}
		found = true
		switch kind(c) {
		case protocol.KindRule:
			rule = true
		case protocol.KindDanger:
			heuristic = true
		}
	}
	if !found {
		heuristic = true
	}
	return rule, heuristic
}

// granularRefusal names the flag of a granular policy that refuses to
// ask about a command (a firm prompt of verdict v, or the model's
// escalation), or "" when the prompt may be put to the user.
func granularRefusal(g protocol.Granular, v protocol.PolicyVerdict, firm, escalate bool) string {
	if firm {
		rule, heuristic := promptKinds(v)
		if rule && !g.Rules {
			return FlagRules
		}
		if heuristic && !g.SandboxApproval {
			return FlagSandboxApproval
		}
	}
	if escalate && !g.SandboxApproval {
		return FlagSandboxApproval
	}
	return ""
}

// refusedByGranular is the refusal of a prompt the granular policy does
// not allow.
func refusedByGranular(flag string) string {
	return "approval_policy granular does not allow " + flag + " prompts"
}

// allowsSandboxPrompts reports whether prompts to leave the sandbox (or
// write outside it) may be put to the user under ap.
func allowsSandboxPrompts(ap protocol.AskForApproval) bool {
	if ap == protocol.ApprovalNever {
		return false
	}
	if g, ok := ap.Granular(); ok {
		return g.SandboxApproval
	}
	return true
}
