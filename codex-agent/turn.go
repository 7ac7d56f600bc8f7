package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
)

// runTurn runs one user turn: sample, run the tool calls, sample again,
// until the model answers without calling tools.
func (s *Session) runTurn(ctx context.Context, id string, op protocol.Op) {
	if _, ok := op.(protocol.CompactOp); ok {
		s.compactTask(ctx, id)
		return
	}
	var items []protocol.InputItem
	switch o := op.(type) {
	case protocol.UserInputOp:
		items = o.Items
	case protocol.UserTurnOp:
		items = o.Items
		s.mu.Lock()
		s.applyTurnSettings(o.Cwd, o.ApprovalPolicy, o.SandboxPolicy, o.Model, o.Effort, o.Summary)
		s.mu.Unlock()
	}
	s.mu.Lock()
	s.turnFiles, s.turnOrder = nil, nil
	s.mu.Unlock()
	cfg := s.settings()
	s.emit(id, protocol.TaskStartedMsg{ModelContextWindow: cfg.ContextWindow})
	if cfg.Recorder != nil {
		cfg.Recorder.TurnContext(cfg)
	}
	s.mu.Lock()
	fresh := len(s.history) == 0
	s.mu.Unlock()
	if fresh {
		s.appendHistory(cfg.InitialContext...)
	}
	s.appendHistory(userItem(items))
	last := ""
	for {
		cfg = s.settings()
		s.maybeAutoCompact(ctx, id, cfg)
		outItems, usage, err := s.sample(ctx, id, cfg)
		if ctx.Err() != nil {
			s.emit(id, protocol.TurnAbortedMsg{Reason: "interrupted"})
			return
		}
		if err != nil {
			s.emit(id, protocol.ErrorMsg{Message: err.Error()})
			s.emit(id, protocol.TaskCompleteMsg{LastAgentMessage: last})
			return
		}
		s.appendHistory(outItems...)
		var calls []model.Item
		for _, it := range outItems {
			switch it.Type {
			case "message":
				if it.Role == "assistant" || it.Role == "" {
					last = it.Text()
					s.emit(id, protocol.AgentMessageMsg{Message: last})
				}
			case "reasoning":
				if t := it.SummaryText(); t != "" {
					s.emit(id, protocol.AgentReasoningMsg{Text: t})
				}
			case "function_call", "custom_tool_call", "local_shell_call":
				calls = append(calls, it)
			case "web_search_call":
				// Done on the server: nothing to run, only to report.
				s.emit(id, protocol.WebSearchEndMsg{CallID: it.ID, Query: it.SearchQuery(), Action: it.Action})
			}
		}
		if usage != nil {
			s.addUsage(id, *usage, cfg.ContextWindow)
		}
		if len(calls) == 0 {
			if cfg.EndCommandsWithTurn {
				s.procs.closeAll(false)
			}
			s.emit(id, protocol.TaskCompleteMsg{LastAgentMessage: last})
			if cfg.OnTurnComplete != nil {
				var inputs []string
				for _, in := range items {
					if in.Type == "text" {
						inputs = append(inputs, in.Text)
					}
				}
				cfg.OnTurnComplete(TurnComplete{ThreadID: cfg.ThreadID, TurnID: id, Cwd: cfg.Cwd, Inputs: inputs, LastMessage: last})
			}
			return
		}
		outputs := s.runCalls(ctx, id, cfg, calls)
		s.appendHistory(outputs...)
		// Images view_image attached follow the outputs, as a user message.
		s.mu.Lock()
		injected := s.injected
		s.injected = nil
		s.mu.Unlock()
		s.appendHistory(injected...)
		if ctx.Err() != nil {
			s.emit(id, protocol.TurnAbortedMsg{Reason: "interrupted"})
			return
		}
	}
}

func (s *Session) addUsage(id string, u model.Usage, window int64) {
	last := protocol.TokenUsage{InputTokens: u.InputTokens, CachedInputTokens: u.Cached(),
		OutputTokens: u.OutputTokens, ReasoningOutputTokens: u.Reasoning(), TotalTokens: u.TotalTokens}
	s.mu.Lock()
	s.usage.InputTokens += last.InputTokens
	s.usage.CachedInputTokens += last.CachedInputTokens
	s.usage.OutputTokens += last.OutputTokens
	s.usage.ReasoningOutputTokens += last.ReasoningOutputTokens
	s.usage.TotalTokens += last.TotalTokens
	total := s.usage
	s.contextTokens = last.TotalTokens
	s.mu.Unlock()
	var remaining int64
	if window > 0 {
		remaining = max(window-last.TotalTokens, 0)
	}
	s.emit(id, protocol.TokenCountMsg{TotalTokenUsage: total, LastTokenUsage: last, ModelContextWindow: window,
		ContextWindowRemaining: remaining})
}

