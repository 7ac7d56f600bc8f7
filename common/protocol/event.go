package protocol

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// Event is one message from the agent to a front end. ID is the id of the
// submission it answers (the turn), so a front end can group events.
type Event struct {
	ID  string `json:"id"`
	Msg Msg    `json:"msg"`
}

// Msg is the payload of an Event.
type Msg interface{ MsgType() string }

// SessionConfiguredMsg is the first event of every session.
type SessionConfiguredMsg struct {
	SessionID         string         `json:"session_id"`
	Model             string         `json:"model"`
	Cwd               string         `json:"cwd,omitempty"`
	ApprovalPolicy    AskForApproval `json:"approval_policy,omitempty"`
	SandboxPolicy     *SandboxPolicy `json:"sandbox_policy,omitempty"`
	HistoryLogID      uint64         `json:"history_log_id"`
	HistoryEntryCount int            `json:"history_entry_count"`
	RolloutPath       string         `json:"rollout_path,omitempty"`
}

// TaskStartedMsg opens a turn.
type TaskStartedMsg struct {
	ModelContextWindow int64 `json:"model_context_window,omitempty"`
}

// TaskCompleteMsg closes a turn.
type TaskCompleteMsg struct {
	LastAgentMessage string `json:"last_agent_message,omitempty"`
}

// AgentMessageDeltaMsg is a streamed piece of the assistant's answer.
type AgentMessageDeltaMsg struct {
	Delta string `json:"delta"`
}

// AgentMessageMsg is a whole assistant message.
type AgentMessageMsg struct {
	Message string `json:"message"`
}

// AgentReasoningDeltaMsg is a streamed piece of a reasoning summary.
type AgentReasoningDeltaMsg struct {
	Delta string `json:"delta"`
}

// AgentReasoningSectionBreakMsg starts a new part of a reasoning
// summary (the Responses API's reasoning_summary_part.added).
type AgentReasoningSectionBreakMsg struct {
	SummaryIndex int `json:"summary_index"`
}

// AgentReasoningRawContentDeltaMsg is a streamed piece of the model's
// raw reasoning text (reasoning_text.delta), as opposed to its summary.
type AgentReasoningRawContentDeltaMsg struct {
	Delta        string `json:"delta"`
	ContentIndex int    `json:"content_index"`
}

// McpToolCallProgressMsg is a progress notification the MCP server sent
// about a running tool call.
type McpToolCallProgressMsg struct {
	CallID  string `json:"call_id"`
	Message string `json:"message"`
}

// ElicitationRequestMsg is an MCP server's elicitation/create, put to
// the user (approval_policy allowing): answer it with a
// resolve_elicitation op carrying ID. TurnID is the turn running when
// it came, if any (MCP does not tie an elicitation to a request).
type ElicitationRequestMsg struct {
	ID         string `json:"id"`
	ServerName string `json:"server_name"`
	TurnID     string `json:"turn_id,omitempty"`
	// Mode is "form" (RequestedSchema: the fields to fill in) or "url"
	// (URL to open; ElicitationID names the interaction).
	Mode            string          `json:"mode"`
	Message         string          `json:"message"`
	RequestedSchema json.RawMessage `json:"requested_schema,omitempty"`
	URL             string          `json:"url,omitempty"`
	ElicitationID   string          `json:"elicitation_id,omitempty"`
	Meta            json.RawMessage `json:"_meta,omitempty"`
}

// AgentReasoningMsg is a whole reasoning summary.
type AgentReasoningMsg struct {
	Text string `json:"text"`
}

// ExecCommandBeginMsg announces a command about to run.
type ExecCommandBeginMsg struct {
	CallID    string          `json:"call_id"`
	Command   []string        `json:"command"`
	Cwd       string          `json:"cwd"`
	ParsedCmd []ParsedCommand `json:"parsed_cmd,omitempty"`
}

// ExecCommandOutputDeltaMsg carries a chunk of a running command's output.
// Chunk is bytes, base64-encoded on the wire as encoding/json does.
type ExecCommandOutputDeltaMsg struct {
	CallID string `json:"call_id"`
	Stream string `json:"stream"` // "stdout" or "stderr"
	Chunk  []byte `json:"chunk"`
}

// ExecCommandEndMsg reports a finished command.
type ExecCommandEndMsg struct {
	CallID           string `json:"call_id"`
	Stdout           string `json:"stdout"`
	Stderr           string `json:"stderr"`
	AggregatedOutput string `json:"aggregated_output,omitempty"`
	ExitCode         int    `json:"exit_code"`
	DurationMS       int64  `json:"duration_ms"`
	FormattedOutput  string `json:"formatted_output,omitempty"`
	// Status is ExecCompleted (exit code 0), ExecFailed (it ran and
	// failed, or could not be started) or ExecDeclined (it never ran:
	// forbidden by policy, refused, or denied by the user). Empty from
	// older agents: judge by ExitCode then.
	Status ExecCommandStatus `json:"status,omitempty"`
}

