package session

import (
	"context"
	"fmt"
	"strings"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
)

// DefaultCompactPrompt asks the model for the hand-over summary that
// replaces the history when the conversation is compacted.
const DefaultCompactPrompt = `You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary for another LLM that will resume the task.

Include:
- Current progress and key decisions made
- Important context, constraints, or user preferences
- What remains to be done (clear next steps)
- Any critical data, examples, or references needed to continue

Be concise, structured, and focused on helping the next LLM seamlessly continue the work.`

// summaryPrefix opens the summary message that replaces the history, so
// the model reading it knows where it comes from.
const summaryPrefix = "Another language model started to solve this problem and produced a summary of its thinking process. You also have access to the state of the tools that were used by that language model. Use this to build on the work that has already been done and avoid duplicating work. Here is the summary produced by the other language model, use the information in this summary to assist with your own analysis:"

// CompactedMessage is the agent_message a finished compaction reports.
const CompactedMessage = "Compact task completed"

// compactUserBudget bounds, in bytes, the recent user messages kept
// verbatim next to the summary: the user's own words are the facts a
// summary is most likely to blur.
const compactUserBudget = 20000

// compactTask is the compact op: a task of its own, reported with
// task_started … task_complete.
func (s *Session) compactTask(ctx context.Context, id string) {
	cfg := s.settings()
	s.emit(id, protocol.TaskStartedMsg{ModelContextWindow: cfg.ContextWindow})
	if err := s.compact(ctx, id, cfg); err != nil {
		if ctx.Err() != nil {
			s.emit(id, protocol.TurnAbortedMsg{Reason: "interrupted"})
			return
		}
		s.emit(id, protocol.ErrorMsg{Message: "compact: " + err.Error()})
		s.emit(id, protocol.TaskCompleteMsg{})
		return
	}
	s.emit(id, protocol.AgentMessageMsg{Message: CompactedMessage})
	s.emit(id, protocol.TaskCompleteMsg{LastAgentMessage: CompactedMessage})
}

// autoCompactLimit is the context size at which a turn compacts before
// sampling again: model_auto_compact_token_limit, else 90% of the window.
func (c *SessionConfig) autoCompactLimit() int64 {
	if c.AutoCompactTokenLimit > 0 {
		return c.AutoCompactTokenLimit
	}
	if c.ContextWindow > 0 {
		return c.ContextWindow * 9 / 10
	}
	return 0
}

// maybeAutoCompact compacts inside a turn when the last response left
// the context over the limit. A failure is reported and the turn goes
// on with the full history.
func (s *Session) maybeAutoCompact(ctx context.Context, id string, cfg SessionConfig) {
	limit := cfg.autoCompactLimit()
	s.mu.Lock()
	used := s.contextTokens
	s.mu.Unlock()
	if limit <= 0 || used < limit {
		return
	}
	s.emit(id, protocol.BackgroundEventMsg{Message: fmt.Sprintf("Context window nearly full (%d of %d tokens); compacting the conversation.", used, cfg.ContextWindow)})
	if err := s.compact(ctx, id, cfg); err != nil && ctx.Err() == nil {
		s.emit(id, protocol.ErrorMsg{Message: "automatic compaction failed: " + err.Error()})
	}
}

// compact asks the model to summarise the history and replaces the
// history with the initial context, the recent user messages and the
// summary.
func (s *Session) compact(ctx context.Context, id string, cfg SessionConfig) error {
	prompt := cfg.CompactPrompt
	if prompt == "" {
		prompt = DefaultCompactPrompt
	}
	s.mu.Lock()
	input := append([]model.Item(nil), s.history...)
	s.mu.Unlock()
	input = append(input, model.Item{Type: "message", Role: "user", Content: []model.ContentPart{{Type: "input_text", Text: prompt}}})
	req := &model.Request{
		Model: cfg.Model, Instructions: cfg.Instructions, Input: input, Tools: cfg.Tools.Specs(),
		ParallelToolCalls: false, Reasoning: cfg.Reasoning, PromptCacheKey: cfg.ThreadID, Headers: cfg.Headers,
	}
	var (
		summary string
		usage   *model.Usage
	)
	err := model.Run(ctx, cfg.Client, req, cfg.Retry, func(ev model.StreamEvent) {
		switch ev.Kind {
		case model.EventItemDone:
			if ev.Item.Type == "message" && ev.Item.Role != "user" {
				summary = ev.Item.Text()
			}
		case model.EventCompleted:
			usage = ev.Usage
		}
	}, func(n, max int, err error) {
		summary, usage = "", nil
		s.emit(id, protocol.StreamErrorMsg{Message: fmt.Sprintf("Reconnecting... %d/%d (%s)", n, max, err.Error())})
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(summary) == "" {
		return fmt.Errorf("the model returned no summary")
	}
	s.mu.Lock()
	old := s.history
	s.mu.Unlock()
	next := compactedHistory(cfg.InitialContext, old, summary)
	s.mu.Lock()
	s.history = next
	s.mu.Unlock()
	if s.cfg.Recorder != nil {
		s.cfg.Recorder.write("compacted", map[string]any{"message": summary, "replacement_history": next})
	}
	if usage != nil {
		s.addUsage(id, *usage, cfg.ContextWindow)
	}
	// The summary replaces what the counted context held; until the next
	// response reports real numbers, estimate it from the new history.
	s.mu.Lock()
	s.contextTokens = estimateTokens(next)
	s.mu.Unlock()
	return nil
}

// compactedHistory builds the history that replaces old: the session's
// opening context, the most recent real user messages (newest kept when
// the budget runs out) and the summary as a user message.
func compactedHistory(initial, old []model.Item, summary string) []model.Item {
	isInitial := func(it model.Item) bool {
		t := it.Text()
		for _, in := range initial {
			if in.Role == it.Role && in.Text() == t {
				return true
			}
		}
		return strings.HasPrefix(t, "<environment_context>") || strings.HasPrefix(t, "# AGENTS.md instructions") ||
			strings.HasPrefix(t, summaryPrefix)
	}
	var users []model.Item
	budget := compactUserBudget
	for i := len(old) - 1; i >= 0 && budget > 0; i-- {
		it := old[i]
		if it.Type != "message" || it.Role != "user" || isInitial(it) {
			continue
		}
		n := len(it.Text())
		if n > budget {
			break
		}
		budget -= n
		users = append(users, model.Item{Type: "message", Role: "user", Content: it.Content})
	}
	out := append([]model.Item(nil), initial...)
	for i := len(users) - 1; i >= 0; i-- {
		out = append(out, users[i])
	}
	return append(out, model.Item{Type: "message", Role: "user",
		Content: []model.ContentPart{{Type: "input_text", Text: summaryPrefix + "\n" + summary}}})
}

// estimateTokens guesses the token count of items at four bytes a token.
func estimateTokens(items []model.Item) int64 {
	n := 0
	for _, it := range items {
		n += len(it.Text()) + len(it.Arguments) + len(it.Input) + len(it.Output) + len(it.EncryptedContent)
	}
	return int64(n+3) / 4
}
