package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/model"
)

const shellSpec = `{"type":"function","name":"shell","description":"Runs a shell command and returns its output.\n- The arguments to ` + "`shell`" + ` will be passed to execvp(). Most terminal commands should be prefixed with [\"bash\", \"-lc\"].\n- Always set the ` + "`workdir`" + ` param when using the shell function. Do not use ` + "`cd`" + ` unless absolutely necessary.","strict":false,"parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"},"description":"The command to execute"},"workdir":{"type":"string","description":"The working directory to execute the command in"},"timeout_ms":{"type":"number","description":"The timeout for the command in milliseconds"},"sandbox_permissions":{"type":"string","enum":["use_default","require_escalated"],"description":"Set to \"require_escalated\" to request running without sandbox restrictions."},"justification":{"type":"string","description":"Only set if sandbox_permissions is \"require_escalated\"."},"prefix_rule":{"type":"array","items":{"type":"string"}}},"required":["command"],"additionalProperties":false}}`

// shellTool is the classic shell tool ({command: [...]}); under its
// other names (container.exec, shell_command, whose command is a string)
// it answers calls without being offered.
type shellTool struct {
	name  string
	alias bool
}

func (shellTool) builtin()       {}
func (t shellTool) Name() string { return t.name }
func (t shellTool) Spec() json.RawMessage {
	if t.alias {
		return nil
	}
	return json.RawMessage(shellSpec)
}

func (shellTool) Handle(ctx context.Context, inv *Invocation) model.Item {
	var a shellArgs
	if err := json.Unmarshal([]byte(inv.call.Arguments), &a); err != nil {
		return inv.Reply("failed to parse function arguments: " + err.Error())
	}
	var argv []string
	var script string
	if json.Unmarshal(a.Command, &argv) != nil {
		if json.Unmarshal(a.Command, &script) != nil || script == "" {
			return inv.Reply("failed to parse function arguments: missing field `command`")
		}
		flag := "-lc"
		if a.Login != nil && !*a.Login {
			flag = "-c"
		}
		argv = []string{"/bin/bash", flag, script}
	}
	if len(argv) == 0 {
		return inv.Reply("failed to parse function arguments: empty command")
	}
	return inv.Reply(inv.s.shell(ctx, inv.turnID, inv.cfg, shellCall{callID: inv.call.CallID, argv: argv, workdir: a.Workdir,
		timeoutMS: int64(a.TimeoutMS), escalate: a.SandboxPermissions == "require_escalated",
		justification: a.Justification, form: classicForm(inv.cfg)}))
}

// localShellTool answers the Responses API's local_shell_call items.
type localShellTool struct{}

func (localShellTool) builtin()              {}
func (localShellTool) Name() string          { return "local_shell" }
func (localShellTool) Spec() json.RawMessage { return nil }

func (localShellTool) Handle(ctx context.Context, inv *Invocation) model.Item {
	var a struct {
		Command   []string          `json:"command"`
		Workdir   string            `json:"workdir"`
		TimeoutMS float64           `json:"timeout_ms"`
		Env       map[string]string `json:"env"`
	}
	if err := json.Unmarshal(inv.call.Action, &a); err != nil || len(a.Command) == 0 {
		return inv.Reply("failed to parse local_shell_call action: " + errText(err, "empty command"))
	}
	return inv.Reply(inv.s.shell(ctx, inv.turnID, inv.cfg, shellCall{callID: inv.call.CallID, argv: a.Command, workdir: a.Workdir,
		timeoutMS: int64(a.TimeoutMS), form: classicForm(inv.cfg)}))
}

// classicForm is how the classic shell tools answer: text with freeform
// tools, else JSON.
func classicForm(cfg Turn) outputForm {
	if !cfg.Tools.FreeformPatch {
		return formClassicJSON
	}
	return formClassic
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
