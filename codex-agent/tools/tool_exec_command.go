package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/model"
)

const execCommandSpec = `{"type":"function","name":"exec_command","description":"Runs a command in a shell, returning its output, or a session ID for ongoing interaction (write_stdin) when it is still running after yield_time_ms. Commands run in the workspace under the session's sandbox; set workdir instead of using cd.","strict":false,"parameters":{"type":"object","properties":{"cmd":{"type":"string","description":"Shell command to execute."},"workdir":{"type":"string","description":"Optional working directory to run the command in; defaults to the turn cwd."},"shell":{"type":"string","description":"Shell binary to launch. Defaults to /bin/bash."},"login":{"type":"boolean","description":"Whether to run the shell with -l/-i semantics. Defaults to true."},"tty":{"type":"boolean","description":"Whether to allocate a TTY for the command. Defaults to false."},"yield_time_ms":{"type":"number","description":"How long to wait (in milliseconds) for output before yielding."},"max_output_tokens":{"type":"number","description":"Maximum number of tokens to return. Excess output will be truncated."},"sandbox_permissions":{"type":"string","enum":["use_default","require_escalated"],"description":"Sandbox permissions for the command. Set to \"require_escalated\" to request running without sandbox restrictions; defaults to \"use_default\"."},"justification":{"type":"string","description":"Only set if sandbox_permissions is \"require_escalated\". One sentence asking the user to approve running the command outside the sandbox."},"prefix_rule":{"type":"array","items":{"type":"string"},"description":"Only set if sandbox_permissions is \"require_escalated\". A command prefix the user may approve for the rest of the session."}},"required":["cmd"],"additionalProperties":false}}`

// execCommandTool is exec_command, the Codex CLI's unified exec: a
// command that runs until it ends or its yield time is up.
type execCommandTool struct{}

func (execCommandTool) builtin()              {}
func (execCommandTool) Name() string          { return "exec_command" }
func (execCommandTool) Spec() json.RawMessage { return json.RawMessage(execCommandSpec) }

func (execCommandTool) Handle(ctx context.Context, inv *Invocation) model.Item {
	var a execCommandArgs
	if err := json.Unmarshal([]byte(inv.call.Arguments), &a); err != nil || a.Cmd == "" {
		return inv.Reply("failed to parse function arguments: " + errText(err, "missing field `cmd`"))
	}
	sh := a.Shell
	if sh == "" {
		sh = "/bin/bash"
	}
	flag := "-lc"
	if a.Login != nil && !*a.Login {
		flag = "-c"
	}
	return inv.Reply(inv.s.shell(ctx, inv.turnID, inv.cfg, shellCall{callID: inv.call.CallID, argv: []string{sh, flag, a.Cmd}, workdir: a.Workdir,
		escalate: a.SandboxPermissions == "require_escalated", justification: a.Justification,
		maxOutputTokens: int(a.MaxOutputTokens), yieldMS: a.YieldTimeMS, tty: a.TTY, form: formExecCommand, prefixRule: a.PrefixRule}))
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
