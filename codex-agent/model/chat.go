package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Chat is the client for POST {base}/chat/completions, for servers that
// only speak Chat Completions (wire_api = "chat"). Responses items are
// mapped onto chat messages and back.
type Chat struct {
	HTTP
}

type chatToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type chatMessage struct {
	Role       string         `json:"role"`
	Content    *string        `json:"content"`
	ToolCalls  []chatToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

type chatBody struct {
	Model         string            `json:"model"`
	Messages      []chatMessage     `json:"messages"`
	Stream        bool              `json:"stream"`
	StreamOptions map[string]bool   `json:"stream_options,omitempty"`
	Tools         []json.RawMessage `json:"tools,omitempty"`
}

func strp(s string) *string { return &s }

// ChatBody encodes req as a Chat Completions request body.
func ChatBody(req *Request) ([]byte, error) {
	var msgs []chatMessage
	if req.Instructions != "" {
		msgs = append(msgs, chatMessage{Role: "system", Content: strp(req.Instructions)})
	}
	addCall := func(id, name, args string) {
		tc := chatToolCall{ID: id, Type: "function"}
		tc.Function.Name, tc.Function.Arguments = name, args
		if n := len(msgs); n > 0 && msgs[n-1].Role == "assistant" && len(msgs[n-1].ToolCalls) > 0 {
			msgs[n-1].ToolCalls = append(msgs[n-1].ToolCalls, tc)
			return
		}
		msgs = append(msgs, chatMessage{Role: "assistant", ToolCalls: []chatToolCall{tc}})
	}
	for _, it := range req.Input {
		switch it.Type {
		case "message":
			role := it.Role
			if role == "developer" {
				role = "system"
			}
			msgs = append(msgs, chatMessage{Role: role, Content: strp(it.Text())})
		case "function_call":
			addCall(it.CallID, it.Name, it.Arguments)
		case "custom_tool_call":
			args, _ := json.Marshal(map[string]string{"input": it.Input})
			addCall(it.CallID, it.Name, string(args))
		case "local_shell_call":
			addCall(it.CallID, "shell", string(it.Action))
		case "function_call_output", "custom_tool_call_output":
			msgs = append(msgs, chatMessage{Role: "tool", ToolCallID: it.CallID, Content: strp(it.OutputText())})
		}
	}
	var tools []json.RawMessage
	for _, t := range req.Tools {
		var f struct {
			Type        string          `json:"type"`
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		}
		if json.Unmarshal(t, &f) != nil || f.Type != "function" {
			continue
		}
		b, err := json.Marshal(map[string]any{"type": "function", "function": map[string]any{
			"name": f.Name, "description": f.Description, "parameters": f.Parameters}})
		if err != nil {
			return nil, err
		}
		tools = append(tools, b)
	}
	return json.Marshal(chatBody{Model: req.Model, Messages: msgs, Stream: true,
		StreamOptions: map[string]bool{"include_usage": true}, Tools: tools})
}

type chatChunk struct {
	ID      string `json:"id"`
	Choices []struct {
		Delta struct {
			Content   *string        `json:"content"`
			Reasoning *string        `json:"reasoning"`
			ToolCalls []chatToolCall `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
		TotalTokens      int64 `json:"total_tokens"`
	} `json:"usage"`
}

// chatState accumulates a streamed chat completion into Responses items.
type chatState struct {
	id        string
	text      strings.Builder
	reasoning strings.Builder
	calls     map[int]*chatToolCall
	finished  bool
	usage     *Usage
	started   bool
}

func (s *chatState) add(data string, emit func(StreamEvent)) error {
	var c chatChunk
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return &StreamError{Msg: "stream disconnected before completion: malformed event: " + err.Error()}
	}
	if !s.started {
		s.started = true
		s.id = c.ID
		emit(StreamEvent{Kind: EventCreated})
	}
	if c.Usage != nil {
		s.usage = &Usage{InputTokens: c.Usage.PromptTokens, OutputTokens: c.Usage.CompletionTokens, TotalTokens: c.Usage.TotalTokens}
	}
	for _, ch := range c.Choices {
		if d := ch.Delta.Content; d != nil && *d != "" {
			s.text.WriteString(*d)
			emit(StreamEvent{Kind: EventTextDelta, Delta: *d})
		}
		if d := ch.Delta.Reasoning; d != nil && *d != "" {
			s.reasoning.WriteString(*d)
			emit(StreamEvent{Kind: EventReasoningDelta, Delta: *d})
		}
		for i, tc := range ch.Delta.ToolCalls {
			idx := i
			if tc.Index != nil {
				idx = *tc.Index
			}
			if s.calls == nil {
				s.calls = map[int]*chatToolCall{}
			}
			cur := s.calls[idx]
			if cur == nil {
				cur = &chatToolCall{}
				s.calls[idx] = cur
			}
			if tc.ID != "" {
				cur.ID = tc.ID
			}
			if tc.Function.Name != "" {
				cur.Function.Name = tc.Function.Name
			}
			cur.Function.Arguments += tc.Function.Arguments
		}
		if ch.FinishReason != nil {
			s.finished = true
		}
	}
	return nil
}

func (s *chatState) finish(emit func(StreamEvent)) {
	if s.reasoning.Len() > 0 {
		emit(StreamEvent{Kind: EventItemDone, Item: &Item{Type: "reasoning",
			Summary: []SummaryPart{{Type: "summary_text", Text: s.reasoning.String()}}}})
	}
	if s.text.Len() > 0 {
		it := AssistantMessage(s.text.String())
		emit(StreamEvent{Kind: EventItemDone, Item: &it})
	}
	idx := make([]int, 0, len(s.calls))
	for i := range s.calls {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		tc := s.calls[i]
		id := tc.ID
		if id == "" {
			id = "call_" + strconv.Itoa(i)
		}
		emit(StreamEvent{Kind: EventItemDone, Item: &Item{Type: "function_call", Name: tc.Function.Name,
			Arguments: tc.Function.Arguments, CallID: id, Status: "completed"}})
	}
	emit(StreamEvent{Kind: EventCompleted, ResponseID: s.id, Usage: s.usage})
}

// Stream implements Client.
func (c *Chat) Stream(ctx context.Context, req *Request, emit func(StreamEvent)) error {
	body, err := ChatBody(req)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := c.post(ctx, "/chat/completions", body, req.Headers)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	rd, idle := c.openStream(resp)
	defer idle()
	var st chatState
	for {
		ev, err := rd.Next()
		if err != nil {
			if idle() {
				return &StreamError{Msg: "idle timeout waiting for SSE"}
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, io.EOF) && st.finished {
				st.finish(emit)
				return nil
			}
			if errors.Is(err, io.EOF) {
				return &StreamError{Msg: "stream closed before response.completed"}
			}
			return &StreamError{Msg: "stream disconnected before completion: " + err.Error()}
		}
		if strings.TrimSpace(ev.Data) == "[DONE]" {
			st.finish(emit)
			return nil
		}
		if err := st.add(ev.Data, emit); err != nil {
			return err
		}
	}
}
