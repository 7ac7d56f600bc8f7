package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/hooks"
	"github.com/pelletier/go-toml/v2"
)

// writeHookConfig writes config.toml with the hooks given and, when
// trust is set, their 0.169 trust entries.
func writeHookConfig(t *testing.T, home, body string, trust bool) {
	t.Helper()
	path := filepath.Join(home, "config.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if !trust {
		return
	}
	var doc map[string]any
	b, _ := os.ReadFile(path)
	if err := tomlUnmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	list, errs := hooks.Load(doc, path)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, h := range list {
		body += "\n[hooks.state.\"" + h.Key + "\"]\ntrusted_hash = \"" + h.Hash + "\"\n"
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func hookScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// The 0.169 behaviours captured with its binary: a PreToolUse hook that
// denies keeps the command from running and tells the model why; a
// UserPromptSubmit hook's stdout becomes a developer message after the
// prompt; a Stop hook exiting 2 continues the turn with its stderr as a
// <hook_prompt>; the event JSON carries the session's ids.
func TestExecHooksAsCodex(t *testing.T) {
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("call_1", "exec_command", map[string]any{"cmd": "touch ran"})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done again")}})
	dir := t.TempDir()
	seen := filepath.Join(dir, "pre.json")
	pre := hookScript(t, dir, "pre.sh", `cat > `+seen+`; echo '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"no touching"}}'`+"\n")
	prompt := hookScript(t, dir, "prompt.sh", "cat >/dev/null; echo EXTRA CONTEXT FROM HOOK\n")
	flag := filepath.Join(dir, "stopped-once")
	stop := hookScript(t, dir, "stop.sh", "cat >/dev/null; if [ -e "+flag+" ]; then exit 0; fi; touch "+flag+"; echo keep going >&2; exit 2\n")
	cfg := `[[hooks.PreToolUse]]
matcher = "Bash"
[[hooks.PreToolUse.hooks]]
type = "command"
command = "` + pre + `"
[[hooks.UserPromptSubmit]]
[[hooks.UserPromptSubmit.hooks]]
type = "command"
command = "` + prompt + `"
[[hooks.Stop]]
[[hooks.Stop.hooks]]
type = "command"
command = "` + stop + `"
`
	writeHookConfig(t, fx.home, cfg, true)
	r := fx.mustRun("-s", "danger-full-access", "--json", "RUNTOOL")
	if _, err := os.Stat(filepath.Join(fx.repo, "ran")); err == nil {
		t.Error("the denied command ran")
	}
	in1 := fx.request(1).Input
	out := in1[len(in1)-1]
	if out.Type != "function_call_output" || out.OutputText() != "Command blocked by PreToolUse hook: no touching. Command: touch ran" {
		t.Errorf("tool output = %s %q", out.Type, out.OutputText())
	}
	in0 := fx.request(0).Input
	if last := in0[len(in0)-1]; last.Role != "developer" || last.Text() != "EXTRA CONTEXT FROM HOOK" || in0[len(in0)-2].Text() != "RUNTOOL" {
		t.Errorf("prompt hook context: %+v", last)
	}
	in2 := fx.request(2).Input
	if last := in2[len(in2)-1]; last.Role != "user" || !strings.HasPrefix(last.Text(), `<hook_prompt hook_run_id="stop:2:`) || !strings.HasSuffix(last.Text(), `">keep going</hook_prompt>`) {
		t.Errorf("stop continuation: %q", last.Text())
	}
	if !strings.Contains(r.stdout, `"text":"done again"`) {
		t.Errorf("the turn did not go on after the Stop hook: %s", r.stdout)
	}
	var ev map[string]any
	b, _ := os.ReadFile(seen)
	if err := json.Unmarshal(b, &ev); err != nil || ev["hook_event_name"] != "PreToolUse" || ev["tool_name"] != "Bash" || ev["tool_use_id"] != "call_1" ||
		ev["session_id"] == "" || ev["transcript_path"] == nil || ev["permission_mode"] != "bypassPermissions" {
		t.Errorf("PreToolUse stdin = %s", b)
	}
}

// Hooks nobody trusted do not run, unless --dangerously-bypass-hook-trust;
// a hook edited after it was trusted stops running.
func TestExecHookTrust(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "ran")
	h := hookScript(t, dir, "h.sh", "cat >/dev/null; echo x >> "+mark+"\n")
	cfg := "[[hooks.UserPromptSubmit]]\n[[hooks.UserPromptSubmit.hooks]]\ntype = \"command\"\ncommand = \"" + h + "\"\n"
	count := func() int { b, _ := os.ReadFile(mark); return strings.Count(string(b), "x") }
	turn := modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}}
	fx := newExecFixture(t, turn, turn, turn, turn)
	writeHookConfig(t, fx.home, cfg, false)
	fx.mustRun("one")
	if count() != 0 {
		t.Fatal("an untrusted hook ran")
	}
	fx.mustRun("--dangerously-bypass-hook-trust", "two")
	if count() != 1 {
		t.Fatal("--dangerously-bypass-hook-trust did not run it")
	}
	writeHookConfig(t, fx.home, cfg, true)
	fx.mustRun("three")
	if count() != 2 {
		t.Fatal("a trusted hook did not run")
	}
	b, _ := os.ReadFile(filepath.Join(fx.home, "config.toml"))
	edited := strings.Replace(string(b), "type = \"command\"\n", "type = \"command\"\ntimeout = 9\n", 1)
	if err := os.WriteFile(filepath.Join(fx.home, "config.toml"), []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	fx.mustRun("four")
	if count() != 2 {
		t.Fatal("a hook changed after it was trusted still ran")
	}
}

func tomlUnmarshal(b []byte, v any) error { return toml.Unmarshal(b, v) }
