package modelserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/codexgo/codex-agent/sse"
)

// Request is one recorded request.
type Request struct {
	Method   string      `json:"method"`
	Path     string      `json:"path"`
	RawQuery string      `json:"query,omitempty"`
	Header   http.Header `json:"header"`
	Body     []byte      `json:"body,omitempty"`
}

// JSON decodes the recorded body into v.
func (r Request) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// Server serves scripted turns.
type Server struct {
	mu       sync.Mutex
	turns    []Turn
	next     int
	requests []Request
	onReq    func(Request)
	authz    func(http.Header) error
	models   []string
	loop     bool

	ln  net.Listener
	srv *http.Server
	wg  sync.WaitGroup
}

// New returns a server for script that is not listening yet; use Handler
// with your own listener or Start.
func New(s Script) *Server {
	return &Server{turns: append([]Turn(nil), s.Turns...), models: []string{"gpt-oss:20b", "mock-model"}}
}

// Start serves a script on 127.0.0.1 at a free port.
func Start(s Script) (*Server, error) {
	return StartAddr(s, "127.0.0.1:0")
}

// StartAddr serves a script on addr (which should be a loopback address).
func StartAddr(s Script, addr string) (*Server, error) {
	srv := New(s)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	srv.ln = ln
	srv.srv = &http.Server{Handler: srv.Handler()}
	srv.wg.Add(1)
	go func() {
		defer srv.wg.Done()
		_ = srv.srv.Serve(ln)
	}()
	return srv, nil
}

// URL is the base URL to configure as a provider's base_url (ends in /v1).
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/v1" }

// Close stops the server, ending open streams.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	s.wg.Wait()
	return err
}

// Loop makes the script start over once exhausted (benchmarks replay one
// task many times).
func (s *Server) Loop(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loop = on
}

// Push appends turns to the script.
func (s *Server) Push(turns ...Turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.turns = append(s.turns, turns...)
}

