package mcpclient

import (
	"encoding/json"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		line   string
		method string
		id     string
		code   int64
	}{
		{`{"id":1,"method":"tools/list"}`, "tools/list", "1", 0},
		{`{"method":"ping"}`, "ping", "", 0},
		{`{"id":"a","method":""}`, "", `"a"`, codeInvalidRequest},
		{`{"id":{"x":1},"method":"ping"}`, "", "", codeInvalidRequest},
		{`{"id":2,"method":7}`, "", "2", codeInvalidRequest},
		{`[1,2]`, "", "", codeParseError},
		{`{`, "", "", codeParseError},
	}
	for _, tt := range tests {
		req, jerr := parseRequest([]byte(tt.line))
		code := int64(0)
		if jerr != nil {
			code = jerr.Code
		}
		if req.Method != tt.method || string(req.ID) != tt.id || code != tt.code {
			t.Errorf("%s: got method %q id %s code %d, want %q %s %d", tt.line, req.Method, req.ID, code, tt.method, tt.id, tt.code)
		}
	}
}

func FuzzJSONLRequest(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"x"}}}`))
	f.Add([]byte(`{"id":"x","method":"prompts/get","params":{"name":"p","arguments":{"a":"b"}}}`))
	f.Add([]byte(`{"id":null,"method":"resources/read","params":null}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		req, jerr := parseRequest(line)
		if jerr == nil && req.Method == "" {
			t.Fatal("accepted a request without a method")
		}
		if len(req.ID) > 0 && !json.Valid(req.ID) {
			t.Fatalf("kept an invalid id %q", req.ID)
		}
		// Params decoding must fail cleanly, never panic.
		_, _ = decode[mcp.CallToolParams](req.Params)
		_, _ = decode[mcp.GetPromptParams](req.Params)
		_, _ = decode[mcp.ReadResourceParams](req.Params)
	})
}
