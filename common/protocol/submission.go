package protocol

import (
	"encoding/json"
	"fmt"
)

// Submission is one request from a front end to the agent.
type Submission struct {
	ID string `json:"id"`
	Op Op     `json:"op"`
}

// Op is the payload of a Submission.
type Op interface{ OpType() string }

// InputItem is one piece of user input: {"type":"text","text"} or
// {"type":"image","image_url"} or {"type":"local_image","path"}.
type InputItem struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	Path     string `json:"path,omitempty"`
}

// TextInput returns a single text input item.
func TextInput(s string) []InputItem { return []InputItem{{Type: "text", Text: s}} }

// UserInputOp starts (or queues) a turn with the session's settings.
type UserInputOp struct {
	Items []InputItem `json:"items"`
}

// UserTurnOp starts a turn with explicit settings for it and what follows.
type UserTurnOp struct {
	Items          []InputItem    `json:"items"`
	Cwd            string         `json:"cwd,omitempty"`
	ApprovalPolicy AskForApproval `json:"approval_policy,omitempty"`
	SandboxPolicy  *SandboxPolicy `json:"sandbox_policy,omitempty"`
	Model          string         `json:"model,omitempty"`
	Effort         string         `json:"effort,omitempty"`
	Summary        string         `json:"summary,omitempty"`
	// OutputSchema is a JSON Schema the turn's final answer must follow
	// (this turn only), as codex exec --output-schema does for its one.
	OutputSchema json.RawMessage `json:"final_output_json_schema,omitempty"`
}

// SteerOp adds input to the running turn: the model sees it at its next
// request and the turn goes on until it has answered it. With no turn
// running it starts one, as user_input does.
type SteerOp struct {
	Items []InputItem `json:"items"`
}

// OverrideTurnContextOp changes the settings used by the next turns.
type OverrideTurnContextOp struct {
	Cwd            string         `json:"cwd,omitempty"`
	ApprovalPolicy AskForApproval `json:"approval_policy,omitempty"`
	SandboxPolicy  *SandboxPolicy `json:"sandbox_policy,omitempty"`
	Model          string         `json:"model,omitempty"`
	Effort         string         `json:"effort,omitempty"`
	Summary        string         `json:"summary,omitempty"`
}

// ExecApprovalOp answers an exec_approval_request; ID is its call id.
type ExecApprovalOp struct {
	ID       string         `json:"id"`
	Decision ReviewDecision `json:"decision"`
	// Remember asks the agent to also append a rule to
	// $CODEX_HOME/rules/default.rules (our extension).
	Remember bool `json:"remember,omitempty"`
}

// ResolveElicitationOp answers an elicitation_request: Decision is
// "accept" (with the form's Content), "decline" or "cancel".
type ResolveElicitationOp struct {
	ServerName string          `json:"server_name"`
	RequestID  string          `json:"request_id"`
	Decision   string          `json:"decision"`
	Content    json.RawMessage `json:"content,omitempty"`
}

// PatchApprovalOp answers an apply_patch_approval_request.
type PatchApprovalOp struct {
	ID       string         `json:"id"`
	Decision ReviewDecision `json:"decision"`
}

// InterruptOp aborts the running turn.
type InterruptOp struct{}

// CompactOp summarises the history and replaces it with the summary.
type CompactOp struct{}

// AddToHistoryOp appends a prompt to the persistent history.
type AddToHistoryOp struct {
	Text string `json:"text"`
}

// GetHistoryEntryRequestOp asks for one persistent history entry.
type GetHistoryEntryRequestOp struct {
	Offset int    `json:"offset"`
	LogID  uint64 `json:"log_id"`
}

// ShutdownOp ends the session; the agent answers shutdown_complete.
type ShutdownOp struct{}

// ListMcpToolsOp asks for the tools of the session's MCP servers; the
// agent answers mcp_list_tools_response.
type ListMcpToolsOp struct{}

// UnknownOp is an op whose type this package does not know.
type UnknownOp struct {
	Type string
	Raw  json.RawMessage
}

// OpType implementations.
func (UserInputOp) OpType() string              { return "user_input" }
func (UserTurnOp) OpType() string               { return "user_turn" }
func (OverrideTurnContextOp) OpType() string    { return "override_turn_context" }
func (ExecApprovalOp) OpType() string           { return "exec_approval" }
func (PatchApprovalOp) OpType() string          { return "patch_approval" }
func (InterruptOp) OpType() string              { return "interrupt" }
func (CompactOp) OpType() string                { return "compact" }
func (AddToHistoryOp) OpType() string           { return "add_to_history" }
func (GetHistoryEntryRequestOp) OpType() string { return "get_history_entry_request" }
func (ShutdownOp) OpType() string               { return "shutdown" }
func (ListMcpToolsOp) OpType() string           { return "list_mcp_tools" }
func (SteerOp) OpType() string                  { return "steer" }
func (ResolveElicitationOp) OpType() string     { return "resolve_elicitation" }

// OpType returns the unknown tag.
func (u UnknownOp) OpType() string { return u.Type }

func newOp(tag string) Op {
	switch tag {
	case "user_input":
		return &UserInputOp{}
	case "user_turn":
		return &UserTurnOp{}
	case "override_turn_context":
		return &OverrideTurnContextOp{}
	case "exec_approval":
		return &ExecApprovalOp{}
	case "patch_approval":
		return &PatchApprovalOp{}
	case "interrupt":
		return &InterruptOp{}
	case "compact":
		return &CompactOp{}
	case "add_to_history":
		return &AddToHistoryOp{}
	case "get_history_entry_request":
		return &GetHistoryEntryRequestOp{}
	case "shutdown":
		return &ShutdownOp{}
	case "list_mcp_tools":
		return &ListMcpToolsOp{}
	case "steer":
		return &SteerOp{}
	case "resolve_elicitation":
		return &ResolveElicitationOp{}
	}
	return nil
}

// MarshalJSON encodes the submission with its op tagged by "type".
func (s Submission) MarshalJSON() ([]byte, error) {
	if s.Op == nil {
		return nil, fmt.Errorf("submission %q has no op", s.ID)
	}
	var op json.RawMessage
	if u, ok := s.Op.(UnknownOp); ok {
		op = u.Raw
	} else {
		b, err := marshalTagged(s.Op.OpType(), s.Op)
		if err != nil {
			return nil, err
		}
		op = b
	}
	return json.Marshal(struct {
		ID string          `json:"id"`
		Op json.RawMessage `json:"op"`
	}{s.ID, op})
}

// UnmarshalJSON decodes a submission; an unknown op type yields UnknownOp.
func (s *Submission) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID string          `json:"id"`
		Op json.RawMessage `json:"op"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw.Op) == 0 || string(raw.Op) == "null" {
		return fmt.Errorf("submission %q: missing \"op\"", raw.ID)
	}
	tag, err := readTag(raw.Op)
	if err != nil {
		return fmt.Errorf("submission %q: op: %w", raw.ID, err)
	}
	op := newOp(tag)
	if op == nil {
		*s = Submission{ID: raw.ID, Op: UnknownOp{Type: tag, Raw: raw.Op}}
		return nil
	}
	if err := json.Unmarshal(raw.Op, op); err != nil {
		return fmt.Errorf("submission %q: op %s: %w", raw.ID, tag, err)
	}
	*s = Submission{ID: raw.ID, Op: deref(op).(Op)}
	return nil
}
