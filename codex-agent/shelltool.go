package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/codexgo/common/protocol"
)

// outputForm is how a shell result is written back to the model.
type outputForm int

const (
	formExecCommand outputForm = iota // Chunk ID / Wall time / Process exited … (exec_command)
	formClassic                       // Exit code / Wall time / Output (shell, text form)
	formClassicJSON                   // {"output", "metadata"} (shell without freeform tools)
)

// shellCall is one requested command.
type shellCall struct {
	callID          string
	argv            []string
	workdir         string
	timeoutMS       int64
	escalate        bool
	justification   string
	maxOutputTokens int
	// yieldMS is exec_command's yield_time_ms (0: the default).
	yieldMS float64
	// tty asks for a terminal instead of pipes (exec_command).
	tty  bool
	form outputForm
	// prefixRule is the prefix the model proposes for "don't ask again".
	prefixRule []string
}

// DefaultShellTimeoutMS bounds a command that gave no timeout_ms.
const DefaultShellTimeoutMS = 10 * 60 * 1000

// shell runs one command through the policy, approvals and the sandbox,
// and returns the text for the model.
func (s *Session) shell(ctx context.Context, id string, cfg SessionConfig, c shellCall) string {
	cwd := cfg.Cwd
	if c.workdir != "" {
		if filepath.IsAbs(c.workdir) {
			cwd = filepath.Clean(c.workdir)
		} else {
			cwd = filepath.Join(cfg.Cwd, c.workdir)
		}
	}
	// A patch sent through the shell is applied by our engine instead.
	if text, ok := patchFromArgv(c.argv); ok {
		return s.applyPatch(ctx, id, cfg, c.callID, text, cwd)
	}
	verdict, err := cfg.Policy.Check(ctx, c.argv, cwd)
	if err != nil {
		verdict = protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Reason: "execpolicy failed: " + err.Error()}
	}
	parsed := verdict.Commands
	if verdict.Decision == protocol.DecisionForbidden {
		reason := verdict.Reason
		if reason == "" {
			reason = "forbidden by policy"
		}
		return s.decline(id, c, cwd, parsed, "execution forbidden by policy: "+reason)
	}
	ask, reason := needsApproval(cfg.ApprovalPolicy, verdict, c.escalate)
	sandbox := cfg.Sandbox
	if ask {
		if cfg.ApprovalPolicy == protocol.ApprovalNever {
			return s.decline(id, c, cwd, parsed, "approval required ("+reason+"), but approval_policy is never: command not run")
		}
		if !s.sessionApproved(c.argv, parsed) {
			if c.justification != "" {
				reason = c.justification
			}
			d := s.ask(ctx, id, c.callID, protocol.ExecApprovalRequestMsg{CallID: c.callID, Command: c.argv, Cwd: cwd, Reason: reason, ParsedCmd: parsed})
			switch d {
			case protocol.DecisionApproved:
				s.forgetRemember(c.callID)
			case protocol.DecisionApprovedForSession:
				if err := s.rememberApproval(c.callID, c.argv, parsed, c.prefixRule); err != nil {
					s.emit(id, protocol.ErrorMsg{Message: "remember approval: " + err.Error()})
				}
			case protocol.DecisionAbort:
				s.abortTurn()
				return s.decline(id, c, cwd, parsed, "command aborted by user")
			default:
				return s.decline(id, c, cwd, parsed, "command rejected by user")
			}
		}
		if c.escalate {
			sandbox = protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}
		}
	}
	res, agg, running, err := s.run(ctx, id, cfg, c, cwd, sandbox, parsed)
	if err != nil {
		return fmt.Sprintf("execution error: %v", err)
	}
	if running != "" {
		return running
	}
	if denied(res, sandbox) && cfg.ApprovalPolicy != protocol.ApprovalNever {
		d := s.ask(ctx, id, c.callID, protocol.ExecApprovalRequestMsg{CallID: c.callID, Command: c.argv, Cwd: cwd,
			Reason: "command failed in the sandbox; retry without sandbox?", ParsedCmd: parsed})
		if d == protocol.DecisionApprovedForSession {
			if err := s.rememberApproval(c.callID, c.argv, parsed, c.prefixRule); err != nil {
				s.emit(id, protocol.ErrorMsg{Message: "remember approval: " + err.Error()})
			}
		}
		switch d {
		case protocol.DecisionApproved, protocol.DecisionApprovedForSession:
			res, agg, running, err = s.run(ctx, id, cfg, c, cwd, protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, parsed)
			if err != nil {
				return fmt.Sprintf("execution error: %v", err)
			}
			if running != "" {
				return running
			}
		case protocol.DecisionAbort:
			s.abortTurn()
		}
	}
	return formatResult(c, res, agg, cfg.ToolOutputBytes)
}

func (s *Session) abortTurn() {
	s.mu.Lock()
	c := s.turnCancel
	s.mu.Unlock()
	if c != nil {
		c(errAborted)
	}
}

