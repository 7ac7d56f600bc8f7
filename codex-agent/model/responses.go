package model

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/codexgo/codex-agent/sse"
)

// Credentials supplies the bearer token for each request. Refresh is
// called once after a 401; it returns an error when no refresh is
// possible (an API key), and the 401 then stands.
type Credentials interface {
	Token(ctx context.Context) (token, accountID string, err error)
	Refresh(ctx context.Context) error
}

// HeaderCredentials are credentials that authorise each request
// themselves (an agent identity signs every request with a fresh
// assertion); post uses them instead of Token when Creds has the method.
type HeaderCredentials interface {
	Authorize(ctx context.Context, h http.Header) error
}

// HTTP holds what both wire clients share: where to send, how to
// authenticate, and the HTTP-level retry rules.
type HTTP struct {
	Client      *http.Client
	BaseURL     string            // e.g. http://127.0.0.1:8080/v1
	QueryParams map[string]string // appended to every URL
	Headers     map[string]string // static headers (provider http_headers, resolved env_http_headers)
	Creds       Credentials       // nil: no Authorization header
	// RequestMaxRetries bounds silent retries of 5xx and connection
	// failures before any byte of the stream arrived (default 4).
	RequestMaxRetries int
	// IdleTimeout ends a stream that sends nothing for this long
	// (default 300 s).
	IdleTimeout time.Duration
	Backoff     Backoff
	// Sleep waits between retries; nil uses the real clock. Tests inject
	// one that records delays.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for Retry-After dates; nil uses time.Now.
	Now func() time.Time
}

func (h *HTTP) endpoint(path string) string {
	u := strings.TrimRight(h.BaseURL, "/") + path
	if len(h.QueryParams) == 0 {
		return u
	}
	keys := make([]string, 0, len(h.QueryParams))
	for k := range h.QueryParams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	q := url.Values{}
	for _, k := range keys {
		q.Set(k, h.QueryParams[k])
	}
	return u + "?" + q.Encode()
}

func (h *HTTP) sleep(ctx context.Context, d time.Duration) error {
	if h.Sleep != nil {
		return h.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}

func (h *HTTP) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// post sends body and returns a 2xx response, retrying 5xx and transport
// errors silently and a 401 once after refreshing credentials.
func (h *HTTP) post(ctx context.Context, path string, body []byte, extra map[string]string) (*http.Response, error) {
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	max := h.RequestMaxRetries
	if max < 0 {
		max = 0
	}
	if max > 100 {
		max = 100
	}
	u := h.endpoint(path)
	refreshed := false
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("build request: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		for k, v := range h.Headers {
			req.Header.Set(k, v)
		}
		for k, v := range extra {
			req.Header.Set(k, v)
		}
		if hc, ok := h.Creds.(HeaderCredentials); ok {
			if err := hc.Authorize(ctx, req.Header); err != nil {
				return nil, err
			}
		} else if h.Creds != nil {
			tok, account, err := h.Creds.Token(ctx)
			if err != nil {
				return nil, err
			}
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			if account != "" {
				req.Header.Set("chatgpt-account-id", account)
			}
		}
		resp, err := client.Do(req)
		var retryErr error
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			retryErr = &StreamError{Msg: "error sending request: " + err.Error()}
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return resp, nil
		default:
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
			se := &StatusError{Status: resp.StatusCode, Body: string(b), URL: u,
				RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), h.now())}
			if resp.StatusCode == http.StatusUnauthorized && h.Creds != nil && !refreshed {
				refreshed = true
				if h.Creds.Refresh(ctx) == nil {
					attempt--
					continue
				}
			}
			if resp.StatusCode < 500 {
				return nil, se
			}
			retryErr = se
		}
		if attempt >= max {
			return nil, retryErr
		}
		if err := h.sleep(ctx, h.Backoff.Delay(attempt+1)); err != nil {
			return nil, err
		}
	}
}

// idleReader ends a stream that stays silent longer than the timeout.
type idleReader struct {
	r     io.ReadCloser
	timer *time.Timer
	d     time.Duration
}

func (ir *idleReader) Read(p []byte) (int, error) {
	n, err := ir.r.Read(p)
	ir.timer.Reset(ir.d)
	return n, err
}

// openStream wraps resp.Body so that idleness cancels it; the returned
// func reports whether the idle timer fired and releases the timer.
func (h *HTTP) openStream(resp *http.Response) (*sse.Reader, func() bool) {
	d := h.IdleTimeout
	if d <= 0 {
		d = 300 * time.Second
	}
	fired := make(chan struct{})
	t := time.AfterFunc(d, func() {
		close(fired)
		_ = resp.Body.Close()
	})
	ir := &idleReader{r: resp.Body, timer: t, d: d}
	return sse.NewReader(ir), func() bool {
		t.Stop()
		select {
		case <-fired:
			return true
		default:
			return false
		}
	}
}

// Responses is the client for POST {base}/responses.
type Responses struct {
	HTTP
}

