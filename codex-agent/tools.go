package agent

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
)

// ShellTool names the shell tool offered to the model.
type ShellTool string

// The shell tool forms.
const (
	// ShellExecCommand is the newer string form: {cmd, workdir, …}.
	ShellExecCommand ShellTool = "exec_command"
	// ShellClassic is the classic argv form: {command: [...], workdir, timeout_ms}.
	ShellClassic ShellTool = "shell"
)

// ToolSet says which tools the model is offered.
type ToolSet struct {
	Shell ShellTool
	// FreeformPatch offers apply_patch as a custom (grammar) tool; else as
	// a function taking {input}. Chat Completions only has functions.
	FreeformPatch bool
	Plan          bool
	// WebSearch offers the Responses API's own web_search tool (the
	// server searches; the model's web_search_call items only report it).
	WebSearch bool
	// ViewImage offers view_image, which shows the model a local image.
	ViewImage bool
	// Extra are further tool specs (e.g. MCP tools, issue 8).
	Extra []json.RawMessage
}

const execCommandSpec = `{"type":"function","name":"exec_command","description":"Runs a command in a shell, returning its output, or a session ID for ongoing interaction (write_stdin) when it is still running after yield_time_ms. Commands run in the workspace under the session's sandbox; set workdir instead of using cd.","strict":false,"parameters":{"type":"object","properties":{"cmd":{"type":"string","description":"Shell command to execute."},"workdir":{"type":"string","description":"Optional working directory to run the command in; defaults to the turn cwd."},"shell":{"type":"string","description":"Shell binary to launch. Defaults to /bin/bash."},"login":{"type":"boolean","description":"Whether to run the shell with -l/-i semantics. Defaults to true."},"tty":{"type":"boolean","description":"Whether to allocate a TTY for the command. Defaults to false."},"yield_time_ms":{"type":"number","description":"How long to wait (in milliseconds) for output before yielding."},"max_output_tokens":{"type":"number","description":"Maximum number of tokens to return. Excess output will be truncated."},"sandbox_permissions":{"type":"string","enum":["use_default","require_escalated"],"description":"Sandbox permissions for the command. Set to \"require_escalated\" to request running without sandbox restrictions; defaults to \"use_default\"."},"justification":{"type":"string","description":"Only set if sandbox_permissions is \"require_escalated\". One sentence asking the user to approve running the command outside the sandbox."},"prefix_rule":{"type":"array","items":{"type":"string"},"description":"Only set if sandbox_permissions is \"require_escalated\". A command prefix the user may approve for the rest of the session."}},"required":["cmd"],"additionalProperties":false}}`

const writeStdinSpec = `{"type":"function","name":"write_stdin","description":"Writes characters to an existing unified exec session and returns recent output.","strict":false,"parameters":{"type":"object","properties":{"session_id":{"type":"number","description":"Identifier of the running unified exec session."},"chars":{"type":"string","description":"Bytes to write to stdin (may be empty to poll)."},"yield_time_ms":{"type":"number","description":"How long to wait (in milliseconds) for output before yielding."},"max_output_tokens":{"type":"number","description":"Maximum number of tokens to return. Excess output will be truncated."}},"required":["session_id"],"additionalProperties":false}}`

const viewImageSpec = `{"type":"function","name":"view_image","description":"Attach a local image (by filesystem path) to the conversation so you can see it, e.g. a screenshot or a chart a command produced.","strict":false,"parameters":{"type":"object","properties":{"path":{"type":"string","description":"Path of the image file, absolute or relative to the working directory"}},"required":["path"],"additionalProperties":false}}`

// webSearchSpec is the web_search tool as the Codex CLI 0.169 offers it.
const webSearchSpec = `{"type":"web_search","external_web_access":true,"search_content_types":["text","image"]}`

const shellSpec = `{"type":"function","name":"shell","description":"Runs a shell command and returns its output.\n- The arguments to ` + "`shell`" + ` will be passed to execvp(). Most terminal commands should be prefixed with [\"bash\", \"-lc\"].\n- Always set the ` + "`workdir`" + ` param when using the shell function. Do not use ` + "`cd`" + ` unless absolutely necessary.","strict":false,"parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"},"description":"The command to execute"},"workdir":{"type":"string","description":"The working directory to execute the command in"},"timeout_ms":{"type":"number","description":"The timeout for the command in milliseconds"},"sandbox_permissions":{"type":"string","enum":["use_default","require_escalated"],"description":"Set to \"require_escalated\" to request running without sandbox restrictions."},"justification":{"type":"string","description":"Only set if sandbox_permissions is \"require_escalated\"."},"prefix_rule":{"type":"array","items":{"type":"string"}}},"required":["command"],"additionalProperties":false}}`

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

