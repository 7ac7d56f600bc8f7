package appconn

import (
	"encoding/json"
	"strings"

	"github.com/codexgo/common/protocol"
)

// compactedMessage is the agent's message when a compaction ends.
const compactedMessage = "Compact task completed"

// item is the part of a ThreadItem the TUI shows.
type item struct {
	Type             string          `json:"type"`
	ID               string          `json:"id"`
	Text             string          `json:"text"`
	Summary          []string        `json:"summary"`
	Command          string          `json:"command"`
	Cwd              string          `json:"cwd"`
	Status           string          `json:"status"`
	AggregatedOutput *string         `json:"aggregatedOutput"`
	ExitCode         *int            `json:"exitCode"`
	DurationMs       *int64          `json:"durationMs"`
	Changes          json.RawMessage `json:"changes"`
	Server           string          `json:"server"`
	Tool             string          `json:"tool"`
	Arguments        json.RawMessage `json:"arguments"`
	Result           json.RawMessage `json:"result"`
	Error            *struct {
		Message string `json:"message"`
	} `json:"error"`
	Query  string `json:"query"`
	Review string `json:"review"`
}

// params is the union of the notification params the TUI reads.
type params struct {
	ThreadID  string                    `json:"threadId"`
	TurnID    string                    `json:"turnId"`
	ItemID    string                    `json:"itemId"`
	Delta     string                    `json:"delta"`
	Item      item                      `json:"item"`
	Message   string                    `json:"message"`
	ProcessID string                    `json:"processId"`
	Stdin     string                    `json:"stdin"`
	WillRetry bool                      `json:"willRetry"`
	Diff      string                    `json:"diff"`
	Plan      []planStep                `json:"plan"`
	Expl      *string                   `json:"explanation"`
	Usage     *tokenUsage               `json:"tokenUsage"`
	Turn      *turnObject               `json:"turn"`
	Err       *struct{ Message string } `json:"error"`
	RequestID json.RawMessage           `json:"requestId"`
}

type planStep struct {
	Step   string `json:"step"`
	Status string `json:"status"`
}

type breakdown struct {
	InputTokens           int64 `json:"inputTokens"`
	CachedInputTokens     int64 `json:"cachedInputTokens"`
	OutputTokens          int64 `json:"outputTokens"`
	ReasoningOutputTokens int64 `json:"reasoningOutputTokens"`
	TotalTokens           int64 `json:"totalTokens"`
}

func (b breakdown) usage() protocol.TokenUsage {
	return protocol.TokenUsage{InputTokens: b.InputTokens, CachedInputTokens: b.CachedInputTokens,
		OutputTokens: b.OutputTokens, ReasoningOutputTokens: b.ReasoningOutputTokens, TotalTokens: b.TotalTokens}
}

type tokenUsage struct {
	Total              breakdown `json:"total"`
	Last               breakdown `json:"last"`
	ModelContextWindow *int64    `json:"modelContextWindow"`
}

type turnObject struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// notification translates one notification into events (under c.mu).
func (c *Conn) notification(method string, raw json.RawMessage) {
	var p params
	if err := json.Unmarshal(raw, &p); err != nil {
		c.push(protocol.Event{Msg: protocol.ErrorMsg{Message: "appconn: " + method + ": " + err.Error()}})
		return
	}
	if p.ThreadID != "" && c.st.threadID != "" && p.ThreadID != c.st.threadID {
		return // another client's thread in a shared server
	}
	emit := func(m protocol.Msg) { c.push(protocol.Event{ID: p.TurnID, Msg: m}) }
	switch method {
	case "turn/started":
		if p.Turn != nil {
			if c.st.turnID != p.Turn.ID {
				c.turnKnown(p.Turn.ID)
			}
			p.TurnID = p.Turn.ID
		}
		c.st.lastAnswer, c.st.turnErr = "", ""
		emit(protocol.TaskStartedMsg{ModelContextWindow: c.st.window})
	case "turn/completed":
		c.turnCompleted(p)
	case "item/started":
		c.itemStarted(p.Item, emit)
	case "item/completed":
		c.itemCompleted(p.Item, emit)
	case "item/agentMessage/delta":
		emit(protocol.AgentMessageDeltaMsg{Delta: p.Delta})
	case "item/reasoning/summaryTextDelta":
		emit(protocol.AgentReasoningDeltaMsg{Delta: p.Delta})
	case "item/reasoning/summaryPartAdded":
		emit(protocol.AgentReasoningSectionBreakMsg{})
	case "item/commandExecution/outputDelta":
		emit(protocol.ExecCommandOutputDeltaMsg{CallID: p.ItemID, Stream: "stdout", Chunk: []byte(p.Delta)})
	case "item/commandExecution/terminalInteraction":
		emit(protocol.TerminalInteractionMsg{CallID: p.ItemID, ProcessID: p.ProcessID, Stdin: p.Stdin})
	case "item/fileChange/outputDelta":
		c.st.output[p.ItemID] += p.Delta
	case "turn/plan/updated":
		plan := make([]protocol.PlanItem, 0, len(p.Plan))
		for _, s := range p.Plan {
			st := s.Status
			if st == "inProgress" {
				st = "in_progress"
			}
			plan = append(plan, protocol.PlanItem{Step: s.Step, Status: st})
		}
		emit(protocol.PlanUpdateMsg{Explanation: deref(p.Expl), Plan: plan})
	case "turn/diff/updated":
		emit(protocol.TurnDiffMsg{UnifiedDiff: p.Diff})
	case "thread/tokenUsage/updated":
		if p.Usage == nil {
			return
		}
		if p.Usage.ModelContextWindow != nil {
			c.st.window = *p.Usage.ModelContextWindow
		}
		emit(protocol.TokenCountMsg{TotalTokenUsage: p.Usage.Total.usage(), LastTokenUsage: p.Usage.Last.usage(),
			ModelContextWindow: c.st.window})
	case "error":
		msg := ""
		if p.Err != nil {
			msg = p.Err.Message
		}
		switch {
		case p.WillRetry:
			emit(protocol.StreamErrorMsg{Message: msg})
		case p.TurnID != "" && p.TurnID == c.st.turnID:
			// Reported when the turn ends, which the TUI takes it as.
			c.st.turnErr = msg
		default:
			emit(protocol.ErrorMsg{Message: msg})
		}
	case "warning":
		emit(protocol.BackgroundEventMsg{Message: p.Message})
	case "serverRequest/resolved":
		for k, a := range c.st.asks {
			if string(a.id) == string(p.RequestID) {
				delete(c.st.asks, k) // withdrawn: the turn ended
			}
		}
	}
}