type responsesBody struct {
	Model             string            `json:"model"`
	Stream            bool              `json:"stream"`
	Input             []Item            `json:"input"`
	Tools             []json.RawMessage `json:"tools"`
	ToolChoice        string            `json:"tool_choice"`
	ParallelToolCalls bool              `json:"parallel_tool_calls"`
	Reasoning         *Reasoning        `json:"reasoning,omitempty"`
	Store             bool              `json:"store"`
	Include           []string          `json:"include"`
	PromptCacheKey    string            `json:"prompt_cache_key,omitempty"`
	Text              *TextControls     `json:"text,omitempty"`
}

// ResponsesBody encodes req as the Responses API request body.
func ResponsesBody(req *Request) ([]byte, error) {
	input := make([]Item, 0, len(req.Input)+1)
	if req.Instructions != "" {
		input = append(input, DeveloperMessage(req.Instructions))
	}
	input = append(input, req.Input...)
	tools := req.Tools
	if tools == nil {
		tools = []json.RawMessage{}
	}
	include := []string{}
	if req.Reasoning != nil {
		include = append(include, "reasoning.encrypted_content")
	}
	return json.Marshal(responsesBody{
		Model: req.Model, Stream: true, Input: input, Tools: tools, ToolChoice: "auto",
		ParallelToolCalls: req.ParallelToolCalls, Reasoning: req.Reasoning, Store: false,
		Include: include, PromptCacheKey: req.PromptCacheKey, Text: req.Text,
	})
}

// responsesEvent is the data of one Responses SSE event.
type responsesEvent struct {
	Type  string `json:"type"`
	Item  *Item  `json:"item"`
	Delta string `json:"delta"`
	// SummaryIndex and ContentIndex say which part of a reasoning item
	// a reasoning event is about.
	SummaryIndex int `json:"summary_index"`
	ContentIndex int `json:"content_index"`
	Response     *struct {
		ID    string `json:"id"`
		Usage *Usage `json:"usage"`
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"response"`
}

// Stream implements Client.
func (c *Responses) Stream(ctx context.Context, req *Request, emit func(StreamEvent)) error {
	body, err := ResponsesBody(req)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := c.post(ctx, "/responses", body, req.Headers)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if rl := ParseRateLimits(resp.Header); rl != nil {
		emit(StreamEvent{Kind: EventRateLimits, RateLimits: rl})
	}
	rd, idle := c.openStream(resp)
	defer idle()
	for {
		ev, err := rd.Next()
		if err != nil {
			if idle() {
				return &StreamError{Msg: "idle timeout waiting for SSE"}
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				return &StreamError{Msg: "stream closed before response.completed"}
			}
			return &StreamError{Msg: "stream disconnected before completion: " + err.Error()}
		}
		done, err := handleResponsesEvent(ev, emit)
		if err != nil || done {
			return err
		}
	}
}

// handleResponsesEvent dispatches one SSE event; done reports
// response.completed.
func handleResponsesEvent(ev sse.Event, emit func(StreamEvent)) (done bool, err error) {
	var d responsesEvent
	if err := json.Unmarshal([]byte(ev.Data), &d); err != nil {
		return false, &StreamError{Msg: "stream disconnected before completion: malformed event: " + err.Error()}
	}
	switch d.Type {
	case "response.created":
		emit(StreamEvent{Kind: EventCreated})
	case "response.output_item.added":
		if d.Item != nil {
			emit(StreamEvent{Kind: EventItemAdded, Item: d.Item})
		}
	case "response.output_item.done":
		if d.Item == nil {
			return false, &StreamError{Msg: "stream disconnected before completion: output_item.done without item"}
		}
		emit(StreamEvent{Kind: EventItemDone, Item: d.Item})
	case "response.output_text.delta":
		emit(StreamEvent{Kind: EventTextDelta, Delta: d.Delta})
	case "response.reasoning_summary_text.delta":
		emit(StreamEvent{Kind: EventReasoningDelta, Delta: d.Delta, Index: d.SummaryIndex})
	case "response.reasoning_summary_part.added":
		emit(StreamEvent{Kind: EventReasoningPart, Index: d.SummaryIndex})
	case "response.reasoning_text.delta":
		emit(StreamEvent{Kind: EventReasoningRawDelta, Delta: d.Delta, Index: d.ContentIndex})
	case "response.completed":
		out := StreamEvent{Kind: EventCompleted}
		if d.Response != nil {
			out.ResponseID = d.Response.ID
			out.Usage = d.Response.Usage
		}
		emit(out)
		return true, nil
	case "response.failed":
		code, msg := "", "response.failed event received"
		if d.Response != nil && d.Response.Error != nil {
			code, msg = d.Response.Error.Code, d.Response.Error.Message
		}
		switch code {
		case "context_length_exceeded":
			return false, &FatalError{Code: code, Msg: "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying."}
		case "insufficient_quota":
			return false, &FatalError{Code: code, Msg: "Quota exceeded. Check your plan and billing details."}
		case "usage_not_included":
			return false, &FatalError{Code: code, Msg: "To use Codex with your ChatGPT plan, upgrade to Plus."}
		case "rate_limit_exceeded":
			return false, &StreamError{Msg: "stream disconnected before completion: " + msg, RetryAfter: parseTryAgain(msg)}
		}
		return false, &StreamError{Msg: "stream disconnected before completion: " + msg}
	}
	return false, nil
}
