package mcpmanager

import (
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestModelOutput(t *testing.T) {
	text, items := ModelOutput(&mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "Echo: hi"},
		&mcp.ImageContent{MIMEType: "image/png", Data: []byte{1, 2, 3}}}}, 7800*time.Microsecond)
	want := []OutputItem{{Type: "input_text", Text: "Wall time: 0.0078 seconds\nOutput:"}, {Type: "input_text", Text: "Echo: hi"},
		{Type: "input_image", ImageURL: "data:image/png;base64,AQID"}}
	if text != "" || len(items) != len(want) {
		t.Fatalf("got %q %+v", text, items)
	}
	for i := range want {
		if items[i] != want[i] {
			t.Errorf("item %d: got %+v, want %+v", i, items[i], want[i])
		}
	}
	text, items = ModelOutput(&mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ignored"}},
		StructuredContent: map[string]any{"threadId": "thread-1", "content": "echo: hi go"}}, 3*time.Millisecond)
	if want := "Wall time: 0.0030 seconds\nOutput:\n{\"content\":\"echo: hi go\",\"threadId\":\"thread-1\"}"; text != want || items != nil {
		t.Errorf("structured: got %q %v, want %q", text, items, want)
	}
}
