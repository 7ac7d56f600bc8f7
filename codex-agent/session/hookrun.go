package session

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/features"
	"github.com/codexgo/common/hooks"
	"github.com/codexgo/common/protocol"
)

// maxStopContinuations bounds how often Stop hooks may keep one turn
// going (0.169 sets no bound: a hook that always blocks loops forever).
const maxStopContinuations = 8

// loadHooks reads config.toml's hooks for a session (nil when the hooks
// feature is off or there are none); entries that cannot run are
// warnings.
func loadHooks(cfg *config.Config, home, cwd string, environ []string, o ServiceOptions, stderr io.Writer) *hooks.Set {
	if !features.Enabled("hooks", cfg.Features, o.Enable, o.Disable) {
		return nil
	}
	source := cfg.Path
	if source == "" {
		source = filepath.Join(home, config.FileName)
	}
	list, errs := hooks.Load(cfg.Raw, source)
	if stderr != nil {
		for _, err := range errs {
			fmt.Fprintf(stderr, "warning: %v\n", err)
		}
	}
	if len(list) == 0 {
		return nil
	}
	return &hooks.Set{Hooks: list, BypassTrust: o.BypassHookTrust, Cwd: cwd, Env: environ, Warn: stderr}
}

// hookInput is the event JSON's common part.
func (s *Session) hookInput(cfg SessionConfig, turnID string, extra map[string]any) map[string]any {
	in := map[string]any{"session_id": cfg.ThreadID, "cwd": cfg.Cwd, "model": cfg.Model, "permission_mode": permissionMode(cfg.ApprovalPolicy)}
	if turnID != "" {
		in["turn_id"] = turnID
	}
	if cfg.Recorder != nil {
		in["transcript_path"] = cfg.Recorder.Path()
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func permissionMode(p protocol.AskForApproval) string {
	if p == protocol.ApprovalNever {
		return "bypassPermissions"
	}
	return "default"
}

// hookContext turns hooks' additional context into developer messages.
func hookContext(texts []string) []model.Item {
	out := make([]model.Item, 0, len(texts))
	for _, t := range texts {
		out = append(out, model.DeveloperMessage(t))
	}
	return out
}

// toolHookName is the tool's name as hooks see it ("Bash" for shell
// commands, as 0.169) and its input.
func toolHookName(c model.Item) (string, map[string]any) {
	args := map[string]any{}
	_ = json.Unmarshal([]byte(c.Arguments), &args)
	switch c.Name {
	case "exec_command", "shell", "shell_command", "local_shell":
		cmd := ""
		switch v := firstOf(args, "cmd", "command").(type) {
		case string:
			cmd = v
		case []any:
			parts := make([]string, 0, len(v))
			for _, p := range v {
				parts = append(parts, fmt.Sprint(p))
			}
			cmd = strings.Join(parts, " ")
		}
		return "Bash", map[string]any{"command": cmd}
	case "apply_patch":
		if c.Type == "custom_tool_call" {
			return "apply_patch", map[string]any{"command": c.Input}
		}
		return "apply_patch", map[string]any{"command": args["input"]}
	}
	if c.Namespace != "" {
		return c.Namespace + "__" + c.Name, args
	}
	return c.Name, args
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// hookedCall runs one tool call between its PreToolUse hooks (which may
// refuse it) and its PostToolUse hooks (which may replace what the model
// is told).
func (s *Session) hookedCall(ctx context.Context, id string, cfg SessionConfig, c model.Item) model.Item {
	if cfg.Hooks == nil {
		return s.handleCall(ctx, id, cfg, c)
	}
	name, input := toolHookName(c)
	base := map[string]any{"tool_name": name, "tool_input": input, "tool_use_id": c.CallID}
	if o := cfg.Hooks.Fire(ctx, hooks.PreToolUse, name, s.hookInput(cfg, id, base)); o.Block {
		if name == "Bash" {
			return tools.Reply(c, fmt.Sprintf("Command blocked by PreToolUse hook: %s. Command: %v", o.Reason, input["command"]))
		}
		return tools.Reply(c, "Tool call blocked by PreToolUse hook: "+o.Reason)
	}
	out := s.handleCall(ctx, id, cfg, c)
	base["tool_response"] = out.OutputText()
	if o := cfg.Hooks.Fire(ctx, hooks.PostToolUse, name, s.hookInput(cfg, id, base)); o.Block {
		return tools.Reply(c, o.Reason)
	}
	return out
}
