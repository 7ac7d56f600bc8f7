// Package model talks to model servers: the Responses API and Chat
// Completions, both streamed over SSE, with the retry rules of the Codex
// CLI. Items are kept as the exact JSON the server sent so that the full
// history (encrypted reasoning included) can be replayed every turn.
package model

import (
	"encoding/json"
	"strings"
)

// ContentPart is one part of a message's content.
type ContentPart struct {
	Type     string `json:"type"` // input_text, output_text, input_image
	Text     string `json:"text,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
}

// SummaryPart is one part of a reasoning summary.
type SummaryPart struct {
	Type string `json:"type"` // summary_text
	Text string `json:"text"`
}

// Item is one Responses API item (message, reasoning, function_call,
// function_call_output, custom_tool_call, custom_tool_call_output,
// local_shell_call, web_search_call, …). Items decoded from JSON remember
// their exact bytes and re-encode to them unchanged.
type Item struct {
	Type             string          `json:"type"`
	ID               string          `json:"id,omitempty"`
	Role             string          `json:"role,omitempty"`
	Content          []ContentPart   `json:"content,omitempty"`
	Summary          []SummaryPart   `json:"summary,omitempty"`
	EncryptedContent string          `json:"encrypted_content,omitempty"`
	Namespace        string          `json:"namespace,omitempty"`
	Name             string          `json:"name,omitempty"`
	Arguments        string          `json:"arguments,omitempty"`
	Input            string          `json:"input,omitempty"`
	CallID           string          `json:"call_id,omitempty"`
	Output           json.RawMessage `json:"output,omitempty"`
	Action           json.RawMessage `json:"action,omitempty"`
	Status           string          `json:"status,omitempty"`

	raw json.RawMessage
}

type plainItem Item

// UnmarshalJSON decodes an item and keeps its bytes.
func (it *Item) UnmarshalJSON(b []byte) error {
	var p plainItem
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*it = Item(p)
	it.raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON re-encodes a decoded item byte for byte, or encodes the
// fields of an item built in code.
func (it Item) MarshalJSON() ([]byte, error) {
	if it.raw != nil {
		return it.raw, nil
	}
	return json.Marshal(plainItem(it))
}

// SearchQuery returns what a web_search_call searched for ("" if its
// action says nothing).
func (it Item) SearchQuery() string {
	var a struct {
		Query string `json:"query"`
	}
	_ = json.Unmarshal(it.Action, &a)
	return a.Query
}

// Text returns the concatenated text parts of a message item.
func (it Item) Text() string {
	var b strings.Builder
	for _, c := range it.Content {
		if c.Type == "output_text" || c.Type == "input_text" || c.Type == "text" {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// SummaryText returns a reasoning item's summary parts joined by blank lines.
func (it Item) SummaryText() string {
	parts := make([]string, 0, len(it.Summary))
	for _, s := range it.Summary {
		parts = append(parts, s.Text)
	}
	return strings.Join(parts, "\n\n")
}

// UserMessage builds a user message item.
func UserMessage(text string) Item {
	return Item{Type: "message", Role: "user", Content: []ContentPart{{Type: "input_text", Text: text}}}
}

// DeveloperMessage builds a developer message item.
func DeveloperMessage(text string) Item {
	return Item{Type: "message", Role: "developer", Content: []ContentPart{{Type: "input_text", Text: text}}}
}

// AssistantMessage builds an assistant message item.
func AssistantMessage(text string) Item {
	return Item{Type: "message", Role: "assistant", Content: []ContentPart{{Type: "output_text", Text: text}}}
}

// FunctionOutput builds the function_call_output answering callID.
func FunctionOutput(callID, output string) Item {
	b, _ := json.Marshal(output) // a string always marshals
	return Item{Type: "function_call_output", CallID: callID, Output: b}
}

// CustomOutput builds the custom_tool_call_output answering callID.
func CustomOutput(callID, output string) Item {
	b, _ := json.Marshal(output)
	return Item{Type: "custom_tool_call_output", CallID: callID, Output: b}
}

// OutputText returns a *_output item's output as text: the string, or the
// text parts of a content array.
func (it Item) OutputText() string {
	var s string
	if json.Unmarshal(it.Output, &s) == nil {
		return s
	}
	var parts []ContentPart
	if json.Unmarshal(it.Output, &parts) == nil {
		var b strings.Builder
		for i, p := range parts {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(p.Text)
		}
		return b.String()
	}
	return string(it.Output)
}

// Usage is the token usage of one response.
type Usage struct {
	InputTokens        int64 `json:"input_tokens"`
	InputTokensDetails *struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"input_tokens_details,omitempty"`
	OutputTokens        int64 `json:"output_tokens"`
	OutputTokensDetails *struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"output_tokens_details,omitempty"`
	TotalTokens int64 `json:"total_tokens"`
}

// Cached returns the cached input tokens.
func (u Usage) Cached() int64 {
	if u.InputTokensDetails == nil {
		return 0
	}
	return u.InputTokensDetails.CachedTokens
}

// Reasoning returns the reasoning output tokens.
func (u Usage) Reasoning() int64 {
	if u.OutputTokensDetails == nil {
		return 0
	}
	return u.OutputTokensDetails.ReasoningTokens
}
