package appserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/codexgo/common/jsonl"
)

// JSON-RPC error codes the server answers with.
const (
	codeParse          = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603
)

// rpcError is a JSON-RPC error object; handlers return it to choose the
// code, any other error is an internal error.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return e.Message }

func invalidParams(format string, a ...any) *rpcError {
	return &rpcError{Code: codeInvalidParams, Message: fmt.Sprintf(format, a...)}
}

func invalidRequest(format string, a ...any) *rpcError {
	return &rpcError{Code: codeInvalidRequest, Message: fmt.Sprintf(format, a...)}
}

// message is any JSON-RPC message as the protocol frames it: one JSON
// object per line, without a "jsonrpc" member.
type message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *rpcError       `json:"error,omitempty"`
}

// requestID is a JSON-RPC id: a string or an integer, kept as its JSON
// text so that it is echoed exactly as the client sent it.
type requestID json.RawMessage

// parseID checks that raw is a string or an integer.
func parseID(raw json.RawMessage) (requestID, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("missing id")
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return requestID(raw), nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
			return nil, fmt.Errorf("id %s is not an integer", raw)
		}
		return requestID(raw), nil
	}
	return nil, fmt.Errorf("id %s is neither a string nor an integer", raw)
}

// MarshalJSON writes the id as the client sent it.
func (id requestID) MarshalJSON() ([]byte, error) {
	if len(id) == 0 {
		return []byte("null"), nil
	}
	return []byte(id), nil
}

type responseMsg struct {
	ID     requestID `json:"id"`
	Result any       `json:"result"`
}

type errorMsg struct {
	ID    requestID `json:"id"`
	Error *rpcError `json:"error"`
}

type notificationMsg struct {
	Method string `json:"method"`
	Params any    `json:"params,omitempty"`
	// EmittedAtMs is when the server sent it, as the Codex CLI stamps
	// every notification.
	EmittedAtMs int64 `json:"emittedAtMs"`
}

type serverRequestMsg struct {
	ID     int64  `json:"id"`
	Method string `json:"method"`
	Params any    `json:"params"`
}

// conn is the server's side of the stream: it writes whole lines and
// matches the client's responses to the server's own requests.
type conn struct {
	w   *jsonl.Writer
	now func() time.Time

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan message
	optOut  map[string]bool
	closed  bool
	werr    error
}

func newConn(w *jsonl.Writer, now func() time.Time) *conn {
	return &conn{w: w, now: now, pending: map[int64]chan message{}}
}

func (c *conn) write(v any) {
	if err := c.w.Write(v); err != nil {
		c.mu.Lock()
		if c.werr == nil {
			c.werr = fmt.Errorf("write output: %w", err)
		}
		c.mu.Unlock()
	}
}

func (c *conn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.werr
}

func (c *conn) respond(id requestID, result any) {
	if result == nil {
		result = struct{}{}
	}
	if d, ok := result.(then); ok {
		c.write(responseMsg{ID: id, Result: d.result})
		d.next()
		return
	}
	c.write(responseMsg{ID: id, Result: result})
}

// then is a result whose next step (notifications that must follow the
// response) runs once the response is written.
type then struct {
	result any
	next   func()
}

func (c *conn) fail(id requestID, err error) {
	var re *rpcError
	if !errors.As(err, &re) {
		re = &rpcError{Code: codeInternal, Message: err.Error()}
	}
	c.write(errorMsg{ID: id, Error: re})
}

// notify sends a notification unless the client opted out of its method
// (initialize's capabilities.optOutNotificationMethods).
func (c *conn) notify(method string, params any) {
	c.mu.Lock()
	skip := c.optOut[method]
	c.mu.Unlock()
	if skip {
		return
	}
	c.write(notificationMsg{Method: method, Params: params, EmittedAtMs: c.now().UnixMilli()})
}

// request sends a server request (integer ids from 0, as the Codex CLI
// numbers them) and returns its id and a channel that receives the
// client's answer, or is closed when the connection ends first.
func (c *conn) request(method string, params any) (int64, <-chan message) {
	ch := make(chan message, 1)
	c.mu.Lock()
	id := c.nextID
	c.nextID++
	if c.closed {
		close(ch)
	} else {
		c.pending[id] = ch
	}
	c.mu.Unlock()
	c.write(serverRequestMsg{ID: id, Method: method, Params: params})
	return id, ch
}

// forget drops a request the server no longer waits for.
func (c *conn) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, id)
}

// deliver routes a client's response; it reports false for an id the
// server is not waiting on.
func (c *conn) deliver(m message) bool {
	id, err := strconv.ParseInt(string(bytes.TrimSpace(m.ID)), 10, 64)
	if err != nil {
		return false
	}
	c.mu.Lock()
	ch, ok := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if ok {
		ch <- m
	}
	return ok
}

// close ends every pending server request.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
}
