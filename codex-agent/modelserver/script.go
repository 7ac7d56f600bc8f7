// Package modelserver is a local model server for tests and the demo: it
// serves the Responses API and Chat Completions wire formats on 127.0.0.1
// from scripted turns, records every request it receives, and injects
// failures (HTTP errors with Retry-After, dropped streams, response.failed,
// malformed events) on demand. It is a stand-in for the remote model API,
// speaking its wire format byte for byte; it does not think.
package modelserver

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// Script is an ordered list of turns; each model request consumes the next.
type Script struct {
	Turns []Turn `json:"turns"`
}

// Turn is the scripted answer to one request.
type Turn struct {
	// Status, if set and not 200, answers with this HTTP status, Body and
	// (when set) a Retry-After header instead of a stream.
	Status     int    `json:"status,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
	Body       string `json:"body,omitempty"`
	// Items are the output items in Responses shape (message, reasoning,
	// function_call, custom_tool_call, local_shell_call, …).
	Items []json.RawMessage `json:"items,omitempty"`
	// Usage is sent with response.completed; nil sends a small default.
	Usage json.RawMessage `json:"usage,omitempty"`
	// DropAfter closes the connection after this many SSE events (0: never).
	DropAfter int `json:"drop_after,omitempty"`
	// Fail ends the stream with response.failed instead of completed.
	Fail *Fail `json:"fail,omitempty"`
	// Malformed sends an event whose data is not JSON, then stops.
	Malformed bool `json:"malformed,omitempty"`
	// Headers are extra response headers, such as the x-codex-* rate-limit
	// headers the ChatGPT backend sends with every answer (RateLimitHeaders).
	Headers map[string]string `json:"headers,omitempty"`
	// Hang keeps the stream open after the items until the client goes
	// away, to test interrupts and idle timeouts.
	Hang bool `json:"hang,omitempty"`
}

// Fail is the error of a response.failed event.
type Fail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// LoadScript reads a script from a JSON file.
func LoadScript(path string) (Script, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Script{}, fmt.Errorf("read script: %w", err)
	}
	var s Script
	if err := json.Unmarshal(b, &s); err != nil {
		return Script{}, fmt.Errorf("parse script %s: %w", path, err)
	}
	return s, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return b
}

// Message is an assistant message item saying text.
func Message(text string) json.RawMessage {
	return mustJSON(map[string]any{"type": "message", "role": "assistant", "status": "completed",
		"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}})
}

// FunctionCall is a function_call item; args is marshalled to the
// arguments string unless it already is a string.
func FunctionCall(callID, name string, args any) json.RawMessage {
	s, ok := args.(string)
	if !ok {
		s = string(mustJSON(args))
	}
	return mustJSON(map[string]any{"type": "function_call", "id": "fc_" + callID, "call_id": callID,
		"name": name, "arguments": s, "status": "completed"})
}

// CustomToolCall is a custom_tool_call item (freeform tools: apply_patch).
func CustomToolCall(callID, name, input string) json.RawMessage {
	return mustJSON(map[string]any{"type": "custom_tool_call", "id": "ctc_" + callID, "call_id": callID,
		"name": name, "input": input, "status": "completed"})
}

// LocalShellCall is a local_shell_call item running argv.
func LocalShellCall(callID string, argv []string) json.RawMessage {
	return mustJSON(map[string]any{"type": "local_shell_call", "id": "lsc_" + callID, "call_id": callID,
		"status": "completed", "action": map[string]any{"type": "exec", "command": argv}})
}

// WebSearchCall is a finished web_search_call item (the Responses API's
// own web_search tool) that searched for query.
func WebSearchCall(id, query string) json.RawMessage {
	type action struct { // the server's key order
		Type  string `json:"type"`
		Query string `json:"query"`
	}
	return mustJSON(map[string]any{"type": "web_search_call", "id": id, "status": "completed",
		"action": action{"search", query}})
}

// RateLimitHeaders are the x-codex-* headers of an answer from the
// ChatGPT backend: the primary (5-hour) and secondary (weekly) windows'
// used percentages, lengths in minutes and reset times (Unix seconds),
// and the credits.
func RateLimitHeaders(primaryUsed, secondaryUsed float64, primaryReset, secondaryReset int64) map[string]string {
	return map[string]string{
		"x-codex-primary-used-percent":     strconv.FormatFloat(primaryUsed, 'f', -1, 64),
		"x-codex-primary-window-minutes":   "300",
		"x-codex-primary-reset-at":         strconv.FormatInt(primaryReset, 10),
		"x-codex-secondary-used-percent":   strconv.FormatFloat(secondaryUsed, 'f', -1, 64),
		"x-codex-secondary-window-minutes": "10080",
		"x-codex-secondary-reset-at":       strconv.FormatInt(secondaryReset, 10),
		"x-codex-credits-has-credits":      "false",
		"x-codex-credits-unlimited":        "false",
	}
}

// ReasoningParts is a reasoning item with several summary parts and raw
// reasoning text (content), as a model that shows its reasoning sends.
func ReasoningParts(id string, summaries []string, raw string) json.RawMessage {
	sum := []any{}
	for _, t := range summaries {
		sum = append(sum, map[string]any{"type": "summary_text", "text": t})
	}
	var content any
	if raw != "" {
		content = []any{map[string]any{"type": "reasoning_text", "text": raw}}
	}
	return mustJSON(map[string]any{"type": "reasoning", "id": id, "summary": sum, "content": content})
}

// Reasoning is a reasoning item with a summary and encrypted content.
func Reasoning(summary, encrypted string) json.RawMessage {
	return mustJSON(map[string]any{"type": "reasoning", "id": "rs_1",
		"summary": []any{map[string]any{"type": "summary_text", "text": summary}},
		"content": nil, "encrypted_content": encrypted})
}