// OnRequest registers f to be called with each recorded request (for
// writing a log as requests arrive).
func (s *Server) OnRequest(f func(Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onReq = f
}

// RequireAuth makes every model request pass check first, as the real
// API authenticates before anything else: a request check refuses is
// recorded and answered 401 with an OpenAI error body, using no turn.
func (s *Server) RequireAuth(check func(http.Header) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authz = check
}

// Requests returns the model requests received so far (POSTs).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Remaining reports how many scripted turns are left.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.turns) - s.next
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/responses", func(w http.ResponseWriter, r *http.Request) { s.serveModel(w, r, false) })
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) { s.serveModel(w, r, true) })
	// Other prefixes (the ChatGPT backend's /backend-api/codex/responses,
	// Azure-style deployments) reach the same scripted turns.
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/responses"):
			s.serveModel(w, r, false)
		case strings.HasSuffix(r.URL.Path, "/chat/completions"):
			s.serveModel(w, r, true)
		default:
			http.NotFound(w, r)
		}
	})
	mux.HandleFunc("POST /api/pull", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		_ = json.Unmarshal(body, &req)
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		s.models = append(s.models, req.Model)
		s.mu.Unlock()
		writeJSON(w, map[string]any{"status": "success"})
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		data := []any{}
		s.mu.Lock()
		models := append([]string(nil), s.models...)
		s.mu.Unlock()
		for _, m := range models {
			data = append(data, map[string]any{"id": m, "object": "model"})
		}
		writeJSON(w, map[string]any{"object": "list", "data": data})
	})
	mux.HandleFunc("GET /api/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"version": "0.0.0-modelserver"})
	})
	mux.HandleFunc("GET /api/tags", func(w http.ResponseWriter, r *http.Request) {
		models := []any{}
		for _, m := range s.models {
			models = append(models, map[string]any{"name": m, "model": m})
		}
		writeJSON(w, map[string]any{"models": models})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) take(r *http.Request) (Turn, bool, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<20))
	if err != nil {
		return Turn{}, false, err
	}
	rec := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	s.mu.Lock()
	authz := s.authz
	s.mu.Unlock()
	if authz != nil {
		if err := authz(r.Header); err != nil {
			s.mu.Lock()
			s.requests = append(s.requests, rec)
			s.mu.Unlock()
			return Turn{}, false, errUnauthorized(err.Error())
		}
	}
	if r.URL.Path == "/v1/responses" || strings.HasSuffix(r.URL.Path, "/responses") {
		if msg := unpairedCall(body); msg != "" {
			// As strict as the real Responses API, which rejects the
			// request before anything else: no scripted turn is used.
			s.mu.Lock()
			s.requests = append(s.requests, rec)
			s.mu.Unlock()
			return Turn{}, false, errUnpaired(msg)
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	f := s.onReq
	var t Turn
	if s.loop && s.next >= len(s.turns) {
		s.next = 0
	}
	ok := s.next < len(s.turns)
	if ok {
		t = s.turns[s.next]
		s.next++
	}
	s.mu.Unlock()
	if f != nil {
		f(rec)
	}
	return t, ok, nil
}

func (s *Server) serveModel(w http.ResponseWriter, r *http.Request, chat bool) {
	t, ok, err := s.take(r)
	var ua errUnauthorized
	if errors.As(err, &ua) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": string(ua), "type": "invalid_request_error", "param": nil, "code": "invalid_authorization"}})
		_, _ = w.Write(b)
		return
	}
	var up errUnpaired
	if errors.As(err, &up) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": string(up), "type": "invalid_request_error", "param": "input", "code": nil}})
		_, _ = w.Write(b)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":{"message":"modelserver: script exhausted","type":"invalid_request_error"}}`)
		return
	}
	if t.Status != 0 && t.Status != http.StatusOK {
		for k, v := range t.Headers {
			w.Header().Set(k, v)
		}
		if t.RetryAfter != "" {
			w.Header().Set("Retry-After", t.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(t.Status)
		body := t.Body
		if body == "" {
			body = fmt.Sprintf(`{"error":{"message":"scripted status %d"}}`, t.Status)
		}
		_, _ = io.WriteString(w, body)
		return
	}
	for k, v := range t.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	ew := &eventWriter{w: w, limit: t.DropAfter}
	if f, ok := w.(http.Flusher); ok {
		ew.flush = f.Flush
	}
	if chat {
		writeChat(ew, t)
	} else {
		writeResponses(ew, t)
	}
	if ew.dropped {
		// Cut the connection without the chunked terminator, as a dropped
		// network stream looks to the client.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
		return
	}
	if t.Hang && !ew.stopped {
		<-r.Context().Done()
	}
}

// eventWriter writes SSE events, stopping after limit events.
type eventWriter struct {
	w       io.Writer
	flush   func()
	n       int
	limit   int
	dropped bool
	stopped bool
}

var errStop = errors.New("stop")

func (e *eventWriter) event(typ string, v any) error {
	if e.stopped {
		return errStop
	}
	if e.limit > 0 && e.n >= e.limit {
		e.dropped, e.stopped = true, true
		return errStop
	}
	var data string
	if s, ok := v.(string); ok {
		data = s
	} else {
		data = string(mustJSON(v))
	}
	if err := sse.Write(e.w, typ, data); err != nil {
		e.stopped = true
		return err
	}
	e.n++
	if e.flush != nil {
		e.flush()
	}
	return nil
}

// chunks splits text into up to three deltas so clients see streaming.
func chunks(text string) []string {
	if len(text) < 6 {
		return []string{text}
	}
	f := strings.Fields(text)
	if len(f) < 3 {
		return []string{text[:len(text)/2], text[len(text)/2:]}
	}
	a := strings.Index(text, f[1])
	b := strings.Index(text[a:], f[2]) + a
	return []string{text[:a], text[a:b], text[b:]}
}

func defaultUsage(u json.RawMessage) json.RawMessage {
	if u != nil {
		return u
	}
	return json.RawMessage(`{"input_tokens":100,"input_tokens_details":{"cached_tokens":10},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":5},"total_tokens":120}`)
}

type scriptedItem struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Role    string `json:"role"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	Summary []struct {
		Text string `json:"text"`
	} `json:"summary"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments string          `json:"arguments"`
	Input     string          `json:"input"`
	Action    json.RawMessage `json:"action"`
}

