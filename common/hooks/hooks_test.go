package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// Hashes 0.169 reported for these hooks (app-server hooks/list,
// currentHash), so trust it recorded is trust here.
func TestHashAsCodex(t *testing.T) {
	for _, tc := range []struct {
		event, matcher string
		h              Handler
		want           string
	}{
		{"pre_tool_use", ".*", Handler{Type: "command", Command: "/root/rh6/hook.sh", Timeout: 600},
			"sha256:3c2077b5b9228cfa44c95f01c0b084d8652007d910da54ac42775a50dd5cda17"},
		{"session_start", "", Handler{Type: "command", Command: "/root/rh6/hook.sh", Timeout: 600},
			"sha256:4a690e194ad62e8bed338e9a268d27f70b2e2c2dcee272873681888b913b4e43"},
		{"user_prompt_submit", "", Handler{Type: "command", Command: "/root/rh7/hook.sh", Timeout: 5, StatusMessage: "checking"},
			"sha256:a96b9663160133740ee6915bbae62feb3c4e9c862fc04806b14b34327cfa7ced"},
	} {
		if got := Hash(tc.event, tc.matcher, tc.h); got != tc.want {
			t.Errorf("Hash(%s) = %s, want %s", tc.event, got, tc.want)
		}
	}
}

func load(t *testing.T, src string) ([]Hook, []error) {
	t.Helper()
	var doc map[string]any
	if err := toml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return Load(doc, "/home/u/.codex/config.toml")
}

func TestLoadAndTrust(t *testing.T) {
	hooks, errs := load(t, `
[[hooks.PreToolUse]]
matcher = "Bash"
[[hooks.PreToolUse.hooks]]
type = "command"
command = "a.sh"
[[hooks.PreToolUse.hooks]]
type = "command"
command = "b.sh"
timeout = 5

[[hooks.Stop]]
[[hooks.Stop.hooks]]
type = "prompt"

[[hooks.Nope]]

[hooks.state."/home/u/.codex/config.toml:pre_tool_use:0:0"]
trusted_hash = "sha256:5d3c7b1b3ef6d2c3b1df4ffd6ba2d06a7a6f8a3d5c1a3e0d2b9f0f0e0d0c0b0a"
`)
	if len(errs) != 2 {
		t.Errorf("errs = %v (want the prompt handler and the unknown event)", errs)
	}
	if len(hooks) != 2 || hooks[1].DisplayOrder != 1 || hooks[0].Key != "/home/u/.codex/config.toml:pre_tool_use:0:0" || hooks[1].Timeout != 5 || hooks[0].Timeout != DefaultTimeout {
		t.Fatalf("hooks = %+v", hooks)
	}
	if hooks[0].Trust != Modified || hooks[1].Trust != Untrusted {
		t.Errorf("trust = %s, %s", hooks[0].Trust, hooks[1].Trust)
	}
	h2, _ := load(t, `
[[hooks.PreToolUse]]
matcher = "Bash"
[[hooks.PreToolUse.hooks]]
type = "command"
command = "a.sh"
[hooks.state."/home/u/.codex/config.toml:pre_tool_use:0:0"]
trusted_hash = "`+hooks[0].Hash+`"
`)
	if h2[0].Trust != Trusted {
		t.Errorf("trust with the right hash = %s", h2[0].Trust)
	}
	if !h2[0].Matches("Bash") || h2[0].Matches("BashX") || h2[0].Matches("apply_patch") {
		t.Error("matcher is an anchored regex")
	}
}

func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFire(t *testing.T) {
	dir := t.TempDir()
	seen := filepath.Join(dir, "seen.json")
	rec := script(t, dir, "rec.sh", "cat > "+seen+"\n")
	deny := script(t, dir, "deny.sh", `cat >/dev/null; echo '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"no echo allowed"}}'`+"\n")
	exit2 := script(t, dir, "exit2.sh", "cat >/dev/null; echo stop-stderr >&2; exit 2\n")
	ctxt := script(t, dir, "ctx.sh", "cat >/dev/null; echo EXTRA CONTEXT\n")
	fail := script(t, dir, "fail.sh", "cat >/dev/null; echo broken >&2; exit 1\n")
	slow := script(t, dir, "slow.sh", "sleep 30\n")
	hook := func(event, cmd string, trust string) Hook {
		return Hook{Key: cmd, Event: event, Handler: Handler{Type: "command", Command: cmd, Timeout: 5}, Source: "/c.toml", Trust: trust}
	}
	var warn bytes.Buffer
	ctx := context.Background()

	// The event JSON reaches the hook on stdin.
	s := &Set{Hooks: []Hook{hook(PreToolUse, rec, Trusted)}, Cwd: dir, Warn: &warn}
	if o := s.Fire(ctx, PreToolUse, "Bash", map[string]any{"tool_name": "Bash", "tool_input": map[string]any{"command": "ls"}}); o.Block {
		t.Errorf("recording hook blocked: %+v", o)
	}
	var got map[string]any
	if b, err := os.ReadFile(seen); err != nil || json.Unmarshal(b, &got) != nil || got["hook_event_name"] != PreToolUse || got["tool_name"] != "Bash" {
		t.Errorf("stdin = %s (%v)", b, err)
	}
	// Untrusted and modified hooks do not run, unless trust is bypassed.
	_ = os.Remove(seen)
	s = &Set{Hooks: []Hook{hook(PreToolUse, rec, Untrusted), hook(PreToolUse, rec, Modified)}, Cwd: dir}
	s.Fire(ctx, PreToolUse, "Bash", nil)
	if _, err := os.Stat(seen); err == nil {
		t.Error("an untrusted hook ran")
	}
	s.BypassTrust = true
	s.Fire(ctx, PreToolUse, "Bash", nil)
	if _, err := os.Stat(seen); err != nil {
		t.Error("--dangerously-bypass-hook-trust did not run it")
	}
	for _, tc := range []struct {
		name    string
		event   string
		cmd     string
		block   bool
		reason  string
		context string
	}{
		{"deny JSON", PreToolUse, deny, true, "no echo allowed", ""},
		{"exit 2", Stop, exit2, true, "stop-stderr", ""},
		{"plain stdout is context for prompts", UserPromptSubmit, ctxt, false, "", "EXTRA CONTEXT"},
		{"but not for tools", PostToolUse, ctxt, false, "", ""},
		{"failure is a warning", PreToolUse, fail, false, "", ""},
		{"timeout is a warning", PreToolUse, slow, false, "", ""},
	} {
		h := hook(tc.event, tc.cmd, Trusted)
		if tc.cmd == slow {
			h.Timeout = 1
		}
		o := (&Set{Hooks: []Hook{h}, Cwd: dir, Warn: &warn}).Fire(ctx, tc.event, "Bash", nil)
		if o.Block != tc.block || o.Reason != tc.reason || strings.Join(o.Context, "|") != tc.context {
			t.Errorf("%s: %+v", tc.name, o)
		}
	}
	if !strings.Contains(warn.String(), "exited with status 1: broken") || !strings.Contains(warn.String(), "timed out") {
		t.Errorf("warnings = %q", warn.String())
	}
	// The first block ends the run; hooks of other events never run.
	o := (&Set{Hooks: []Hook{hook(Stop, rec, Trusted), hook(PreToolUse, exit2, Trusted), hook(PreToolUse, deny, Trusted)}, Cwd: dir}).Fire(ctx, PreToolUse, "Bash", nil)
	if !o.Block || o.Reason != "stop-stderr" || o.HookID != "pre_tool_use:0:/c.toml" {
		t.Errorf("order: %+v", o)
	}
}