// sample runs one model request with stream-level retries and returns
// the completed output items.
func (s *Session) sample(ctx context.Context, id string, cfg SessionConfig) ([]model.Item, *model.Usage, error) {
	s.mu.Lock()
	input := append([]model.Item(nil), s.history...)
	s.mu.Unlock()
	tools := cfg.Tools.Specs()
	for _, x := range cfg.External {
		tools = append(tools, x.Specs()...)
	}
	req := &model.Request{
		Model: cfg.Model, Instructions: cfg.Instructions, Input: input, Tools: tools,
		ParallelToolCalls: true, Reasoning: cfg.Reasoning, Text: cfg.Text, PromptCacheKey: cfg.ThreadID,
		Headers: cfg.Headers,
	}
	var (
		out   []model.Item
		usage *model.Usage
	)
	err := model.Run(ctx, cfg.Client, req, cfg.Retry, func(ev model.StreamEvent) {
		switch ev.Kind {
		case model.EventTextDelta:
			s.emit(id, protocol.AgentMessageDeltaMsg{Delta: ev.Delta})
		case model.EventReasoningDelta:
			s.emit(id, protocol.AgentReasoningDeltaMsg{Delta: ev.Delta})
		case model.EventItemAdded:
			if ev.Item != nil && ev.Item.Type == "web_search_call" {
				s.emit(id, protocol.WebSearchBeginMsg{CallID: ev.Item.ID})
			}
		case model.EventItemDone:
			out = append(out, *ev.Item)
		case model.EventCompleted:
			usage = ev.Usage
		}
	}, func(n, max int, err error) {
		out, usage = nil, nil
		s.emit(id, protocol.StreamErrorMsg{Message: fmt.Sprintf("Reconnecting... %d/%d (%s)", n, max, err.Error())})
	})
	return out, usage, err
}

// runCalls runs the tool calls of one response, one after the other in
// the model's order, so that their events never interleave and a later
// call sees the effects of an earlier one.
func (s *Session) runCalls(ctx context.Context, id string, cfg SessionConfig, calls []model.Item) []model.Item {
	outs := make([]model.Item, len(calls))
	for i, c := range calls {
		outs[i] = s.handleCall(ctx, id, cfg, c)
	}
	return outs
}

