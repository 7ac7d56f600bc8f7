package approval

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
)

// Answer is the user's answer to an approval request: the decision, and
// whether an approved_for_session answer should also be written as a rule
// for good ("approve and remember", exec_approval's remember).
type Answer struct {
	Decision protocol.ReviewDecision
	Remember bool
	// Content is an accepted elicitation's form content.
	Content json.RawMessage
}

// Asker puts an approval request (an ExecApprovalRequestMsg or an
// ApplyPatchApprovalRequestMsg) to the user and waits for the answer; a
// cancelled ctx answers abort. The session implements it with events and
// the exec_approval / patch_approval ops.
type Asker func(ctx context.Context, callID string, req protocol.Msg) Answer

// Turn is what a decision needs to know of the running turn.
type Turn struct {
	Approval protocol.AskForApproval
	Sandbox  protocol.SandboxPolicy
	// Cwd is the turn's working directory (the workspace root).
	Cwd string
	// Env is the commands' environment (its TMPDIR is writable).
	Env map[string]string
	// Ask asks the user; nil means nobody can be asked (a prompt is then
	// refused).
	Ask Asker
}

// Config builds an Approver.
type Config struct {
	// Policy judges commands; nil means Fallback.
	Policy Policy
	// RulesFile is where "approve and remember" appends allow rules: it
	// must be $CODEX_HOME/rules/default.rules; empty disables
	// remembering. A Policy with a Reload() error method is reloaded
	// after a rule is written.
	RulesFile string
}

// Approver owns a session's approval state (commands, patch paths and
// tools approved for the session; rules remembered for good) and runs the
// ask / decline / escalate flow for every tool that acts. Safe for
// concurrent use.
type Approver struct {
	policy    Policy
	rulesFile string

	mu sync.Mutex
	// approved are exact argvs approved for the session; sessionRules the
	// command prefixes.
	approved     map[string]bool
	sessionRules [][]string
	// tools are external tool keys approved for the session.
	tools map[string]bool
	// paths are files patches may write without asking again.
	paths map[string]bool
}

// New returns an Approver with no approvals yet.
func New(c Config) *Approver {
	if c.Policy == nil {
		c.Policy = Fallback{}
	}
	return &Approver{policy: c.Policy, rulesFile: c.RulesFile, approved: map[string]bool{}, tools: map[string]bool{}, paths: map[string]bool{}}
}

// Policy returns the policy commands are judged by.
func (a *Approver) Policy() Policy { return a.policy }

// Command is one command the model proposes.
type Command struct {
	CallID string
	Argv   []string
	// Cwd is where it runs (the turn's cwd or the call's workdir).
	Cwd string
	// Escalate is the model's request to run outside the sandbox.
	Escalate      bool
	Justification string
	// PrefixRule is the prefix the model proposes for "don't ask again".
	PrefixRule []string
}

// Outcome is the approver's answer about a command.
type Outcome struct {
	// Run says the command runs, under Sandbox.
	Run     bool
	Sandbox protocol.SandboxPolicy
	// Verdict is the policy's verdict (its Commands are the parsed
	// command to report).
	Verdict protocol.PolicyVerdict
	// Refusal is what the model is told when it does not run.
	Refusal string
	// Abort says the user aborted the turn (end it).
	Abort bool
	// Asked says the user was asked.
	Asked bool
	// Warning is a non-fatal failure to report (a rule that could not be
	// remembered).
	Warning error
}

// Request returns the policy request for a command in a turn: the
// turn's writable roots go with it, the same roots whatever set the
// sandbox up (config.toml, a flag, a user_turn, an override).
func Request(t Turn, argv []string, cwd string) protocol.PolicyRequest {
	return protocol.PolicyRequest{Argv: argv, Cwd: cwd, WritableRoots: Roots(t)}
}

// Roots are the folders commands and patches of the turn may write in
// without asking: none under read-only, everything ("/") under
// danger-full-access, and under workspace-write the cwd, the extra
// writable roots, /tmp and $TMPDIR (unless excluded).
func Roots(t Turn) []string {
	return sandboxpolicy.WritableRoots(t.Sandbox, t.Cwd, func(k string) string { return t.Env[k] })
}

