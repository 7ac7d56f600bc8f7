package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/model"
)

// webSearchSpec is the web_search tool as the Codex CLI 0.169 offers it.
const webSearchSpec = `{"type":"web_search","external_web_access":true,"search_content_types":["text","image"]}`

// webSearchTool is the Responses API's own web_search: the server
// searches, and its web_search_call items only report it (turn.go), so
// a call never reaches Handle.
type webSearchTool struct{ spec json.RawMessage }

func (webSearchTool) builtin()     {}
func (webSearchTool) Name() string { return "web_search" }
func (w webSearchTool) Spec() json.RawMessage {
	if w.spec != nil {
		return w.spec
	}
	return json.RawMessage(webSearchSpec)
}

func (webSearchTool) Handle(_ context.Context, inv *Invocation) model.Item {
	return inv.Reply("web_search runs on the server")
}