// handleCall runs one tool call and builds its output item.
func (s *Session) handleCall(ctx context.Context, id string, cfg SessionConfig, c model.Item) model.Item {
	reply := func(text string) model.Item {
		if c.Type == "custom_tool_call" {
			return model.CustomOutput(c.CallID, text)
		}
		return model.FunctionOutput(c.CallID, text)
	}
	if ctx.Err() != nil {
		return reply("aborted")
	}
	switch {
	case c.Type == "custom_tool_call" && c.Name == "apply_patch":
		return reply(s.applyPatch(ctx, id, cfg, c.CallID, c.Input, cfg.Cwd))
	case c.Type == "custom_tool_call":
		if out, ok := s.external(ctx, id, cfg, c); ok {
			return out
		}
		return reply("unsupported custom tool call: " + c.Name)
	case c.Type == "local_shell_call":
		var a struct {
			Command   []string          `json:"command"`
			Workdir   string            `json:"workdir"`
			TimeoutMS float64           `json:"timeout_ms"`
			Env       map[string]string `json:"env"`
		}
		if err := json.Unmarshal(c.Action, &a); err != nil || len(a.Command) == 0 {
			return reply("failed to parse local_shell_call action: " + errText(err, "empty command"))
		}
		form := formClassic
		if !cfg.Tools.FreeformPatch {
			form = formClassicJSON
		}
		return reply(s.shell(ctx, id, cfg, shellCall{callID: c.CallID, argv: a.Command, workdir: a.Workdir,
			timeoutMS: int64(a.TimeoutMS), form: form}))
	}
	switch c.Name {
	case "exec_command":
		var a execCommandArgs
		if err := json.Unmarshal([]byte(c.Arguments), &a); err != nil || a.Cmd == "" {
			return reply("failed to parse function arguments: " + errText(err, "missing field `cmd`"))
		}
		sh := a.Shell
		if sh == "" {
			sh = "/bin/bash"
		}
		flag := "-lc"
		if a.Login != nil && !*a.Login {
			flag = "-c"
		}
		return reply(s.shell(ctx, id, cfg, shellCall{callID: c.CallID, argv: []string{sh, flag, a.Cmd}, workdir: a.Workdir,
			escalate: a.SandboxPermissions == "require_escalated", justification: a.Justification,
			maxOutputTokens: int(a.MaxOutputTokens), yieldMS: a.YieldTimeMS, tty: a.TTY, form: formExecCommand, prefixRule: a.PrefixRule}))
	case "write_stdin":
		var a writeStdinArgs
		if err := json.Unmarshal([]byte(c.Arguments), &a); err != nil {
			return reply("failed to parse function arguments: " + err.Error())
		}
		return reply(s.writeStdin(ctx, id, cfg, a))
	case "shell", "container.exec", "shell_command":
		var a shellArgs
		if err := json.Unmarshal([]byte(c.Arguments), &a); err != nil {
			return reply("failed to parse function arguments: " + err.Error())
		}
		var argv []string
		var script string
		if json.Unmarshal(a.Command, &argv) != nil {
			if json.Unmarshal(a.Command, &script) != nil || script == "" {
				return reply("failed to parse function arguments: missing field `command`")
			}
			flag := "-lc"
			if a.Login != nil && !*a.Login {
				flag = "-c"
			}
			argv = []string{"/bin/bash", flag, script}
		}
		if len(argv) == 0 {
			return reply("failed to parse function arguments: empty command")
		}
		form := formClassic
		if !cfg.Tools.FreeformPatch {
			form = formClassicJSON
		}
		return reply(s.shell(ctx, id, cfg, shellCall{callID: c.CallID, argv: argv, workdir: a.Workdir,
			timeoutMS: int64(a.TimeoutMS), escalate: a.SandboxPermissions == "require_escalated",
			justification: a.Justification, form: form}))
	case "apply_patch":
		var a struct {
			Input string `json:"input"`
		}
		if err := json.Unmarshal([]byte(c.Arguments), &a); err != nil || a.Input == "" {
			return reply("failed to parse function arguments: " + errText(err, "missing field `input`"))
		}
		return reply(s.applyPatch(ctx, id, cfg, c.CallID, a.Input, cfg.Cwd))
	case "view_image":
		if !cfg.Tools.ViewImage {
			return reply("unsupported call: view_image")
		}
		var a struct {
			Path string `json:"path"`
		}
		if err := json.Unmarshal([]byte(c.Arguments), &a); err != nil || a.Path == "" {
			return reply("failed to parse function arguments: " + errText(err, "missing field `path`"))
		}
		return reply(s.viewImage(cfg, a.Path))
	case "update_plan":
		if !cfg.Tools.Plan {
			return reply("unsupported call: update_plan")
		}
		var a planArgs
		if err := json.Unmarshal([]byte(c.Arguments), &a); err != nil {
			return reply("failed to parse function arguments: " + err.Error())
		}
		m := protocol.PlanUpdateMsg{Explanation: a.Explanation, Plan: []protocol.PlanItem{}}
		for _, p := range a.Plan {
			m.Plan = append(m.Plan, protocol.PlanItem{Step: p.Step, Status: p.Status})
		}
		s.emit(id, m)
		return reply("Plan updated")
	}
	if out, ok := s.external(ctx, id, cfg, c); ok {
		return out
	}
	return reply("unsupported call: " + qualifiedName(c))
}

// external routes a call to the external tool that owns it.
func (s *Session) external(ctx context.Context, id string, cfg SessionConfig, c model.Item) (model.Item, bool) {
	emit := func(m protocol.Msg) { s.emit(id, m) }
	for _, x := range cfg.External {
		if ax, ok := x.(ApprovingTool); ok {
			env := ToolEnv{Emit: emit, ApprovalPolicy: cfg.ApprovalPolicy, Cwd: cfg.Cwd,
				Approve: func(key string, readOnly bool, req protocol.ExecApprovalRequestMsg) approval.Outcome {
					o := s.approver.Tool(ctx, s.turn(id, cfg), key, readOnly, req)
					if o.Abort {
						s.abortTurn()
					}
					return o
				}}
			if out, ok := ax.HandleCall(ctx, c, env); ok {
				return out, true
			}
			continue
		}
		if out, ok := x.Handle(ctx, c, emit); ok {
			return out, true
		}
	}
	return model.Item{}, false
}

func qualifiedName(c model.Item) string {
	if c.Namespace != "" {
		return c.Namespace + "__" + c.Name
	}
	return c.Name
}

func errText(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}

var errAborted = errors.New("aborted by user")

// trimOutput keeps the head and tail of s within max bytes.
func trimOutput(s string, max int) (string, bool) {
	if max <= 0 || len(s) <= max {
		return s, false
	}
	lines := strings.Count(s, "\n")
	head := s[:max/2]
	tail := s[len(s)-max/2:]
	return fmt.Sprintf("%s\n[… output truncated: %d bytes, %d lines total …]\n%s", head, len(s), lines, tail), true
}
