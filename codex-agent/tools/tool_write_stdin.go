package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/model"
)

const writeStdinSpec = `{"type":"function","name":"write_stdin","description":"Writes characters to an existing unified exec session and returns recent output.","strict":false,"parameters":{"type":"object","properties":{"session_id":{"type":"number","description":"Identifier of the running unified exec session."},"chars":{"type":"string","description":"Bytes to write to stdin (may be empty to poll)."},"yield_time_ms":{"type":"number","description":"How long to wait (in milliseconds) for output before yielding."},"max_output_tokens":{"type":"number","description":"Maximum number of tokens to return. Excess output will be truncated."}},"required":["session_id"],"additionalProperties":false}}`

// writeStdinTool is write_stdin: input to (or a poll of) a running
// exec_command session. It is shown, never asked about: the command was
// approved when it started.
type writeStdinTool struct{}

func (writeStdinTool) builtin()              {}
func (writeStdinTool) Name() string          { return "write_stdin" }
func (writeStdinTool) Spec() json.RawMessage { return json.RawMessage(writeStdinSpec) }

func (writeStdinTool) Handle(ctx context.Context, inv *Invocation) model.Item {
	var a writeStdinArgs
	if err := json.Unmarshal([]byte(inv.call.Arguments), &a); err != nil {
		return inv.Reply("failed to parse function arguments: " + err.Error())
	}
	return inv.Reply(inv.s.writeStdin(ctx, inv.turnID, inv.cfg, a))
}