// turnCompleted ends the turn as the TUI knows it: task_complete,
// turn_aborted, or the error that failed it.
func (c *Conn) turnCompleted(p params) {
	t := p.Turn
	if t == nil {
		return
	}
	ev := protocol.Event{ID: t.ID}
	switch t.Status {
	case "interrupted":
		ev.Msg = protocol.TurnAbortedMsg{Reason: "interrupted"}
	case "failed":
		msg := c.st.turnErr
		if msg == "" && t.Error != nil {
			msg = t.Error.Message
		}
		if msg == "" {
			msg = "the turn failed"
		}
		ev.Msg = protocol.ErrorMsg{Message: msg}
	default:
		ev.Msg = protocol.TaskCompleteMsg{LastAgentMessage: c.st.lastAnswer}
	}
	if c.st.turnID == t.ID {
		c.st.turnID, c.st.interrupt = "", false
	}
	for k, a := range c.st.asks {
		if a.kind != "elicitation" || a.turnID == t.ID {
			delete(c.st.asks, k) // the server withdrew them with the turn
		}
	}
	c.st.turnErr = ""
	c.push(ev)
}

// itemStarted announces the items the TUI shows as they begin.
func (c *Conn) itemStarted(it item, emit func(protocol.Msg)) {
	switch it.Type {
	case "commandExecution":
		if c.st.begun[it.ID] {
			return
		}
		c.st.begun[it.ID] = true
		emit(protocol.ExecCommandBeginMsg{CallID: it.ID, Command: shellArgv(it.Command), Cwd: it.Cwd})
	case "fileChange":
		ch := changesIn(it.Changes)
		c.st.changes[it.ID] = ch
		if c.st.begun[it.ID] {
			return
		}
		c.st.begun[it.ID] = true
		emit(protocol.PatchApplyBeginMsg{CallID: it.ID, Changes: ch})
	case "mcpToolCall":
		c.st.begun[it.ID] = true
		emit(protocol.McpToolCallBeginMsg{CallID: it.ID, Server: it.Server, Tool: it.Tool, Arguments: it.Arguments})
	case "webSearch":
		c.st.begun[it.ID] = true
		emit(protocol.WebSearchBeginMsg{CallID: it.ID})
	}
}

// itemCompleted reports the items' ends.
func (c *Conn) itemCompleted(it item, emit func(protocol.Msg)) {
	if it.Type == "commandExecution" || it.Type == "fileChange" || it.Type == "mcpToolCall" || it.Type == "webSearch" {
		if !c.st.begun[it.ID] {
			c.itemStarted(it, emit)
		}
		delete(c.st.begun, it.ID)
	}
	switch it.Type {
	case "agentMessage":
		c.st.lastAnswer = it.Text
		emit(protocol.AgentMessageMsg{Message: it.Text})
	case "reasoning":
		// The summary as its deltas built it, so the TUI recognises
		// what it already printed from them.
		emit(protocol.AgentReasoningMsg{Text: strings.Join(it.Summary, "")})
	case "commandExecution":
		end := protocol.ExecCommandEndMsg{CallID: it.ID, ExitCode: -1, Status: protocol.ExecCommandStatus(it.Status)}
		if it.Status == "inProgress" {
			end.Status = protocol.ExecFailed
		}
		if it.ExitCode != nil {
			end.ExitCode = *it.ExitCode
		}
		if it.DurationMs != nil {
			end.DurationMS = *it.DurationMs
		}
		if it.AggregatedOutput != nil {
			end.AggregatedOutput = *it.AggregatedOutput
		}
		emit(end)
	case "contextCompaction":
		// What `codex proto` says when a compaction ends.
		c.st.lastAnswer = compactedMessage
		emit(protocol.AgentMessageMsg{Message: compactedMessage})
	case "fileChange":
		out := c.st.output[it.ID]
		delete(c.st.output, it.ID)
		delete(c.st.changes, it.ID)
		if it.Status == "declined" {
			return // never applied: nothing to show beyond the decision
		}
		end := protocol.PatchApplyEndMsg{CallID: it.ID, Success: it.Status == "completed"}
		if end.Success {
			end.Stdout = out
		} else {
			end.Stderr = out
		}
		emit(end)
	case "mcpToolCall":
		end := protocol.McpToolCallEndMsg{CallID: it.ID, Server: it.Server, Tool: it.Tool}
		if it.DurationMs != nil {
			end.DurationMS = *it.DurationMs
		}
		if it.Error != nil {
			end.Error = it.Error.Message
		}
		if len(it.Result) > 0 && string(it.Result) != "null" {
			end.Result = it.Result
		}
		emit(end)
	case "webSearch":
		emit(protocol.WebSearchEndMsg{CallID: it.ID, Query: it.Query})
	case "enteredReviewMode", "exitedReviewMode":
		emit(ReviewModeMsg{Entered: it.Type == "enteredReviewMode", Review: it.Review})
	}
}