func writeResponses(e *eventWriter, t Turn) {
	const id = "resp_1"
	if e.event("response.created", map[string]any{"type": "response.created",
		"response": map[string]any{"id": id, "object": "response", "status": "in_progress"}}) != nil {
		return
	}
	if e.event("response.in_progress", map[string]any{"type": "response.in_progress",
		"response": map[string]any{"id": id, "status": "in_progress"}}) != nil {
		return
	}
	for i, raw := range t.Items {
		var it scriptedItem
		_ = json.Unmarshal(raw, &it)
		if e.event("response.output_item.added", map[string]any{"type": "response.output_item.added",
			"output_index": i, "item": json.RawMessage(raw)}) != nil {
			return
		}
		switch it.Type {
		case "message":
			for _, c := range it.Content {
				for _, d := range chunks(c.Text) {
					if e.event("response.output_text.delta", map[string]any{"type": "response.output_text.delta",
						"output_index": i, "content_index": 0, "delta": d}) != nil {
						return
					}
				}
			}
		case "web_search_call":
			// The search runs on the server; the stream reports its stages.
			for _, stage := range []string{"in_progress", "searching", "completed"} {
				if e.event("response.web_search_call."+stage, map[string]any{"type": "response.web_search_call." + stage,
					"output_index": i, "item_id": it.ID}) != nil {
					return
				}
			}
		case "reasoning":
			if writeReasoning(e, i, it) != nil {
				return
			}
		}
		if e.event("response.output_item.done", map[string]any{"type": "response.output_item.done",
			"output_index": i, "item": json.RawMessage(raw)}) != nil {
			return
		}
	}
	if t.Malformed {
		_ = e.event("response.output_item.done", `{"type":"response.output_item.done","item":{`)
		e.stopped = true
		return
	}
	if t.Fail != nil {
		_ = e.event("response.failed", map[string]any{"type": "response.failed",
			"response": map[string]any{"id": id, "status": "failed", "error": t.Fail}})
		e.stopped = true
		return
	}
	if t.Hang {
		return
	}
	_ = e.event("response.completed", map[string]any{"type": "response.completed",
		"response": map[string]any{"id": id, "status": "completed", "usage": defaultUsage(t.Usage)}})
}

// writeReasoning streams a reasoning item as the Responses API does:
// each summary part opened (reasoning_summary_part.added) and its text,
// then the raw reasoning text of each content part.
func writeReasoning(e *eventWriter, i int, it scriptedItem) error {
	for si, sm := range it.Summary {
		if err := e.event("response.reasoning_summary_part.added", map[string]any{
			"type": "response.reasoning_summary_part.added", "item_id": it.ID, "output_index": i,
			"summary_index": si, "part": map[string]any{"type": "summary_text", "text": ""}}); err != nil {
			return err
		}
		if err := e.event("response.reasoning_summary_text.delta", map[string]any{
			"type": "response.reasoning_summary_text.delta", "item_id": it.ID, "output_index": i,
			"summary_index": si, "delta": sm.Text}); err != nil {
			return err
		}
	}
	for ci, c := range it.Content {
		if c.Type != "reasoning_text" {
			continue
		}
		if err := e.event("response.reasoning_text.delta", map[string]any{
			"type": "response.reasoning_text.delta", "item_id": it.ID, "output_index": i,
			"content_index": ci, "delta": c.Text}); err != nil {
			return err
		}
	}
	return nil
}

