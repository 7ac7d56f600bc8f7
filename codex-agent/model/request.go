package model

import (
	"context"
	"encoding/json"

	"github.com/codexgo/common/protocol"
)

// Reasoning is the request's reasoning control.
type Reasoning struct {
	Effort  string `json:"effort,omitempty"`
	Summary string `json:"summary,omitempty"`
}

// TextFormat asks for structured output (from --output-schema).
type TextFormat struct {
	Type   string          `json:"type"` // json_schema
	Strict bool            `json:"strict"`
	Schema json.RawMessage `json:"schema"`
	Name   string          `json:"name"`
}

// TextControls is the request's "text" field.
type TextControls struct {
	Verbosity string      `json:"verbosity,omitempty"`
	Format    *TextFormat `json:"format,omitempty"`
}

// Request is one sampling request: everything the model sees this turn.
type Request struct {
	Model string
	// Instructions are the base instructions. The Responses wire sends
	// them as the first developer message (as Codex 0.169 does), the Chat
	// wire as the system message.
	Instructions      string
	Input             []Item
	Tools             []json.RawMessage
	ParallelToolCalls bool
	Reasoning         *Reasoning
	Text              *TextControls
	PromptCacheKey    string
	// Headers are extra per-request headers (session ids, originator).
	Headers map[string]string
}

// EventKind says what a StreamEvent carries.
type EventKind int

// The stream event kinds.
const (
	EventCreated           EventKind = iota + 1 // the response started
	EventItemAdded                              // an output item began (Item is partial)
	EventItemDone                               // an output item is complete
	EventTextDelta                              // streamed assistant text (Delta)
	EventReasoningDelta                         // streamed reasoning summary text (Delta)
	EventReasoningRawDelta                      // streamed raw reasoning text (Delta)
	EventCompleted                              // the response completed (ResponseID, Usage)
	EventRateLimits                             // the answer's rate-limit headers (RateLimits)
	EventReasoningPart                          // a new reasoning summary part began (Index)
)

// StreamEvent is one thing a model stream reported.
type StreamEvent struct {
	Kind       EventKind
	Item       *Item
	Delta      string
	ResponseID string
	Usage      *Usage
	RateLimits *protocol.RateLimitSnapshot
	// Index is the summary part (EventReasoningDelta, EventReasoningPart)
	// or content part (EventReasoningRawDelta) a reasoning event is about.
	Index int
}

// Client runs one sampling request, reporting events to emit as they
// arrive. It returns nil only after the response completed. It makes a
// single attempt at the stream level (HTTP-level retries of 5xx happen
// inside); the caller (Retry) decides about reconnecting.
type Client interface {
	Stream(ctx context.Context, req *Request, emit func(StreamEvent)) error
}