// Command decides about a proposed command: judged by the policy with the
// turn's roots, then run, refused, or asked about (unless an earlier
// answer approved it for the session). An approved escalation runs
// outside the sandbox.
func (a *Approver) Command(ctx context.Context, t Turn, c Command) Outcome {
	v, err := a.policy.Check(ctx, Request(t, c.Argv, c.Cwd))
	if err != nil {
		v = protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Reason: "execpolicy failed: " + err.Error()}
	}
	out := Outcome{Verdict: v, Sandbox: t.Sandbox}
	act, reason := Decide(t.Approval, v, c.Escalate)
	switch act {
	case Run:
		out.Run = true
		return out
	case Refuse:
		_, granular := t.Approval.Granular()
		switch {
		case v.Decision == protocol.DecisionForbidden:
			out.Refusal = "execution forbidden by policy: " + reason
		case granular:
			out.Refusal = "approval required (" + reason + "): command not run"
		default:
			out.Refusal = "approval required (" + reason + "), but approval_policy is never: command not run"
		}
		return out
	}
	if t.Approval == protocol.ApprovalNever || t.Ask == nil {
		out.Refusal = "approval required (" + reason + "), but approval_policy is never: command not run"
		return out
	}
	if !a.sessionApproved(c.Argv, v.Commands) {
		if c.Justification != "" {
			reason = c.Justification
		}
		ans := t.Ask(ctx, c.CallID, protocol.ExecApprovalRequestMsg{CallID: c.CallID, Command: c.Argv, Cwd: c.Cwd, Reason: reason, ParsedCmd: v.Commands})
		out.Asked = true
		switch ans.Decision {
		case protocol.DecisionApproved:
		case protocol.DecisionApprovedForSession:
			out.Warning = a.Remember(c, v.Commands, ans.Remember)
		case protocol.DecisionAbort:
			out.Abort, out.Refusal = true, "command aborted by user"
			return out
		default:
			out.Refusal = "command rejected by user"
			return out
		}
	}
	out.Run = true
	if c.Escalate {
		out.Sandbox = protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}
	}
	return out
}

// Retry decides, after the sandbox denied a command, whether to run it
// again outside the sandbox: asked under every policy but never (where
// the failure is reported as it is). Outcome.Run means retry unsandboxed.
func (a *Approver) Retry(ctx context.Context, t Turn, c Command, v protocol.PolicyVerdict) Outcome {
	out := Outcome{Verdict: v, Sandbox: protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}}
	if !allowsSandboxPrompts(t.Approval) || t.Ask == nil {
		return out
	}
	ans := t.Ask(ctx, c.CallID, protocol.ExecApprovalRequestMsg{CallID: c.CallID, Command: c.Argv, Cwd: c.Cwd,
		Reason: "command failed in the sandbox; retry without sandbox?", ParsedCmd: v.Commands})
	out.Asked = true
	switch ans.Decision {
	case protocol.DecisionApproved:
		out.Run = true
	case protocol.DecisionApprovedForSession:
		out.Run = true
		out.Warning = a.Remember(c, v.Commands, ans.Remember)
	case protocol.DecisionAbort:
		out.Abort = true
	}
	return out
}

// Denied reports a command result the sandbox probably caused: a failure
// under a sandbox that says it denied something, or whose stderr says
// permission was denied.
func Denied(res protocol.ExecResult, sp protocol.SandboxPolicy) bool {
	if sp.Mode == protocol.SandboxDangerFullAccess || res.ExitCode == 0 || res.TimedOut || res.Sandbox == nil {
		return false
	}
	if res.Sandbox.Denied {
		return true
	}
	if res.Sandbox.Mechanism == "none" || res.Sandbox.Mechanism == "" {
		return false
	}
	for _, k := range []string{"Permission denied", "Read-only file system", "Operation not permitted"} {
		if strings.Contains(res.Stderr, k) {
			return true
		}
	}
	return false
}

// Patch decides about a patch that writes paths (absolute; a rename
// writes both ends). inRoots says every path is inside the writable roots
// and none is protected (see Writable). Under untrusted every patch asks.
func (a *Approver) Patch(ctx context.Context, t Turn, callID string, paths []string, inRoots bool, changes map[string]protocol.FileChange) Outcome {
	out := Outcome{Sandbox: t.Sandbox}
	auto := inRoots && t.Approval != protocol.ApprovalUntrusted
	if !auto && a.pathsApproved(paths) {
		auto = true
	}
	if auto {
		out.Run = true
		return out
	}
	if !allowsSandboxPrompts(t.Approval) || t.Ask == nil {
		out.Refusal = "patch rejected: it writes outside the writable roots and approval_policy is never"
		if _, ok := t.Approval.Granular(); ok {
			out.Refusal = "patch rejected: it writes outside the writable roots and " + refusedByGranular(FlagSandboxApproval)
		}
		return out
	}
	reason := "the patch writes outside the writable roots"
	if inRoots {
		reason = "untrusted: every patch needs approval"
	}
	ans := t.Ask(ctx, callID, protocol.ApplyPatchApprovalRequestMsg{CallID: callID, Changes: changes, Reason: reason})
	out.Asked = true
	switch ans.Decision {
	case protocol.DecisionApproved:
		out.Run = true
	case protocol.DecisionApprovedForSession:
		out.Run = true
		a.mu.Lock()
		for _, p := range paths {
			a.paths[p] = true
		}
		a.mu.Unlock()
	case protocol.DecisionAbort:
		out.Abort, out.Refusal = true, "patch rejected by user"
	default:
		out.Refusal = "patch rejected by user"
	}
	return out
}

func (a *Approver) pathsApproved(paths []string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range paths {
		if !a.paths[p] {
			return false
		}
	}
	return len(paths) > 0
}
