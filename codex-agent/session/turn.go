package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/common/hooks"
	"github.com/codexgo/common/protocol"
)

// promptText is the text of a turn's input.
func promptText(items []protocol.InputItem) string {
	var parts []string
	for _, in := range items {
		if in.Type == "text" {
			parts = append(parts, in.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// runTurn runs one user turn: sample, run the tool calls, sample again,
// until the model answers without calling tools.
func (s *Session) runTurn(ctx context.Context, id string, op protocol.Op) {
	if _, ok := op.(protocol.CompactOp); ok {
		s.compactTask(ctx, id)
		return
	}
	var (
		items  []protocol.InputItem
		schema json.RawMessage
		review *reviewRun
	)
	switch o := op.(type) {
	case ReviewOp:
		items = protocol.TextInput(o.Prompt)
		review = s.beginReview(o.Hint)
		defer s.endReview(ctx, review)
	case protocol.UserInputOp:
		items = o.Items
	case protocol.UserTurnOp:
		items, schema = o.Items, o.OutputSchema
		s.mu.Lock()
		s.applyTurnSettings(o.Cwd, o.ApprovalPolicy, o.SandboxPolicy, o.Model, o.Effort, o.Summary)
		s.mu.Unlock()
	}
	s.tools.StartTurn()
	cfg := s.settings()
	cfg.Logger.Info("turn started", "turn", id, "model", cfg.Model, "approval_policy", cfg.ApprovalPolicy, "sandbox", cfg.Sandbox.Mode)
	s.emit(id, protocol.TaskStartedMsg{ModelContextWindow: cfg.ContextWindow})
	if cfg.Recorder != nil {
		cfg.Recorder.TurnContext(cfg)
	}
	s.recordReviewStart(review)
	s.mu.Lock()
	fresh := len(s.history) == 0 || s.needContext
	s.needContext = false
	s.mu.Unlock()
	if fresh {
		s.appendHistory(cfg.InitialContext...)
		if cfg.Hooks != nil {
			o := cfg.Hooks.Fire(ctx, hooks.SessionStart, "startup", s.hookInput(cfg, "", map[string]any{"source": "startup"}))
			s.appendHistory(hookContext(o.Context)...)
		}
	}
	s.appendHistory(userItem(items))
	s.appendHistory(skillItems(cfg.Skills, items)...)
	if cfg.Hooks != nil {
		o := cfg.Hooks.Fire(ctx, hooks.UserPromptSubmit, "", s.hookInput(cfg, id, map[string]any{"prompt": promptText(items)}))
		if o.Block {
			s.emit(id, protocol.ErrorMsg{Message: "prompt blocked by UserPromptSubmit hook: " + o.Reason})
			s.emit(id, protocol.TaskCompleteMsg{})
			return
		}
		s.appendHistory(hookContext(o.Context)...)
	}
	stops := 0
	last := ""
	for {
		cfg = s.settings()
		cfg.Text = OutputFormat(cfg.Text, schema)
		if review != nil {
			// The reviewer's instructions are the review guidelines.
			cfg.Instructions = reviewGuidelines
		}
		s.takeSteered()
		s.maybeAutoCompact(ctx, id, cfg)
		outItems, usage, err := s.sample(ctx, id, cfg)
		if ctx.Err() != nil {
			s.endReview(ctx, review)
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
		if len(calls) == 0 && s.hasSteered() {
			// Input came in while the model answered: it answers that too.
			continue
		}
		if len(calls) == 0 && cfg.Hooks != nil && stops < maxStopContinuations {
			o := cfg.Hooks.Fire(ctx, hooks.Stop, "", s.hookInput(cfg, id, map[string]any{"stop_hook_active": stops > 0, "last_assistant_message": last}))
			if o.Block {
				// The hook keeps the turn going with its reason as input.
				stops++
				s.appendHistory(model.Item{Type: "message", Role: "user", Content: []model.ContentPart{{Type: "input_text",
					Text: fmt.Sprintf("<hook_prompt hook_run_id=%q>%s</hook_prompt>", o.HookID, o.Reason)}}})
				continue
			}
		}
		if len(calls) == 0 {
			if cfg.EndCommandsWithTurn {
				s.tools.EndCommands(false)
			}
			if review != nil {
				// The review's outcome is the turn's, recorded before
				// it ends.
				review.done, review.answer = true, last
				s.endReview(ctx, review)
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
		s.appendHistory(s.tools.TakeInjected()...)
		if ctx.Err() != nil {
			s.endReview(ctx, review)
			s.emit(id, protocol.TurnAbortedMsg{Reason: "interrupted"})
			return
		}
	}
}

// takeSteered moves steered input into the history.
func (s *Session) takeSteered() {
	s.mu.Lock()
	items := s.steered
	s.steered = nil
	s.mu.Unlock()
	s.appendHistory(items...)
}

func (s *Session) hasSteered() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.steered) > 0
}

// OutputFormat returns text controls that ask for a final answer
// following schema (nil: tc unchanged), the json_schema format of codex
// exec --output-schema and of a turn's output schema.
func OutputFormat(tc *model.TextControls, schema json.RawMessage) *model.TextControls {
	if len(schema) == 0 {
		return tc
	}
	out := model.TextControls{}
	if tc != nil {
		out = *tc
	}
	out.Format = &model.TextFormat{Type: "json_schema", Strict: true, Schema: schema, Name: "codex_output_schema"}
	return &out
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
	limits := s.rateLimits
	s.mu.Unlock()
	var remaining int64
	if window > 0 {
		remaining = max(window-last.TotalTokens, 0)
	}
	s.emit(id, protocol.TokenCountMsg{TotalTokenUsage: total, LastTokenUsage: last, ModelContextWindow: window,
		ContextWindowRemaining: remaining, RateLimits: limits})
}

// sample runs one model request with stream-level retries and returns
// the completed output items.
func (s *Session) sample(ctx context.Context, id string, cfg SessionConfig) ([]model.Item, *model.Usage, error) {
	s.mu.Lock()
	input := append([]model.Item(nil), s.history...)
	s.mu.Unlock()
	specs := s.tools.Specs()
	// The next command's helper starts while the model answers.
	s.startAhead(cfg)
	req := &model.Request{
		Model: cfg.Model, Instructions: cfg.Instructions, Input: input, Tools: specs,
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
		case model.EventReasoningPart:
			s.emit(id, protocol.AgentReasoningSectionBreakMsg{SummaryIndex: ev.Index})
		case model.EventReasoningRawDelta:
			s.emit(id, protocol.AgentReasoningRawContentDeltaMsg{Delta: ev.Delta, ContentIndex: ev.Index})
		case model.EventRateLimits:
			s.mu.Lock()
			s.rateLimits = ev.RateLimits
			s.mu.Unlock()
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
		outs[i] = s.hookedCall(ctx, id, cfg, c)
		s.startAhead(cfg)
	}
	return outs
}

// handleCall runs one tool call and builds its output item.
func (s *Session) handleCall(ctx context.Context, id string, cfg SessionConfig, c model.Item) model.Item {
	return s.tools.Handle(ctx, id, toolTurn(cfg), c)
}

// toolTurn is what the tools need of the turn's settings.
func toolTurn(cfg SessionConfig) tools.Turn {
	return tools.Turn{Cwd: cfg.Cwd, ApprovalPolicy: cfg.ApprovalPolicy, Sandbox: cfg.Sandbox, Env: cfg.Env,
		Runner: cfg.Runner, Unsandboxed: cfg.Unsandboxed, ToolOutputBytes: cfg.ToolOutputBytes, Tools: cfg.Tools}
}

var errAborted = errors.New("aborted by user")