// needsApproval applies approval_policy to a verdict. A prompt verdict is
// "firm" when a rule the user wrote, or a danger heuristic, asks for it;
// otherwise it only means the policy could not verify the command, and
// (as in the Codex CLI, where on-request asks only for dangerous commands)
// the command runs under the configured sandbox unless the policy is
// untrusted.
func needsApproval(ap protocol.AskForApproval, v protocol.PolicyVerdict, escalate bool) (bool, string) {
	reason := v.Reason
	if reason == "" {
		reason = "the policy asks for approval"
	}
	prompt := v.Decision == protocol.DecisionPrompt
	switch ap {
	case protocol.ApprovalUntrusted:
		if prompt || !explicitAllow(v) {
			if v.Reason == "" || !prompt {
				reason = "untrusted: every command needs approval unless a rule allows it"
			}
			return true, reason
		}
		return escalate, "the command asks to run outside the sandbox"
	case protocol.ApprovalNever:
		return prompt && firmPrompt(v), reason
	default: // on-request, on-failure
		if prompt && firmPrompt(v) {
			return true, reason
		}
		if escalate && ap == protocol.ApprovalOnRequest {
			return true, "the command asks to run outside the sandbox"
		}
		return false, ""
	}
}

// explicitAllow reports an allow that a policy rule gave, not a default.
func explicitAllow(v protocol.PolicyVerdict) bool {
	if v.Decision != protocol.DecisionAllow || len(v.Commands) == 0 {
		return false
	}
	for _, c := range v.Commands {
		if c.Rule == "" || c.Rule == "default" || strings.HasPrefix(c.Rule, "default:") {
			return false
		}
	}
	return true
}

// dangerRules are execpolicy heuristics whose prompt is a real warning,
// not a lack of knowledge: forced deletes (the Codex CLI asks only for
// those by default), pushes, raw disk writes, deletes through find,
// downloads piped to a shell, risky loader variables.
var dangerRules = map[string]bool{
	"builtin:rm-force": true, "builtin:rm-critical": true, "builtin:rm-no-preserve-root": true,
	"builtin:git-force-push": true, "builtin:git-push": true, "builtin:disk-write": true, "builtin:dd": true,
	"builtin:fork-bomb": true, "builtin:pipe-to-shell": true, "builtin:download-exec": true,
	"builtin:find-delete": true, "builtin:risky-env": true,
}

// firmPrompt reports a prompt verdict that must be asked (or refused
// under never): one from a user's rule file or a danger heuristic, or one
// that names no command at all (the policy failed: be careful).
func firmPrompt(v protocol.PolicyVerdict) bool {
	found := false
	for _, c := range v.Commands {
		if c.Decision != protocol.DecisionPrompt {
			continue
		}
		found = true
		r := c.Rule
		switch {
		case r == "" || r == "default" || strings.HasPrefix(r, "default:") || strings.HasPrefix(r, "default.policy:"):
		case strings.HasPrefix(r, "builtin:"):
			if dangerRules[r] {
				return true
			}
		default:
			return true
		}
	}
	return !found
}

// denied reports a command the sandbox probably stopped.
func denied(res protocol.ExecResult, sp protocol.SandboxPolicy) bool {
	if sp.Mode == protocol.SandboxDangerFullAccess || res.ExitCode == 0 || res.TimedOut {
		return false
	}
	if res.Sandbox != nil {
		if res.Sandbox.Denied {
			return true
		}
		if res.Sandbox.Mechanism == "none" || res.Sandbox.Mechanism == "" {
			return false
		}
	} else {
		return false
	}
	for _, k := range []string{"Permission denied", "Read-only file system", "Operation not permitted"} {
		if strings.Contains(res.Stderr, k) {
			return true
		}
	}
	return false
}

// decline reports a command that will not run: a begin/end pair whose end
// has ExitCode -1 (JSONL status "declined") and the reason as stderr.
func (s *Session) decline(id string, c shellCall, cwd string, parsed []protocol.ParsedCommand, reason string) string {
	s.emit(id, protocol.ExecCommandBeginMsg{CallID: c.callID, Command: c.argv, Cwd: cwd, ParsedCmd: parsed})
	s.emit(id, protocol.ExecCommandEndMsg{CallID: c.callID, Stderr: reason, AggregatedOutput: reason, ExitCode: DeclinedExitCode,
		FormattedOutput: reason, Status: protocol.ExecDeclined})
	return reason
}

// DeclinedExitCode is the exit_code of an exec_command_end for a command
// that never ran (forbidden by policy, or approval denied), whose status
// is protocol.ExecDeclined.
const DeclinedExitCode = -1

// EndStatus is how an exec_command_end's command ended: its Status, or
// for an event without one (an older agent) what its exit code says.
func EndStatus(e protocol.ExecCommandEndMsg) protocol.ExecCommandStatus {
	switch {
	case e.Status != "":
		return e.Status
	case e.ExitCode == DeclinedExitCode:
		return protocol.ExecDeclined
	case e.ExitCode == 0:
		return protocol.ExecCompleted
	}
	return protocol.ExecFailed
}