// ExecCommandStatus is how a command ended.
type ExecCommandStatus string

// The command statuses of exec_command_end (the exec --json item's
// command_execution status names).
const (
	ExecCompleted ExecCommandStatus = "completed"
	ExecFailed    ExecCommandStatus = "failed"
	ExecDeclined  ExecCommandStatus = "declined"
)

// ExecApprovalRequestMsg asks the user to approve a command; answer with
// ExecApprovalOp{ID: CallID}.
type ExecApprovalRequestMsg struct {
	CallID    string          `json:"call_id"`
	Command   []string        `json:"command"`
	Cwd       string          `json:"cwd"`
	Reason    string          `json:"reason,omitempty"`
	ParsedCmd []ParsedCommand `json:"parsed_cmd,omitempty"`
	// McpServer and McpTool are set when the request is for an MCP tool
	// call rather than a command; Command then holds the tool's qualified
	// name and its JSON arguments.
	McpServer string `json:"mcp_server,omitempty"`
	McpTool   string `json:"mcp_tool,omitempty"`
}

// FileChange is one file's part of a patch.
type FileChange struct {
	Type        string `json:"type"` // "add", "delete" or "update"
	Content     string `json:"content,omitempty"`
	UnifiedDiff string `json:"unified_diff,omitempty"`
	MovePath    string `json:"move_path,omitempty"`
}

// ApplyPatchApprovalRequestMsg asks the user to approve a patch; answer
// with PatchApprovalOp{ID: CallID}.
type ApplyPatchApprovalRequestMsg struct {
	CallID    string                `json:"call_id"`
	Changes   map[string]FileChange `json:"changes"`
	Reason    string                `json:"reason,omitempty"`
	GrantRoot string                `json:"grant_root,omitempty"`
}

// PatchApplyBeginMsg announces a patch about to be applied.
type PatchApplyBeginMsg struct {
	CallID       string                `json:"call_id"`
	AutoApproved bool                  `json:"auto_approved"`
	Changes      map[string]FileChange `json:"changes"`
}

// PatchApplyEndMsg reports an applied (or failed) patch.
type PatchApplyEndMsg struct {
	CallID  string `json:"call_id"`
	Stdout  string `json:"stdout"`
	Stderr  string `json:"stderr"`
	Success bool   `json:"success"`
}

// TurnDiffMsg is the unified diff of everything the turn changed so far.
type TurnDiffMsg struct {
	UnifiedDiff string `json:"unified_diff"`
}

// PlanItem is one step of the model's plan.
type PlanItem struct {
	Step   string `json:"step"`
	Status string `json:"status"` // pending, in_progress, completed
}

// PlanUpdateMsg carries the model's update_plan call.
type PlanUpdateMsg struct {
	Explanation string     `json:"explanation,omitempty"`
	Plan        []PlanItem `json:"plan"`
}

// TokenUsage counts tokens as the Responses API reports them.
type TokenUsage struct {
	InputTokens           int64 `json:"input_tokens"`
	CachedInputTokens     int64 `json:"cached_input_tokens"`
	OutputTokens          int64 `json:"output_tokens"`
	ReasoningOutputTokens int64 `json:"reasoning_output_tokens"`
	TotalTokens           int64 `json:"total_tokens"`
}

// TokenCountMsg reports usage so far and the context window.
type TokenCountMsg struct {
	TotalTokenUsage    TokenUsage `json:"total_token_usage"`
	LastTokenUsage     TokenUsage `json:"last_token_usage"`
	ModelContextWindow int64      `json:"model_context_window,omitempty"`
	// ContextWindowRemaining is how many tokens of the window the
	// context left free after the last response (our extension; set
	// only with a known window).
	ContextWindowRemaining int64 `json:"context_window_remaining,omitempty"`
	// RateLimits is the account's usage as the model API last reported
	// it in its x-codex-* response headers (nil: not reported).
	RateLimits *RateLimitSnapshot `json:"rate_limits,omitempty"`
}

// RateLimitSnapshot is one rate-limit bucket of the account, as the
// Codex CLI records it in token_count events.
type RateLimitSnapshot struct {
	LimitID   string           `json:"limit_id,omitempty"`
	Primary   *RateLimitWindow `json:"primary"`
	Secondary *RateLimitWindow `json:"secondary"`
	Credits   *CreditsSnapshot `json:"credits"`
	PlanType  *string          `json:"plan_type"`
}

// RateLimitWindow is one window of a bucket: the share used, its length
// and when it resets (Unix seconds).
type RateLimitWindow struct {
	UsedPercent   float64 `json:"used_percent"`
	WindowMinutes *int64  `json:"window_minutes"`
	ResetsAt      *int64  `json:"resets_at"`
}

