package session

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/features"
)

// toolSet picks the tools for the model and wire.
func toolSet(cfg *config.Config, wire string, oss bool, enable, disable []string) tools.ToolSet {
	feat := map[string]bool{}
	for k, v := range cfg.Features {
		feat[k] = v
	}
	for _, e := range enable {
		feat[e] = true
	}
	for _, d := range disable {
		feat[d] = false
	}
	t := tools.ToolSet{Shell: tools.ShellExecCommand, FreeformPatch: wire == "responses" && !oss, Plan: true}
	if v, ok := feat["unified_exec"]; (ok && !v) || wire == "chat" || oss {
		t.Shell = tools.ShellClassic
	}
	if v, ok := feat["apply_patch_freeform"]; ok {
		t.FreeformPatch = v && wire == "responses"
	}
	if on, ok := toolEnabled(cfg.Tools["update_plan"]); ok {
		t.Plan = on
	}
	// web_search is decided with the sandbox and the model (webSearch).
	// Images go to the model as input_image parts, which only the
	// Responses API takes.
	t.ViewImage = wire == "responses" && !oss && features.Enabled("view_image", feat, nil, nil)
	if on, ok := toolEnabled(cfg.Tools["view_image"]); ok {
		t.ViewImage = on && t.ViewImage
	}
	return t
}

// toolEnabled reads a tools.<name> setting: a bool, or a table with
// enabled = bool.
func toolEnabled(v any) (on, set bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case map[string]any:
		e, ok := x["enabled"].(bool)
		return e, ok
	}
	return false, false
}

// notify runs config's notify program with the agent-turn-complete JSON
// as its last argument, as the Codex CLI does; failures are warnings.
func notify(ctx context.Context, argv []string, tc TurnComplete, stderr io.Writer) {
	inputs := tc.Inputs
	if inputs == nil {
		inputs = []string{}
	}
	payload, err := json.Marshal(map[string]any{"type": "agent-turn-complete", "thread-id": tc.ThreadID, "turn-id": tc.TurnID,
		"cwd": tc.Cwd, "input-messages": inputs, "last-assistant-message": tc.LastMessage})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], append(append([]string(nil), argv[1:]...), string(payload))...)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(stderr, "warning: notify %s: %v\n", argv[0], err)
	}
}
