package exec

import (
	"encoding/json"
	"testing"
)

func TestMCPResultJSON(t *testing.T) {
	tests := []struct {
		raw, want string
		isError   bool
	}{
		{`{"content":[{"type":"text","text":"hi"}]}`, `{"content":[{"type":"text","text":"hi"}],"structured_content":null}`, false},
		{`{"content":[],"structuredContent":{"a":1},"isError":true}`, `{"content":[],"structured_content":{"a":1}}`, true},
		{`{"content":[{"type":"image","data":"AAE=","mimeType":"image/png"}]}`, `{"content":[{"type":"image","mimeType":"image/png","data":"AAE="}],"structured_content":null}`, false},
		{``, `null`, false},
		{`{"content":[{"type":"nonsense"}]}`, `null`, false},
	}
	for _, tt := range tests {
		got, isErr := mcpResult(json.RawMessage(tt.raw))
		if string(got) != tt.want || isErr != tt.isError {
			t.Errorf("mcpResult(%s) = %s, %v; want %s, %v", tt.raw, got, isErr, tt.want, tt.isError)
		}
	}
}