// run runs the command: to its end for the classic forms (execute), and
// for exec_command until it ends or its yield time is up, when running is
// the model's text for a session still going.
func (s *Session) run(ctx context.Context, id string, cfg SessionConfig, c shellCall, cwd string, sp protocol.SandboxPolicy, parsed []protocol.ParsedCommand) (res protocol.ExecResult, agg, running string, err error) {
	if c.form != formExecCommand {
		res, agg, err = s.execute(ctx, id, cfg, c, cwd, sp, parsed)
		return res, agg, "", err
	}
	start := time.Now()
	p := s.startProc(id, cfg, c, cwd, sp, parsed)
	ended := p.wait(ctx, id, clampYield(c.yieldMS, defaultExecYieldMS, minYieldMS, maxYieldMS))
	if !ended && ctx.Err() != nil {
		// Interrupted before it yielded: the command ends with the turn.
		p.kill()
		<-p.done
		ended = true
	}
	if !ended {
		return res, "", runningOutput(p.id, time.Since(start), p.drain(), c.maxOutputTokens, cfg.ToolOutputBytes), nil
	}
	s.procs.remove(p.id)
	agg = p.drain()
	p.mu.Lock()
	res, err = p.res, p.err
	p.mu.Unlock()
	if res.Error != "" && agg == "" {
		agg = res.Error + "\n"
	}
	return res, agg, "", err
}

// execute runs the command, streaming output events.
func (s *Session) execute(ctx context.Context, id string, cfg SessionConfig, c shellCall, cwd string, sp protocol.SandboxPolicy, parsed []protocol.ParsedCommand) (protocol.ExecResult, string, error) {
	s.emit(id, protocol.ExecCommandBeginMsg{CallID: c.callID, Command: c.argv, Cwd: cwd, ParsedCmd: parsed})
	timeout := c.timeoutMS
	if timeout <= 0 {
		timeout = DefaultShellTimeoutMS
	}
	req := protocol.ExecRequest{Argv: c.argv, Cwd: cwd, Env: cfg.Env, SandboxPolicy: sp, TimeoutMS: timeout,
		MaxOutputBytes: DefaultMaxOutputBytes}
	runner := cfg.Runner
	if sp.Mode == protocol.SandboxDangerFullAccess {
		runner = cfg.Unsandboxed
	}
	var mu sync.Mutex
	agg := &capBuffer{max: DefaultMaxOutputBytes}
	res, err := runner.Run(ctx, req, func(stream string, chunk []byte) {
		mu.Lock()
		agg.Write(chunk)
		mu.Unlock()
		s.emit(id, protocol.ExecCommandOutputDeltaMsg{CallID: c.callID, Stream: stream, Chunk: chunk})
	})
	mu.Lock()
	aggregated := agg.String()
	mu.Unlock()
	if err != nil && ctx.Err() == nil {
		s.emit(id, endMsg(c.callID, res, err, aggregated, timeout))
		return res, aggregated, err
	}
	end := endMsg(c.callID, res, nil, aggregated, timeout)
	if err != nil {
		end.Status = protocol.ExecFailed
	}
	s.emit(id, end)
	aggregated = end.AggregatedOutput
	return res, aggregated, nil
}

// formatResult renders a command result in the tool's output format.
func formatResult(c shellCall, res protocol.ExecResult, agg string, capBytes int) string {
	secs := float64(res.DurationMS) / 1000
	switch c.form {
	case formExecCommand:
		return exitedOutput(res.ExitCode, time.Duration(res.DurationMS)*time.Millisecond, agg, c.maxOutputTokens, capBytes)
	case formClassicJSON:
		limit := capBytes
		if limit <= 0 {
			limit = 40000
		}
		out, _ := trimOutput(agg, limit)
		b, _ := json.Marshal(map[string]any{"output": out, "metadata": map[string]any{
			"exit_code": res.ExitCode, "duration_seconds": float64(int(secs*10+0.5)) / 10}})
		return string(b)
	}
	limit := capBytes
	if limit <= 0 {
		limit = 40000
	}
	out, truncated := trimOutput(agg, limit)
	var b strings.Builder
	fmt.Fprintf(&b, "Exit code: %d\nWall time: %.1f seconds\n", res.ExitCode, secs)
	if truncated {
		fmt.Fprintf(&b, "Total output lines: %d\n", strings.Count(agg, "\n"))
	}
	b.WriteString("Output:\n")
	b.WriteString(out)
	return b.String()
}

// patchFromArgv recognises apply_patch invoked through the shell:
// ["apply_patch", PATCH] or a shell script "apply_patch <<'EOF' … EOF".
func patchFromArgv(argv []string) (string, bool) {
	if len(argv) == 2 && (argv[0] == "apply_patch" || argv[0] == "applypatch") {
		return argv[1], true
	}
	if len(argv) == 3 && isShell(argv[0]) && (argv[1] == "-lc" || argv[1] == "-c") {
		script := strings.TrimSpace(argv[2])
		for _, name := range []string{"apply_patch", "applypatch"} {
			if strings.HasPrefix(script, name) && strings.Contains(script, "*** Begin Patch") {
				rest := strings.TrimSpace(script[len(name):])
				if strings.HasPrefix(rest, "<<") {
					return rest, true
				}
			}
		}
	}
	return "", false
}
