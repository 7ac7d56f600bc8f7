package mcpclient

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// JSON-RPC error codes used for failures on our side of the wire.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeClientFailure  = -32000 // timed out, interrupted, server gone
)

type jsonlRequest struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params,omitempty"`
}

type jsonlError struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

type jsonlResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *jsonlError     `json:"error,omitempty"`
}

// serveJSONL answers one request per stdin line, in order, one response
// per stdout line. Failures are answered in-band; the run fails (exit 1)
// only if the server died or we were interrupted.
func (o *operation) serveJSONL(ctx context.Context) error {
	sc := bufio.NewScanner(o.stdin)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	enc := json.NewEncoder(o.stdout)
	for sc.Scan() {
		line := sc.Bytes()
		if len(trimSpace(line)) == 0 {
			continue
		}
		resp := o.answer(ctx, line)
		if err := enc.Encode(resp); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		if ctx.Err() != nil {
			return errors.New("interrupted")
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read requests: %w", err)
	}
	select {
	case <-o.conn.Done():
		return fmt.Errorf("server ended the session: %v", orLost(o.conn.ExitError()))
	default:
	}
	return nil
}

func orLost(err error) error {
	if err == nil {
		return errors.New("connection lost")
	}
	return err
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func (o *operation) answer(ctx context.Context, line []byte) jsonlResponse {
	resp := jsonlResponse{JSONRPC: "2.0", ID: json.RawMessage("null")}
	req, jerr := parseRequest(line)
	if len(req.ID) > 0 {
		resp.ID = req.ID
	}
	if jerr != nil {
		resp.Error = jerr
		return resp
	}
	cctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	v, err := o.dispatch(cctx, req)
	if err != nil {
		resp.Error = o.toJSONLError(ctx, err, req.Method)
		return resp
	}
	raw := o.conn.Raw(req.Method)
	if raw == nil {
		b, err := json.Marshal(v)
		if err != nil {
			resp.Error = &jsonlError{Code: codeClientFailure, Message: "encode result: " + err.Error()}
			return resp
		}
		raw = b
	}
	resp.Result = raw
	return resp
}

// parseRequest decodes one input line; the id is kept when the line is
// a JSON object even if the request is otherwise invalid.
func parseRequest(line []byte) (jsonlRequest, *jsonlError) {
	var req jsonlRequest
	if err := json.Unmarshal(line, &req); err != nil {
		var idOnly struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(line, &idOnly) == nil && validID(idOnly.ID) {
			return jsonlRequest{ID: idOnly.ID}, &jsonlError{Code: codeInvalidRequest, Message: "invalid request: " + err.Error()}
		}
		return jsonlRequest{}, &jsonlError{Code: codeParseError, Message: "parse error: " + err.Error()}
	}
	if len(req.ID) > 0 && !validID(req.ID) {
		return jsonlRequest{}, &jsonlError{Code: codeInvalidRequest, Message: "invalid request: id must be a string, a number or null"}
	}
	if req.Method == "" {
		return req, &jsonlError{Code: codeInvalidRequest, Message: "invalid request: no method"}
	}
	return req, nil
}

// validID accepts the JSON-RPC id forms: string, number, null.
func validID(id json.RawMessage) bool {
	if len(id) == 0 {
		return false
	}
	switch id[0] {
	case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return json.Valid(id)
	}
	return false
}

// paramsError marks undecodable params.
type paramsError struct{ error }

func decode[P any](raw json.RawMessage) (*P, error) {
	p := new(P)
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, p); err != nil {
			return nil, paramsError{err}
		}
	}
	return p, nil
}

func call[P any, R any](ctx context.Context, raw json.RawMessage, f func(context.Context, *P) (R, error)) (any, error) {
	p, err := decode[P](raw)
	if err != nil {
		return nil, err
	}
	return f(ctx, p)
}

var errNoMethod = errors.New("method not found")

func (o *operation) dispatch(ctx context.Context, req jsonlRequest) (any, error) {
	cs := o.conn.Session
	switch req.Method {
	case "initialize":
		return cs.InitializeResult(), nil
	case "ping":
		return call(ctx, req.Params, func(ctx context.Context, p *mcp.PingParams) (any, error) {
			return map[string]any{}, cs.Ping(ctx, p)
		})
	case "tools/list":
		return call(ctx, req.Params, cs.ListTools)
	case "tools/call":
		return call(ctx, req.Params, cs.CallTool)
	case "resources/list":
		return call(ctx, req.Params, cs.ListResources)
	case "resources/templates/list":
		return call(ctx, req.Params, cs.ListResourceTemplates)
	case "resources/read":
		return call(ctx, req.Params, cs.ReadResource)
	case "prompts/list":
		return call(ctx, req.Params, cs.ListPrompts)
	case "prompts/get":
		return call(ctx, req.Params, cs.GetPrompt)
	case "completion/complete":
		return call(ctx, req.Params, cs.Complete)
	}
	return nil, errNoMethod
}

func (o *operation) toJSONLError(ctx context.Context, err error, method string) *jsonlError {
	var pe paramsError
	var we *jsonrpc.Error
	switch {
	case errors.Is(err, errNoMethod):
		return &jsonlError{Code: codeMethodNotFound, Message: "method not found: " + method}
	case errors.As(err, &pe):
		return &jsonlError{Code: codeInvalidParams, Message: "invalid params: " + pe.Error()}
	case errors.As(err, &we):
		return &jsonlError{Code: we.Code, Message: we.Message, Data: we.Data}
	}
	return &jsonlError{Code: codeClientFailure, Message: o.failure(ctx, err, method).Error()}
}