// CreditsSnapshot is the account's credits.
type CreditsSnapshot struct {
	HasCredits bool    `json:"has_credits"`
	Unlimited  bool    `json:"unlimited"`
	Balance    *string `json:"balance"`
}

// TurnAbortedMsg closes a turn that was interrupted or replaced.
type TurnAbortedMsg struct {
	Reason string `json:"reason"` // "interrupted" or "replaced"
}

// ErrorMsg reports an error; the session stays usable.
type ErrorMsg struct {
	Message string `json:"message"`
}

// StreamErrorMsg reports a model stream failure that will be retried.
type StreamErrorMsg struct {
	Message string `json:"message"`
}

// BackgroundEventMsg is informational text for the user.
type BackgroundEventMsg struct {
	Message string `json:"message"`
}

// GetHistoryEntryResponseMsg answers GetHistoryEntryRequestOp; Entry is
// nil when there is no such entry.
type GetHistoryEntryResponseMsg struct {
	Offset int     `json:"offset"`
	LogID  uint64  `json:"log_id"`
	Entry  *string `json:"entry,omitempty"`
}

// McpToolCallBeginMsg announces an MCP tool call.
type McpToolCallBeginMsg struct {
	CallID    string          `json:"call_id"`
	Server    string          `json:"server"`
	Tool      string          `json:"tool"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
}

// McpToolCallEndMsg reports an MCP tool call's result.
type McpToolCallEndMsg struct {
	CallID     string          `json:"call_id"`
	Server     string          `json:"server"`
	Tool       string          `json:"tool"`
	Result     json.RawMessage `json:"result,omitempty"`
	Error      string          `json:"error,omitempty"`
	DurationMS int64           `json:"duration_ms"`
}

// WebSearchBeginMsg announces a web search the model started (the
// Responses API's web_search tool runs on the server).
type WebSearchBeginMsg struct {
	CallID string `json:"call_id"`
}

// WebSearchEndMsg reports a finished web search and what was searched.
type WebSearchEndMsg struct {
	CallID string `json:"call_id"`
	Query  string `json:"query"`
	// Action is the web_search_call's action ({"type":"search","query"},
	// or another kind such as open_page).
	Action json.RawMessage `json:"action,omitempty"`
}

// TerminalInteractionMsg reports input the model wrote (write_stdin) to a
// command still running: CallID is the exec_command call that started it,
// ProcessID its session id.
type TerminalInteractionMsg struct {
	CallID    string `json:"call_id"`
	ProcessID string `json:"process_id"`
	Stdin     string `json:"stdin"`
}

// McpListToolsResponseMsg answers list_mcp_tools: the MCP tools by their
// qualified name (mcp__<server>__<tool>), each the server's tool object.
// Failures lists the servers that could not start, with why.
type McpListToolsResponseMsg struct {
	Tools    map[string]json.RawMessage `json:"tools"`
	Failures map[string]string          `json:"failures,omitempty"`
}

// ShutdownCompleteMsg is the last event of a session.
type ShutdownCompleteMsg struct{}

// UnknownMsg is an event whose type this package does not know.
type UnknownMsg struct {
	Type string
	Raw  json.RawMessage
}

// MsgType implementations.
func (SessionConfiguredMsg) MsgType() string         { return "session_configured" }
func (TaskStartedMsg) MsgType() string               { return "task_started" }
func (TaskCompleteMsg) MsgType() string              { return "task_complete" }
func (AgentMessageDeltaMsg) MsgType() string         { return "agent_message_delta" }
func (AgentMessageMsg) MsgType() string              { return "agent_message" }
func (AgentReasoningDeltaMsg) MsgType() string       { return "agent_reasoning_delta" }
func (AgentReasoningMsg) MsgType() string            { return "agent_reasoning" }
func (ExecCommandBeginMsg) MsgType() string          { return "exec_command_begin" }
func (ExecCommandOutputDeltaMsg) MsgType() string    { return "exec_command_output_delta" }
func (ExecCommandEndMsg) MsgType() string            { return "exec_command_end" }
func (ExecApprovalRequestMsg) MsgType() string       { return "exec_approval_request" }
func (ApplyPatchApprovalRequestMsg) MsgType() string { return "apply_patch_approval_request" }
func (PatchApplyBeginMsg) MsgType() string           { return "patch_apply_begin" }
func (PatchApplyEndMsg) MsgType() string             { return "patch_apply_end" }
func (TurnDiffMsg) MsgType() string                  { return "turn_diff" }
func (PlanUpdateMsg) MsgType() string                { return "plan_update" }
func (TokenCountMsg) MsgType() string                { return "token_count" }
func (TurnAbortedMsg) MsgType() string               { return "turn_aborted" }
func (ErrorMsg) MsgType() string                     { return "error" }
func (StreamErrorMsg) MsgType() string               { return "stream_error" }
func (BackgroundEventMsg) MsgType() string           { return "background_event" }
func (GetHistoryEntryResponseMsg) MsgType() string   { return "get_history_entry_response" }
func (McpToolCallBeginMsg) MsgType() string          { return "mcp_tool_call_begin" }
func (McpToolCallEndMsg) MsgType() string            { return "mcp_tool_call_end" }
func (WebSearchBeginMsg) MsgType() string            { return "web_search_begin" }
func (WebSearchEndMsg) MsgType() string              { return "web_search_end" }
func (TerminalInteractionMsg) MsgType() string       { return "terminal_interaction" }
func (McpListToolsResponseMsg) MsgType() string      { return "mcp_list_tools_response" }
func (ShutdownCompleteMsg) MsgType() string          { return "shutdown_complete" }

// MsgType returns the unknown tag.
func (u UnknownMsg) MsgType() string { return u.Type }

// MsgType implementations of the reasoning stream's finer events.
func (AgentReasoningSectionBreakMsg) MsgType() string    { return "agent_reasoning_section_break" }
func (AgentReasoningRawContentDeltaMsg) MsgType() string { return "agent_reasoning_raw_content_delta" }

// MsgType implementation.
func (McpToolCallProgressMsg) MsgType() string { return "mcp_tool_call_progress" }

// MsgType implementation.
func (ElicitationRequestMsg) MsgType() string { return "elicitation_request" }

// msgTypes lists every known event payload; it is read-only.
var msgTypes = []Msg{
	SessionConfiguredMsg{}, TaskStartedMsg{}, TaskCompleteMsg{},
	AgentMessageDeltaMsg{}, AgentMessageMsg{}, AgentReasoningDeltaMsg{},
	AgentReasoningMsg{}, ExecCommandBeginMsg{}, ExecCommandOutputDeltaMsg{},
	ExecCommandEndMsg{}, ExecApprovalRequestMsg{}, ApplyPatchApprovalRequestMsg{},
	PatchApplyBeginMsg{}, PatchApplyEndMsg{}, TurnDiffMsg{}, PlanUpdateMsg{},
	TokenCountMsg{}, TurnAbortedMsg{}, ErrorMsg{}, StreamErrorMsg{},
	BackgroundEventMsg{}, GetHistoryEntryResponseMsg{}, McpToolCallBeginMsg{},
	McpToolCallEndMsg{}, WebSearchBeginMsg{}, WebSearchEndMsg{}, TerminalInteractionMsg{},
	McpListToolsResponseMsg{}, ShutdownCompleteMsg{}, AgentReasoningSectionBreakMsg{},
	AgentReasoningRawContentDeltaMsg{}, McpToolCallProgressMsg{}, ElicitationRequestMsg{},
}

func newMsg(tag string) any {
	for _, m := range msgTypes {
		if m.MsgType() == tag {
			return reflect.New(reflect.TypeOf(m)).Interface()
		}
	}
	return nil
}

func deref(p any) any { return reflect.ValueOf(p).Elem().Interface() }

// MarshalJSON encodes the event with its msg tagged by "type".
func (e Event) MarshalJSON() ([]byte, error) {
	if e.Msg == nil {
		return nil, fmt.Errorf("event %q has no msg", e.ID)
	}
	var msg json.RawMessage
	if u, ok := e.Msg.(UnknownMsg); ok {
		msg = u.Raw
	} else {
		b, err := marshalTagged(e.Msg.MsgType(), e.Msg)
		if err != nil {
			return nil, err
		}
		msg = b
	}
	return json.Marshal(struct {
		ID  string          `json:"id"`
		Msg json.RawMessage `json:"msg"`
	}{e.ID, msg})
}

// UnmarshalJSON decodes an event; an unknown msg type yields UnknownMsg.
func (e *Event) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID  string          `json:"id"`
		Msg json.RawMessage `json:"msg"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw.Msg) == 0 || string(raw.Msg) == "null" {
		return fmt.Errorf("event %q: missing \"msg\"", raw.ID)
	}
	tag, err := readTag(raw.Msg)
	if err != nil {
		return fmt.Errorf("event %q: msg: %w", raw.ID, err)
	}
	m := newMsg(tag)
	if m == nil {
		*e = Event{ID: raw.ID, Msg: UnknownMsg{Type: tag, Raw: raw.Msg}}
		return nil
	}
	if err := json.Unmarshal(raw.Msg, m); err != nil {
		return fmt.Errorf("event %q: msg %s: %w", raw.ID, tag, err)
	}
	*e = Event{ID: raw.ID, Msg: deref(m).(Msg)}
	return nil
}
