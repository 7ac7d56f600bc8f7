// Package approval is the one place that decides whether something the
// model proposes runs, is asked about, or is refused, and that keeps what
// the user approved (for the session, or for good as a rule). Every tool
// that acts goes through an Approver: shell commands (shell,
// exec_command, local_shell), apply_patch however it arrives, MCP tool
// calls, and the retry outside the sandbox after a sandbox denial.
// write_stdin is shown, never asked: the command it types into was
// approved when it started.
//
// The table (also in codex-agent/README.md):
//
//	approval_policy  command                              patch                  MCP tool             after a sandbox denial
//	untrusted        runs only a known-safe, non-writing  asks                   as on-request        asks to retry unsandboxed
//	                 command (a rule allows it); any
//	                 write, unknown command or
//	                 escalation asks
//	on-request       firm prompts and escalations ask;    asks outside the       asks if it needs     asks to retry unsandboxed
//	                 the rest runs sandboxed              writable roots         approval (tool.go)
//	on-failure       firm prompts ask; the rest runs      asks outside the       as on-request        asks to retry unsandboxed
//	                 sandboxed                            writable roots
//	never            firm prompts are refused (the model  refused outside the    refused if it needs  reports the failure
//	                 is told); the rest runs sandboxed    writable roots         approval, but runs
//	                                                                             under danger-full-
//	                                                                             access
//
// granular is on-request with some kinds of prompt refused (see
// granular.go). forbidden is always refused. A firm prompt is one a user's or project's
// rule asks for, or a danger heuristic (forced delete, push, pipe to
// shell); a prompt only because no rule knows the command is not firm.
package approval

import (
	"context"

	"github.com/codexgo/common/protocol"
)

// Policy judges a proposed command (the codex-execpolicy contract). The
// request carries the turn's writable roots (Roots), so that the same
// setting gives the same verdict however the session was set up.
type Policy interface {
	Check(ctx context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error)
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error)

// Check implements Policy.
func (f PolicyFunc) Check(ctx context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error) {
	return f(ctx, req)
}

// Action is what happens to a proposed command.
type Action int

// The actions.
const (
	// Run runs the command under the turn's sandbox.
	Run Action = iota
	// Ask asks the user first.
	Ask
	// Refuse does not run it; the model is told why.
	Refuse
)

func (a Action) String() string {
	switch a {
	case Run:
		return "run"
	case Ask:
		return "ask"
	}
	return "refuse"
}

// Decide applies approval_policy to a policy verdict: the table of the
// package documentation, for commands. escalate is the model's request to
// run outside the sandbox (sandbox_permissions "require_escalated").
// The reason explains an Ask or a Refuse.
func Decide(ap protocol.AskForApproval, v protocol.PolicyVerdict, escalate bool) (Action, string) {
	reason := v.Reason
	if reason == "" {
		reason = "the policy asks for approval"
	}
	if v.Decision == protocol.DecisionForbidden {
		r := v.Reason
		if r == "" {
			r = "forbidden by policy"
		}
		return Refuse, r
	}
	prompt := v.Decision != protocol.DecisionAllow
	firm := prompt && FirmPrompt(v)
	if g, ok := ap.Granular(); ok {
		// on-request, but a kind of prompt the policy does not allow is
		// refused.
		if flag := granularRefusal(g, v, firm, escalate); flag != "" {
			if !firm {
				reason = "the command asks to run outside the sandbox"
			}
			return Refuse, reason + "; " + refusedByGranular(flag)
		}
		ap = protocol.ApprovalOnRequest
	}
	switch ap {
	case protocol.ApprovalUntrusted:
		if prompt || !KnownSafe(v) {
			if v.Reason == "" || !prompt {
				reason = "untrusted: every command needs approval unless a rule allows it as known-safe and not writing"
			}
			return Ask, reason
		}
		if escalate {
			return Ask, "the command asks to run outside the sandbox"
		}
		return Run, ""
	case protocol.ApprovalNever:
		if firm {
			return Refuse, reason
		}
		return Run, ""
	case protocol.ApprovalOnFailure:
		if firm {
			return Ask, reason
		}
		return Run, ""
	default: // on-request
		if firm {
			return Ask, reason
		}
		if escalate {
			return Ask, "the command asks to run outside the sandbox"
		}
		return Run, ""
	}
}

// kind reads a command's kind; an empty one (an older or external
// policy) counts as unverified for an allow and as a rule for a prompt,
// so that a missing kind never weakens a verdict.
func kind(c protocol.ParsedCommand) protocol.CommandKind {
	if c.Kind != "" {
		return c.Kind
	}
	if c.Decision == protocol.DecisionAllow {
		return protocol.KindUnverified
	}
	return protocol.KindRule
}

// KnownSafe reports an allow verdict whose every command a rule allows
// as known-safe and not writing (the default policy's read-only uses), or
// that a user's rule allows: what untrusted runs without asking.
func KnownSafe(v protocol.PolicyVerdict) bool {
	if v.Decision != protocol.DecisionAllow || len(v.Commands) == 0 {
		return false
	}
	for _, c := range v.Commands {
		if c.Decision != protocol.DecisionAllow {
			return false
		}
		if k := kind(c); k != protocol.KindSafe && k != protocol.KindRule {
			return false
		}
	}
	return true
}

// FirmPrompt reports a prompt verdict that must be asked (or refused
// under never): one from a user's or project's rule or a danger
// heuristic, or one that names no command at all (the policy failed: be
// careful).
func FirmPrompt(v protocol.PolicyVerdict) bool {
	found := false
	for _, c := range v.Commands {
		if c.Decision == protocol.DecisionAllow {
			continue
		}
		found = true
		switch kind(c) {
		case protocol.KindRule, protocol.KindDanger:
			return true
		}
	}
	return !found
}
