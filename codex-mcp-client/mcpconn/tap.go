package mcpconn

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// tap remembers, per method, the raw result of the newest answered
// request, so results can be shown exactly as the server sent them. It
// watches a stdio connection (tapConn) or HTTP exchanges (tapTransport).
type tap struct {
	mu      sync.Mutex
	pending map[jsonrpc.ID]string // request id -> method
	latest  map[string]jsonrpc.ID // method -> id of the newest request
	results map[string]json.RawMessage
}

func newTap() *tap {
	return &tap{pending: map[jsonrpc.ID]string{}, latest: map[string]jsonrpc.ID{}, results: map[string]json.RawMessage{}}
}

func (t *tap) last(method string) json.RawMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.results[method]
}

func (t *tap) sent(m jsonrpc.Message) {
	req, ok := m.(*jsonrpc.Request)
	if !ok || !req.IsCall() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending[req.ID] = req.Method
	t.latest[req.Method] = req.ID
	delete(t.results, req.Method)
}

func (t *tap) received(m jsonrpc.Message) {
	resp, ok := m.(*jsonrpc.Response)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	method, ok := t.pending[resp.ID]
	if !ok {
		return
	}
	delete(t.pending, resp.ID)
	// A late answer to an abandoned (timed-out) request must not pass
	// for the answer to the newest one.
	if resp.Error == nil && t.latest[method] == resp.ID {
		t.results[method] = append(json.RawMessage(nil), resp.Result...)
	}
}

// receivedBytes decodes one wire message and records it if it answers a
// watched request; anything undecodable is the SDK's business.
func (t *tap) receivedBytes(b []byte) {
	if m, err := jsonrpc.DecodeMessage(b); err == nil {
		t.received(m)
	}
}

// transport wraps a stdio transport.
func (t *tap) transport(inner mcp.Transport) mcp.Transport { return &tapTransport{inner: inner, t: t} }

type tapTransport struct {
	inner mcp.Transport
	t     *tap
}

// Connect implements mcp.Transport.
func (tt *tapTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := tt.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &tapConn{Connection: c, t: tt.t}, nil
}

type tapConn struct {
	mcp.Connection
	t *tap
}

func (c *tapConn) Write(ctx context.Context, m jsonrpc.Message) error {
	if resp, ok := m.(*jsonrpc.Response); ok {
		if r, changed := acceptWithContent(resp.Result); changed {
			cp := *resp
			cp.Result = r
			m = &cp
		}
	}
	c.t.sent(m)
	return c.Connection.Write(ctx, m)
}

func (c *tapConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	m, err := c.Connection.Read(ctx)
	if err == nil {
		c.t.received(m)
	}
	return m, err
}

// roundTripper taps streamable HTTP: request bodies name the method, and
// JSON or SSE response bodies carry the answers. (The SDK's HTTP
// connection cannot be wrapped like a stdio one without losing its
// session handling, so the tap sits one layer down.)
type roundTripper struct {
	base http.RoundTripper
	t    *tap
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		if m, err := jsonrpc.DecodeMessage(body); err == nil {
			if resp, ok := m.(*jsonrpc.Response); ok {
				if r, changed := acceptWithContent(resp.Result); changed {
					resp.Result = r
					if b, err := jsonrpc.EncodeMessage(resp); err == nil {
						body = b
						req.ContentLength = int64(len(b))
					}
				}
			}
			rt.t.sent(m)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	resp, err := rt.base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	ct := resp.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		resp.Body = &teeBody{ReadCloser: resp.Body, onEOF: rt.t.receivedBytes}
	case strings.HasPrefix(ct, "text/event-stream"):
		resp.Body = &sseTee{ReadCloser: resp.Body, t: rt.t}
	}
	return resp, nil
}

// teeBody buffers a JSON body as it is read and hands it over at EOF.
type teeBody struct {
	io.ReadCloser
	buf   bytes.Buffer
	onEOF func([]byte)
	done  bool
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.buf.Write(p[:n])
	if err == io.EOF && !b.done {
		b.done = true
		b.onEOF(b.buf.Bytes())
	}
	return n, err
}

// sseTee parses an event stream as the SDK reads it. Parsing happens
// inside Read, so an event is recorded before the SDK can see it whole.
type sseTee struct {
	io.ReadCloser
	t    *tap
	line []byte // incomplete line
	data []byte // current event's data
}

func (s *sseTee) Read(p []byte) (int, error) {
	n, err := s.ReadCloser.Read(p)
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			s.line = append(s.line, b...)
			break
		}
		s.line = append(s.line, b[:i]...)
		s.endLine()
		b = b[i+1:]
	}
	return n, err
}

func (s *sseTee) endLine() {
	line := bytes.TrimSuffix(s.line, []byte("\r"))
	switch {
	case len(line) == 0:
		if len(s.data) > 0 {
			s.t.receivedBytes(s.data)
			s.data = s.data[:0]
		}
	case bytes.HasPrefix(line, []byte("data:")):
		v := bytes.TrimPrefix(line[5:], []byte(" "))
		if len(s.data) > 0 {
			s.data = append(s.data, '\n')
		}
		s.data = append(s.data, v...)
	}
	s.line = s.line[:0]
}

// acceptWithContent gives an elicitation's accept the empty content the
// Codex CLI 0.169 sends with it ({"action":"accept","content":{}},
// measured against a server on the npm MCP SDK, whether the user's
// answer had content or not): the SDK's ElicitResult leaves an empty
// content out. Only a result that is {"action":"accept"} and nothing
// else is changed; no other answer a client gives has that shape.
func acceptWithContent(result json.RawMessage) (json.RawMessage, bool) {
	if len(result) == 0 || !bytes.Contains(result, []byte(`"accept"`)) {
		return result, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(result, &m) != nil || len(m) != 1 || string(m["action"]) != `"accept"` {
		return result, false
	}
	return json.RawMessage(`{"action":"accept","content":{}}`), true
}
