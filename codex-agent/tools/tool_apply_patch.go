package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/model"
)

const applyPatchFunctionSpec = `{"type":"function","name":"apply_patch","description":"Use the ` + "`apply_patch`" + ` tool to edit files. The patch language is a stripped-down, file-oriented diff format: *** Begin Patch, then one or more *** Add File: / *** Delete File: / *** Update File: sections (with optional *** Move to:), with @@ context markers and lines prefixed by ' ', '-' or '+', then *** End Patch. File paths must be relative.","strict":false,"parameters":{"type":"object","properties":{"input":{"type":"string","description":"The entire contents of the apply_patch command"}},"required":["input"],"additionalProperties":false}}`

// applyPatchGrammar is the Lark grammar of the patch format, written from
// the format's description.
const applyPatchGrammar = `start: begin_patch hunk+ end_patch
begin_patch: "*** Begin Patch" LF
end_patch: "*** End Patch" LF?

hunk: add_hunk | delete_hunk | update_hunk
add_hunk: "*** Add File: " filename LF add_line+
delete_hunk: "*** Delete File: " filename LF
update_hunk: "*** Update File: " filename LF change_move? change?

filename: /(.+)/
add_line: "+" /(.*)/ LF -> line

change_move: "*** Move to: " filename LF
change: (change_context | change_line)+ eof_line?
change_context: ("@@" | "@@ " /(.+)/) LF
change_line: ("+" | "-" | " ") /(.*)/ LF
eof_line: "*** End of File" LF

%import common.LF
`

func applyPatchFreeformSpec() json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"type":        "custom",
		"name":        "apply_patch",
		"description": "The `apply_patch` tool can be used to edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.",
		"format":      map[string]any{"type": "grammar", "syntax": "lark", "definition": applyPatchGrammar},
	})
	return b
}

// applyPatchTool is apply_patch, as a custom (grammar) tool or as a
// function taking {input}; calls of either form are answered.
type applyPatchTool struct{ freeform bool }

func (applyPatchTool) builtin()     {}
func (applyPatchTool) Name() string { return "apply_patch" }
func (t applyPatchTool) Spec() json.RawMessage {
	if t.freeform {
		return applyPatchFreeformSpec()
	}
	return json.RawMessage(applyPatchFunctionSpec)
}

func (applyPatchTool) Handle(ctx context.Context, inv *Invocation) model.Item {
	c := inv.call
	if c.Type == "custom_tool_call" {
		return inv.Reply(inv.s.applyPatch(ctx, inv.turnID, inv.cfg, c.CallID, c.Input, inv.cfg.Cwd))
	}
	var a struct {
		Input string `json:"input"`
	}
	if err := json.Unmarshal([]byte(c.Arguments), &a); err != nil || a.Input == "" {
		return inv.Reply("failed to parse function arguments: " + errText(err, "missing field `input`"))
	}
	return inv.Reply(inv.s.applyPatch(ctx, inv.turnID, inv.cfg, c.CallID, a.Input, inv.cfg.Cwd))
}