func writeChat(e *eventWriter, t Turn) {
	chunk := func(delta map[string]any, finish any) error {
		return e.event("", map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk",
			"model": "mock-model", "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
	}
	if chunk(map[string]any{"role": "assistant", "content": ""}, nil) != nil {
		return
	}
	calls := 0
	for _, raw := range t.Items {
		var it scriptedItem
		_ = json.Unmarshal(raw, &it)
		var err error
		switch it.Type {
		case "message":
			for _, c := range it.Content {
				for _, d := range chunks(c.Text) {
					if err = chunk(map[string]any{"content": d}, nil); err != nil {
						return
					}
				}
			}
		case "reasoning":
			for _, sm := range it.Summary {
				if err = chunk(map[string]any{"reasoning": sm.Text}, nil); err != nil {
					return
				}
			}
		case "function_call", "custom_tool_call":
			args := it.Arguments
			if it.Type == "custom_tool_call" {
				args = string(mustJSON(map[string]string{"input": it.Input}))
			}
			half := len(args) / 2
			if err = chunk(map[string]any{"tool_calls": []any{map[string]any{"index": calls, "id": it.CallID,
				"type": "function", "function": map[string]any{"name": it.Name, "arguments": args[:half]}}}}, nil); err != nil {
				return
			}
			if err = chunk(map[string]any{"tool_calls": []any{map[string]any{"index": calls,
				"function": map[string]any{"arguments": args[half:]}}}}, nil); err != nil {
				return
			}
			calls++
		}
	}
	if t.Malformed {
		_ = e.event("", `{"choices":[`)
		e.stopped = true
		return
	}
	if t.Fail != nil || t.Hang {
		e.stopped = t.Fail != nil
		return
	}
	finish := "stop"
	if calls > 0 {
		finish = "tool_calls"
	}
	if chunk(map[string]any{}, finish) != nil {
		return
	}
	var u struct {
		In  int64 `json:"input_tokens"`
		Out int64 `json:"output_tokens"`
		Tot int64 `json:"total_tokens"`
	}
	_ = json.Unmarshal(defaultUsage(t.Usage), &u)
	if e.event("", map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": []any{},
		"usage": map[string]any{"prompt_tokens": u.In, "completion_tokens": u.Out, "total_tokens": u.Tot}}) != nil {
		return
	}
	_ = e.event("", "[DONE]")
}

// errUnpaired is a request the real API rejects: a tool call without its
// output, or an output without its call.
type errUnpaired string

func (e errUnpaired) Error() string { return string(e) }

// errUnauthorized is a request RequireAuth's check refused.
type errUnauthorized string

func (e errUnauthorized) Error() string { return string(e) }

// unpairedCall returns the real API's message for the first tool call in
// a Responses request's input without an output (or output without a
// call), or "".
func unpairedCall(body []byte) string {
	var req struct {
		Input []struct {
			Type   string `json:"type"`
			CallID string `json:"call_id"`
		} `json:"input"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	calls := map[string]string{}
	outputs := map[string]bool{}
	var order []string
	for _, it := range req.Input {
		switch it.Type {
		case "function_call", "custom_tool_call", "local_shell_call":
			calls[it.CallID] = it.Type
			order = append(order, it.CallID)
		case "function_call_output", "custom_tool_call_output", "local_shell_call_output":
			if _, ok := calls[it.CallID]; !ok {
				return "No tool call found for " + strings.ReplaceAll(strings.TrimSuffix(it.Type, "_output"), "_", " ") + " output with call_id " + it.CallID + "."
			}
			outputs[it.CallID] = true
		}
	}
	for _, id := range order {
		if !outputs[id] {
			kind := "function call"
			switch calls[id] {
			case "custom_tool_call":
				kind = "custom tool call"
			case "local_shell_call":
				kind = "local shell call"
			}
			return "No tool output found for " + kind + " " + id + "."
		}
	}
	return ""
}
