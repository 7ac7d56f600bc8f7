package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/runner"
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
func (s *Registry) shell(ctx context.Context, id string, cfg Turn, c shellCall) string {
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
	t := s.turn(id, cfg)
	cmd := approval.Command{CallID: c.callID, Argv: c.argv, Cwd: cwd, Escalate: c.escalate,
		Justification: c.justification, PrefixRule: c.prefixRule}
	o := s.approver.Command(ctx, t, cmd)
	parsed := o.Verdict.Commands
	if o.Warning != nil {
		s.emit(id, protocol.ErrorMsg{Message: "remember approval: " + o.Warning.Error()})
	}
	if o.Abort {
		s.abortTurn()
	}
	if !o.Run {
		return s.decline(id, c, cwd, parsed, o.Refusal)
	}
	sandbox := o.Sandbox
	res, agg, running, err := s.run(ctx, id, cfg, c, cwd, sandbox, parsed)
	if err != nil {
		return fmt.Sprintf("execution error: %v", err)
	}
	if running != "" {
		return running
	}
	if approval.Denied(res, sandbox) {
		r := s.approver.Retry(ctx, t, cmd, o.Verdict)
		if r.Warning != nil {
			s.emit(id, protocol.ErrorMsg{Message: "remember approval: " + r.Warning.Error()})
		}
		if r.Abort {
			s.abortTurn()
		}
		if r.Run {
			res, agg, running, err = s.run(ctx, id, cfg, c, cwd, r.Sandbox, parsed)
			if err != nil {
				return fmt.Sprintf("execution error: %v", err)
			}
			if running != "" {
				return running
			}
		}
	}
	out := formatResult(c, res, agg, cfg.ToolOutputBytes)
	if res.Sandbox != nil && res.Sandbox.NetworkHint != "" {
		// A DNS or connect failure with the network off: say why, to the
		// user and to the model, rather than let it retry for minutes.
		s.emit(id, protocol.BackgroundEventMsg{Message: res.Sandbox.NetworkHint})
		out += "\nNote: " + res.Sandbox.NetworkHint
	}
	return out
}

// decline reports a command that will not run: a begin/end pair whose end
// has ExitCode -1 (JSONL status "declined") and the reason as stderr.
func (s *Registry) decline(id string, c shellCall, cwd string, parsed []protocol.ParsedCommand, reason string) string {
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
func (s *Registry) run(ctx context.Context, id string, cfg Turn, c shellCall, cwd string, sp protocol.SandboxPolicy, parsed []protocol.ParsedCommand) (res protocol.ExecResult, agg output, running string, err error) {
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
		return res, output{}, runningOutput(p.id, time.Since(start), p.drain(), c.maxOutputTokens, cfg.ToolOutputBytes), nil
	}
	s.procs.remove(p.id)
	agg = p.drain()
	p.mu.Lock()
	res, err = p.res, p.err
	p.mu.Unlock()
	if res.Error != "" && agg.text == "" {
		agg = plainOutput(res.Error + "\n")
	}
	return res, agg, "", err
}

// execute runs the command, streaming output events.
func (s *Registry) execute(ctx context.Context, id string, cfg Turn, c shellCall, cwd string, sp protocol.SandboxPolicy, parsed []protocol.ParsedCommand) (protocol.ExecResult, output, error) {
	s.emit(id, protocol.ExecCommandBeginMsg{CallID: c.callID, Command: c.argv, Cwd: cwd, ParsedCmd: parsed})
	timeout := c.timeoutMS
	if timeout <= 0 {
		timeout = DefaultShellTimeoutMS
	}
	req := protocol.ExecRequest{Argv: c.argv, Cwd: cwd, Env: cfg.Env, SandboxPolicy: sp, TimeoutMS: timeout,
		MaxOutputBytes: runner.DefaultMaxOutputBytes}
	rn := cfg.Runner
	if sp.Mode == protocol.SandboxDangerFullAccess {
		rn = cfg.Unsandboxed
	}
	var mu sync.Mutex
	agg := runner.NewCapBuffer(runner.DefaultMaxOutputBytes)
	lines := 0
	res, err := rn.Run(ctx, req, func(stream string, chunk []byte) {
		mu.Lock()
		agg.Write(chunk)
		lines += bytes.Count(chunk, []byte("\n"))
		mu.Unlock()
		s.emit(id, protocol.ExecCommandOutputDeltaMsg{CallID: c.callID, Stream: stream, Chunk: chunk})
	})
	mu.Lock()
	aggregated := agg.String()
	total := agg.Total()
	mu.Unlock()
	if err != nil && ctx.Err() == nil {
		s.emit(id, endMsg(c.callID, res, err, aggregated, timeout))
		return res, output{text: aggregated, total: total, lines: lines}, err
	}
	end := endMsg(c.callID, res, nil, aggregated, timeout)
	if err != nil {
		end.Status = protocol.ExecFailed
	}
	s.emit(id, end)
	// The end may add a note (a timeout) to what the command printed.
	out := output{text: end.AggregatedOutput, total: total + len(end.AggregatedOutput) - len(aggregated), lines: lines}
	return res, out, nil
}

// formatResult renders a command result in the tool's output format.
func formatResult(c shellCall, res protocol.ExecResult, agg output, capBytes int) string {
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
		fmt.Fprintf(&b, "Total output lines: %d\n", agg.lines)
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
