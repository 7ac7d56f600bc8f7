package tools

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/codexgo/codex-agent/model"
)

// TestRegistry: each built-in tool's spec names the tool it handles, the
// specs keep the order the model was always offered, and a call is
// dispatched by a lookup of its name (local_shell_call and the shell's
// other names included).
func TestRegistry(t *testing.T) {
	t.Parallel()
	all := ToolSet{Shell: ShellExecCommand, FreeformPatch: true, Plan: true, ViewImage: true, WebSearch: true,
		Extra: []json.RawMessage{json.RawMessage(`{"type":"function","name":"x"}`)}}
	var names []string
	for _, sp := range all.Specs() {
		var n struct{ Type, Name string }
		if err := json.Unmarshal(sp, &n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n.Type+":"+n.Name)
	}
	if got, want := fmt.Sprint(names), "[function:exec_command function:write_stdin function:update_plan custom:apply_patch function:view_image web_search: function:x]"; got != want {
		t.Errorf("specs = %s, want %s", got, want)
	}
	for _, h := range builtinTools(all) {
		if sp := h.Spec(); sp != nil && h.Name() != "web_search" {
			var n struct{ Name string }
			if err := json.Unmarshal(sp, &n); err != nil || n.Name != h.Name() {
				t.Errorf("%s: spec names %q (%v)", h.Name(), n.Name, err)
			}
		}
	}
	r := newRegistry(ToolSet{Shell: ShellClassic}, nil)
	for _, c := range []struct {
		call model.Item
		want string
	}{
		{model.Item{Type: "function_call", Name: "shell"}, "shell"},
		{model.Item{Type: "function_call", Name: "shell_command"}, "shell_command"},
		{model.Item{Type: "local_shell_call"}, "local_shell"},
		{model.Item{Type: "custom_tool_call", Name: "apply_patch"}, "apply_patch"},
		{model.Item{Type: "function_call", Name: "apply_patch"}, "apply_patch"},
		{model.Item{Type: "function_call", Name: "exec_command"}, ""},
		{model.Item{Type: "function_call", Name: "update_plan"}, ""},
	} {
		h, ok := r.lookup(c.call)
		got := ""
		if ok {
			got = h.Name()
		}
		if got != c.want {
			t.Errorf("lookup(%s %s) = %q, want %q", c.call.Type, c.call.Name, got, c.want)
		}
	}
}
