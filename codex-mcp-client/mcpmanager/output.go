package mcpmanager

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// OutputItem is one element of a function_call_output's output array.
type OutputItem struct {
	Type     string `json:"type"` // "input_text" or "input_image"
	Text     string `json:"text,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
}

// ModelOutput renders a tool result for the model the way Codex does.
// With structured content the output is one string, "Wall time: S
// seconds\nOutput:\n<structured JSON>" (returned as text, items nil).
// Otherwise it is a list: a "Wall time: S seconds\nOutput:" text item,
// then one item per content block: text as input_text, images as
// input_image data URLs, anything else (audio, resources, links) as its
// JSON in an input_text.
func ModelOutput(res *mcp.CallToolResult, wall time.Duration) (text string, items []OutputItem) {
	head := fmt.Sprintf("Wall time: %.4f seconds\nOutput:", wall.Seconds())
	if res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err == nil {
			return head + "\n" + string(b), nil
		}
	}
	items = append(items, OutputItem{Type: "input_text", Text: head})
	for _, c := range res.Content {
		switch c := c.(type) {
		case *mcp.TextContent:
			items = append(items, OutputItem{Type: "input_text", Text: c.Text})
		case *mcp.ImageContent:
			items = append(items, OutputItem{Type: "input_image",
				ImageURL: "data:" + c.MIMEType + ";base64," + encodeBase64(c.Data)})
		default:
			b, err := json.Marshal(c)
			if err != nil {
				b = []byte(fmt.Sprintf("%T", c))
			}
			items = append(items, OutputItem{Type: "input_text", Text: string(b)})
		}
	}
	return "", items
}

func encodeBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
