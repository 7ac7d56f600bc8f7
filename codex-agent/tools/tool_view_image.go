package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/model"
)

const viewImageSpec = `{"type":"function","name":"view_image","description":"Attach a local image (by filesystem path) to the conversation so you can see it, e.g. a screenshot or a chart a command produced.","strict":false,"parameters":{"type":"object","properties":{"path":{"type":"string","description":"Path of the image file, absolute or relative to the working directory"}},"required":["path"],"additionalProperties":false}}`

// viewImageTool is view_image: a local image shown to the model.
type viewImageTool struct{}

func (viewImageTool) builtin()              {}
func (viewImageTool) Name() string          { return "view_image" }
func (viewImageTool) Spec() json.RawMessage { return json.RawMessage(viewImageSpec) }

func (viewImageTool) Handle(_ context.Context, inv *Invocation) model.Item {
	var a struct {
		Path string `json:"path"`
	}
	if err := json.Unmarshal([]byte(inv.call.Arguments), &a); err != nil || a.Path == "" {
		return inv.Reply("failed to parse function arguments: " + errText(err, "missing field `path`"))
	}
	return inv.Reply(inv.s.viewImage(inv.cfg, a.Path))
}