const updatePlanSpec = `{"type":"function","name":"update_plan","strict":false,"description":"Updates the task plan.\nProvide an optional explanation and a list of plan items, each with a step and status.\nAt most one step can be in_progress at a time.\n","parameters":{"type":"object","required":["plan"],"additionalProperties":false,"properties":{"explanation":{"type":"string","description":"Optional explanation for this plan update."},"plan":{"type":"array","description":"The list of steps","items":{"type":"object","required":["step","status"],"additionalProperties":false,"properties":{"step":{"type":"string","description":"Task step text."},"status":{"type":"string","description":"Step status.","enum":["pending","in_progress","completed"]}}}}}}}`

// Specs returns the tool specs in the order they are sent.
func (t ToolSet) Specs() []json.RawMessage {
	var out []json.RawMessage
	switch t.Shell {
	case ShellClassic:
		out = append(out, json.RawMessage(shellSpec))
	default:
		out = append(out, json.RawMessage(execCommandSpec), json.RawMessage(writeStdinSpec))
	}
	if t.Plan {
		out = append(out, json.RawMessage(updatePlanSpec))
	}
	if t.FreeformPatch {
		out = append(out, applyPatchFreeformSpec())
	} else {
		out = append(out, json.RawMessage(applyPatchFunctionSpec))
	}
	if t.ViewImage {
		out = append(out, json.RawMessage(viewImageSpec))
	}
	if t.WebSearch {
		out = append(out, json.RawMessage(webSearchSpec))
	}
	return append(out, t.Extra...)
}

// ExternalTool is a set of tools served outside the agent (an MCP server
// manager, say). Handle returns the output item for a call it owns
// (matching call's type and call_id) and ok=false for a call that is not
// its own. It may emit events for the turn (mcp_tool_call_begin/end) and
// should honour ctx, which an interrupt cancels.
type ExternalTool interface {
	Specs() []json.RawMessage
	Handle(ctx context.Context, call model.Item, emit func(protocol.Msg)) (output model.Item, ok bool)
}

// ToolEnv is what the session lends an ApprovingTool for one call.
type ToolEnv struct {
	// Emit sends an event of the turn.
	Emit func(protocol.Msg)
	// ApprovalPolicy and Cwd are the turn's settings.
	ApprovalPolicy protocol.AskForApproval
	Cwd            string
	// Approve runs the session's approval flow for the call
	// (approval.Approver.Tool): key names what an approved_for_session
	// answer covers, readOnly is the tool's own claim. An abort answer
	// has already ended the turn when it returns. Nil means no approval
	// is needed.
	Approve func(key string, readOnly bool, req protocol.ExecApprovalRequestMsg) approval.Outcome
}

// MCPLister is an ExternalTool that can list its MCP tools for
// list_mcp_tools: by qualified name, with the servers that failed.
type MCPLister interface {
	ListMCPTools() (tools map[string]json.RawMessage, failures map[string]string)
}

// ApprovingTool is an ExternalTool whose calls may need the user's
// approval (MCP tools): the session calls HandleCall, not Handle.
type ApprovingTool interface {
	ExternalTool
	HandleCall(ctx context.Context, call model.Item, env ToolEnv) (output model.Item, ok bool)
}

// execCommandArgs are exec_command's arguments.
type execCommandArgs struct {
	Cmd                string   `json:"cmd"`
	Workdir            string   `json:"workdir"`
	Shell              string   `json:"shell"`
	Login              *bool    `json:"login"`
	TTY                bool     `json:"tty"`
	YieldTimeMS        float64  `json:"yield_time_ms"`
	MaxOutputTokens    float64  `json:"max_output_tokens"`
	SandboxPermissions string   `json:"sandbox_permissions"`
	Justification      string   `json:"justification"`
	PrefixRule         []string `json:"prefix_rule"`
}

// shellArgs are the classic shell tool's arguments (also local_shell's
// action and shell_command's, whose command is a string).
type shellArgs struct {
	Command            json.RawMessage   `json:"command"`
	Workdir            string            `json:"workdir"`
	TimeoutMS          float64           `json:"timeout_ms"`
	Login              *bool             `json:"login"`
	SandboxPermissions string            `json:"sandbox_permissions"`
	Justification      string            `json:"justification"`
	Env                map[string]string `json:"env"`
}

type planArgs struct {
	Explanation string `json:"explanation"`
	Plan        []struct {
		Step   string `json:"step"`
		Status string `json:"status"`
	} `json:"plan"`
}
