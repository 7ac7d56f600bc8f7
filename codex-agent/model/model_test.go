package model_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
)

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func start(t *testing.T, turns ...modelserver.Turn) *modelserver.Server {
	t.Helper()
	srv, err := modelserver.Start(modelserver.Script{Turns: turns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func noJitter() float64 { return 1 }

func newHTTP(srv *modelserver.Server, sl *sleeps) model.HTTP {
	return model.HTTP{BaseURL: srv.URL(), RequestMaxRetries: 4, Sleep: sl.sleep,
		Backoff: model.Backoff{Jitter: noJitter}, Headers: map[string]string{"X-Test": "abc"},
		QueryParams: map[string]string{"api-version": "2025-04-01"}}
}

type collected struct {
	text  string
	items []model.Item
	done  *model.StreamEvent
}

func (c *collected) emit(ev model.StreamEvent) {
	switch ev.Kind {
	case model.EventTextDelta:
		c.text += ev.Delta
	case model.EventItemDone:
		c.items = append(c.items, *ev.Item)
	case model.EventCompleted:
		e := ev
		c.done = &e
	}
}

func TestResponsesStream(t *testing.T) {
	srv := start(t, modelserver.Turn{Items: []json.RawMessage{
		modelserver.Reasoning("thinking", "enc=="),
		modelserver.Message("hello there world"),
		modelserver.FunctionCall("call_1", "exec_command", map[string]any{"cmd": "echo hi"}),
	}})
	var sl sleeps
	c := &model.Responses{HTTP: newHTTP(srv, &sl)}
	var got collected
	req := &model.Request{Model: "m", Instructions: "base", Input: []model.Item{model.UserMessage("hi")},
		Reasoning: &model.Reasoning{Effort: "medium"}, PromptCacheKey: "thread-1",
		Headers: map[string]string{"originator": "codex_exec"}}
	if err := c.Stream(context.Background(), req, got.emit); err != nil {
		t.Fatal(err)
	}
	if got.text != "hello there world" {
		t.Errorf("text = %q", got.text)
	}
	if len(got.items) != 3 || got.items[2].Name != "exec_command" || got.items[2].CallID != "call_1" {
		t.Fatalf("items = %+v", got.items)
	}
	// Items re-encode byte for byte (encrypted reasoning is replayed).
	b, _ := json.Marshal(got.items[0])
	if string(b) != string(modelserver.Reasoning("thinking", "enc==")) {
		t.Errorf("reasoning re-encoded as %s", b)
	}
	if got.done == nil || got.done.Usage == nil || got.done.Usage.InputTokens != 100 || got.done.Usage.Cached() != 10 {
		t.Errorf("completed = %+v", got.done)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d", len(reqs))
	}
	r := reqs[0]
	if r.Path != "/v1/responses" || r.RawQuery != "api-version=2025-04-01" {
		t.Errorf("path %s?%s", r.Path, r.RawQuery)
	}
	for k, want := range map[string]string{"X-Test": "abc", "Accept": "text/event-stream", "Originator": "codex_exec", "Content-Type": "application/json"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	// Key order matters to match the reference body.
	keys := topKeys(t, r.Body)
	want := []string{"model", "stream", "input", "tools", "tool_choice", "parallel_tool_calls", "reasoning", "store", "include", "prompt_cache_key"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	var body struct {
		Store   bool         `json:"store"`
		Include []string     `json:"include"`
		Input   []model.Item `json:"input"`
	}
	if err := r.JSON(&body); err != nil {
		t.Fatal(err)
	}
	if body.Store || len(body.Include) != 1 || body.Input[0].Role != "developer" || body.Input[0].Text() != "base" || body.Input[1].Text() != "hi" {
		t.Errorf("body = %+v", body)
	}
}

func topKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestResponsesErrors(t *testing.T) {
	tests := []struct {
		name      string
		turns     []modelserver.Turn
		wantErr   string
		retryable bool
		delay     time.Duration
		sleeps    []time.Duration
		requests  int
	}{
		{name: "5xx retried silently", turns: []modelserver.Turn{{Status: 500}, {Status: 502}, {Items: []json.RawMessage{modelserver.Message("ok")}}},
			sleeps: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}, requests: 3},
		{name: "5xx exhausted", turns: []modelserver.Turn{{Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}, {Status: 503, Body: `{"error":{"message":"down"}}`}},
			wantErr: "unexpected status 503 Service Unavailable: down", retryable: true, requests: 5,
			sleeps: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond}},
		{name: "429 not retried at http level", turns: []modelserver.Turn{{Status: 429, RetryAfter: "1"}},
			wantErr: "exceeded retry limit, last status: 429 Too Many Requests", retryable: true, delay: time.Second, requests: 1},
		{name: "400 raw body", turns: []modelserver.Turn{{Status: 400, Body: `{"error":{"message":"bad"}}`}},
			wantErr: `{"error":{"message":"bad"}}`, requests: 1},
		{name: "401", turns: []modelserver.Turn{{Status: 401, Body: `{"error":{"message":"Incorrect API key"}}`}},
			wantErr: "unexpected status 401 Unauthorized: Incorrect API key, url: ", retryable: true, requests: 1},
		{name: "dropped", turns: []modelserver.Turn{{Items: []json.RawMessage{modelserver.Message("partial answer here")}, DropAfter: 3}},
			wantErr: "stream disconnected before completion", retryable: true, requests: 1},
		{name: "failed", turns: []modelserver.Turn{{Fail: &modelserver.Fail{Code: "server_error", Message: "mock failure"}}},
			wantErr: "stream disconnected before completion: mock failure", retryable: true, requests: 1},
		{name: "rate limit in stream", turns: []modelserver.Turn{{Fail: &modelserver.Fail{Code: "rate_limit_exceeded", Message: "Rate limit reached. Please try again in 1.5s."}}},
			wantErr: "try again in 1.5s", retryable: true, delay: 1500 * time.Millisecond, requests: 1},
		{name: "context window", turns: []modelserver.Turn{{Fail: &modelserver.Fail{Code: "context_length_exceeded", Message: "x"}}},
			wantErr: "context window", requests: 1},
		{name: "malformed", turns: []modelserver.Turn{{Malformed: true}},
			wantErr: "malformed event", retryable: true, requests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, tt.turns...)
			var sl sleeps
			c := &model.Responses{HTTP: newHTTP(srv, &sl)}
			var got collected
			err := c.Stream(context.Background(), &model.Request{Model: "m"}, got.emit)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
			}
			if err != nil {
				ok, d := model.Retryable(err)
				if ok != tt.retryable || d != tt.delay {
					t.Errorf("Retryable = %v, %v; want %v, %v", ok, d, tt.retryable, tt.delay)
				}
			}
			if !reflect.DeepEqual(sl.d, tt.sleeps) {
				t.Errorf("sleeps = %v, want %v", sl.d, tt.sleeps)
			}
			if n := len(srv.Requests()); n != tt.requests {
				t.Errorf("requests = %d, want %d", n, tt.requests)
			}
		})
	}
}

func TestRunReconnects(t *testing.T) {
	srv := start(t,
		modelserver.Turn{Status: 429, RetryAfter: "1"},
		modelserver.Turn{Fail: &modelserver.Fail{Code: "x", Message: "mock failure"}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}},
	)
	var sl sleeps
	c := &model.Responses{HTTP: newHTTP(srv, &sl)}
	var got collected
	var retries []string
	err := model.Run(context.Background(), c, &model.Request{Model: "m"},
		model.StreamRetry{Max: 2, Sleep: sl.sleep, Backoff: model.Backoff{Jitter: noJitter}}, got.emit,
		func(n, max int, err error) { retries = append(retries, err.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"exceeded retry limit, last status: 429 Too Many Requests: scripted status 429", "stream disconnected before completion: mock failure"}
	if !reflect.DeepEqual(retries, want) {
		t.Errorf("retries = %q, want %q", retries, want)
	}
	if !reflect.DeepEqual(sl.d, []time.Duration{time.Second, 400 * time.Millisecond}) {
		t.Errorf("sleeps = %v", sl.d)
	}
	// Exhausted: the last error comes back.
	srv2 := start(t, modelserver.Turn{Status: 429}, modelserver.Turn{Status: 429})
	c2 := &model.Responses{HTTP: newHTTP(srv2, &sl)}
	err = model.Run(context.Background(), c2, &model.Request{Model: "m"}, model.StreamRetry{Max: 1, Sleep: sl.sleep}, got.emit, nil)
	var se *model.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusTooManyRequests {
		t.Errorf("err = %v", err)
	}
}

type refresher struct{ tok string }

func (r *refresher) Token(context.Context) (string, string, error) { return r.tok, "acct-1", nil }
func (r *refresher) Refresh(context.Context) error {
	r.tok = "fresh"
	return nil
}

func TestRefreshOn401(t *testing.T) {
	srv := start(t, modelserver.Turn{Status: 401}, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
	var sl sleeps
	h := newHTTP(srv, &sl)
	h.Creds = &refresher{tok: "stale"}
	c := &model.Responses{HTTP: h}
	var got collected
	if err := c.Stream(context.Background(), &model.Request{Model: "m"}, got.emit); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("Authorization") != "Bearer stale" || reqs[1].Header.Get("Authorization") != "Bearer fresh" || reqs[1].Header.Get("chatgpt-account-id") != "acct-1" {
		t.Errorf("auth headers: %v / %v", reqs[0].Header, reqs[len(reqs)-1].Header)
	}
}

func TestIdleTimeout(t *testing.T) {
	srv := start(t, modelserver.Turn{Hang: true})
	var sl sleeps
	h := newHTTP(srv, &sl)
	h.IdleTimeout = 50 * time.Millisecond
	c := &model.Responses{HTTP: h}
	var got collected
	err := c.Stream(context.Background(), &model.Request{Model: "m"}, got.emit)
	if err == nil || !strings.Contains(err.Error(), "idle timeout") {
		t.Fatalf("err = %v", err)
	}
}

func TestChatStream(t *testing.T) {
	srv := start(t, modelserver.Turn{Items: []json.RawMessage{
		modelserver.Message("let me look"),
		modelserver.FunctionCall("call_a", "shell", map[string]any{"command": []string{"ls"}}),
		modelserver.FunctionCall("call_b", "update_plan", map[string]any{"plan": []any{}}),
	}})
	var sl sleeps
	c := &model.Chat{HTTP: newHTTP(srv, &sl)}
	var got collected
	tools := []json.RawMessage{json.RawMessage(`{"type":"function","name":"shell","description":"d","parameters":{"type":"object"}}`),
		json.RawMessage(`{"type":"custom","name":"apply_patch"}`)}
	req := &model.Request{Model: "m", Instructions: "sys", Tools: tools, Input: []model.Item{
		model.UserMessage("hi"),
		{Type: "function_call", CallID: "c0", Name: "shell", Arguments: `{"command":["pwd"]}`},
		model.FunctionOutput("c0", "/tmp"),
	}}
	if err := c.Stream(context.Background(), req, got.emit); err != nil {
		t.Fatal(err)
	}
	if got.text != "let me look" || len(got.items) != 3 {
		t.Fatalf("text %q items %+v", got.text, got.items)
	}
	if it := got.items[1]; it.Type != "function_call" || it.CallID != "call_a" || it.Arguments != `{"command":["ls"]}` {
		t.Errorf("call = %+v", it)
	}
	if got.done == nil || got.done.Usage == nil || got.done.Usage.TotalTokens != 120 {
		t.Errorf("done = %+v", got.done)
	}
	var body struct {
		Messages []map[string]any `json:"messages"`
		Tools    []map[string]any `json:"tools"`
	}
	if err := srv.Requests()[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	roles := []string{}
	for _, m := range body.Messages {
		roles = append(roles, m["role"].(string))
	}
	if !reflect.DeepEqual(roles, []string{"system", "user", "assistant", "tool"}) || len(body.Tools) != 1 {
		t.Errorf("roles %v tools %v", roles, body.Tools)
	}
	if srv.Requests()[0].Path != "/v1/chat/completions" {
		t.Errorf("path %s", srv.Requests()[0].Path)
	}
}

func TestChatDropped(t *testing.T) {
	srv := start(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("a b c d")}, DropAfter: 2})
	var sl sleeps
	c := &model.Chat{HTTP: newHTTP(srv, &sl)}
	var got collected
	err := c.Stream(context.Background(), &model.Request{Model: "m"}, got.emit)
	if ok, _ := model.Retryable(err); !ok {
		t.Fatalf("err = %v, want retryable", err)
	}
}
