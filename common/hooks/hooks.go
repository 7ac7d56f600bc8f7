// Package hooks runs the commands config.toml's [hooks] attaches to
// lifecycle events, as the Codex CLI 0.169 does: each event's matcher
// groups ([[hooks.PreToolUse]] with matcher = "regex" and
// [[hooks.PreToolUse.hooks]] handlers of type = "command") get the event
// as one JSON object on stdin; their exit status and output can block a
// tool call, a prompt or the end of a turn, or add context for the model.
//
// Hooks run outside the sandbox with the user's rights, so a hook runs
// only once trusted: hooks.state."<key>".trusted_hash in config.toml
// equals the hash of the hook as configured now (a changed hook is
// "modified" and stops running until trusted again). The key and the
// hash are 0.169's, so trust recorded by either program carries over.
package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The events codex-go fires (config.toml's table names).
const (
	SessionStart     = "SessionStart"
	UserPromptSubmit = "UserPromptSubmit"
	PreToolUse       = "PreToolUse"
	PostToolUse      = "PostToolUse"
	Stop             = "Stop"
)

// known are every event 0.169 accepts, with its snake_case key part;
// the ones codex-go does not fire are loaded (and listed) but never run.
var known = map[string]string{
	"PreModelRequest": "pre_model_request", "PostModelRequest": "post_model_request",
	PreToolUse: "pre_tool_use", "PermissionRequest": "permission_request", PostToolUse: "post_tool_use",
	"PreCompact": "pre_compact", "PostCompact": "post_compact", SessionStart: "session_start",
	"SessionEnd": "session_end", UserPromptSubmit: "user_prompt_submit", "SubagentStart": "subagent_start",
	"SubagentStop": "subagent_stop", Stop: "stop", "Interrupt": "interrupt",
}

// order is 0.169's event order (its HookEventName enum): hooks are
// listed, and numbered, event by event in this order.
var order = []string{"PreModelRequest", "PostModelRequest", PreToolUse, "PermissionRequest", PostToolUse,
	"PreCompact", "PostCompact", SessionStart, "SessionEnd", UserPromptSubmit, "SubagentStart", "SubagentStop", Stop, "Interrupt"}

// Fired reports whether codex-go fires event.
func Fired(event string) bool {
	switch event {
	case SessionStart, UserPromptSubmit, PreToolUse, PostToolUse, Stop:
		return true
	}
	return false
}

// DefaultTimeout is a handler's time limit when it sets none (seconds).
const DefaultTimeout = 600

// Handler is one [[hooks.<Event>.hooks]] entry.
type Handler struct {
	Type          string `json:"type"`
	Command       string `json:"command"`
	Timeout       int64  `json:"timeout"`
	Async         bool   `json:"async"`
	StatusMessage string `json:"statusMessage,omitempty"`
}

// Trust states, as 0.169 names them.
const (
	Trusted   = "trusted"
	Untrusted = "untrusted"
	Modified  = "modified"
)

// Hook is one handler with where it came from.
type Hook struct {
	// Key names the hook: "<source>:<event_snake>:<group>:<handler>".
	Key     string `json:"key"`
	Event   string `json:"event"`
	Matcher string `json:"matcher,omitempty"`
	Handler
	Source string `json:"source"`
	// Hash is "sha256:<hex>" of the hook's configuration.
	Hash  string `json:"hash"`
	Trust string `json:"trust"`
	// DisplayOrder numbers the loaded hooks, event by event.
	DisplayOrder int `json:"display_order"`
}

// Load reads the hooks of one config document (the decoded TOML of
// config.toml, whose path is source). Entries it cannot use are errors
// naming them; the rest load.
func Load(doc map[string]any, source string) ([]Hook, []error) {
	tbl, _ := doc["hooks"].(map[string]any)
	if tbl == nil {
		return nil, nil
	}
	state := trustState(tbl)
	var out []Hook
	var errs []error
	var events, unknown []string
	for _, e := range order {
		if _, ok := tbl[e]; ok {
			events = append(events, e)
		}
	}
	for e := range tbl {
		if _, ok := known[e]; !ok && e != "state" {
			unknown = append(unknown, e)
		}
	}
	sort.Strings(unknown)
	events = append(events, unknown...)
	for _, event := range events {
		snake, ok := known[event]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: hooks.%s: unknown hook event", source, event))
			continue
		}
		groups, ok := asTables(tbl[event])
		if !ok {
			errs = append(errs, fmt.Errorf("%s: hooks.%s: want [[hooks.%s]] tables", source, event, event))
			continue
		}
		for gi, g := range groups {
			matcher, _ := g["matcher"].(string)
			if matcher != "" && matcher != "*" {
				if _, err := regexp.Compile(matcher); err != nil {
					errs = append(errs, fmt.Errorf("%s: hooks.%s[%d].matcher: %v", source, event, gi, err))
					continue
				}
			}
			handlers, _ := asTables(g["hooks"])
			for hi, hv := range handlers {
				h := Handler{Timeout: DefaultTimeout}
				h.Type, _ = hv["type"].(string)
				h.Command, _ = hv["command"].(string)
				if t, ok := hv["timeout"].(int64); ok && t > 0 {
					h.Timeout = t
				}
				h.Async, _ = hv["async"].(bool)
				h.StatusMessage, _ = hv["statusMessage"].(string)
				where := fmt.Sprintf("%s: hooks.%s[%d].hooks[%d]", source, event, gi, hi)
				if h.Type != "command" {
					errs = append(errs, fmt.Errorf("%s: type %q is not run by codex-go (only \"command\")", where, h.Type))
					continue
				}
				if strings.TrimSpace(h.Command) == "" {
					errs = append(errs, fmt.Errorf("%s: empty command", where))
					continue
				}
				hk := Hook{Key: fmt.Sprintf("%s:%s:%d:%d", source, snake, gi, hi), Event: event, Matcher: matcher,
					Handler: h, Source: source, Hash: Hash(snake, matcher, h), DisplayOrder: len(out)}
				switch t, ok := state[hk.Key]; {
				case !ok:
					hk.Trust = Untrusted
				case t == hk.Hash:
					hk.Trust = Trusted
				default:
					hk.Trust = Modified
				}
				out = append(out, hk)
			}
		}
	}
	return out, errs
}

func asTables(v any) ([]map[string]any, bool) {
	switch x := v.(type) {
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	case []map[string]any:
		return x, true
	}
	return nil, false
}

func trustState(tbl map[string]any) map[string]string {
	out := map[string]string{}
	st, _ := tbl["state"].(map[string]any)
	for k, v := range st {
		if m, ok := v.(map[string]any); ok {
			if h, ok := m["trusted_hash"].(string); ok {
				out[k] = h
			}
		}
	}
	return out
}

// Hash is the hook's identity as 0.169 computes it: SHA-256 of the
// compact JSON, keys sorted, of {event_name, hooks: [handler], matcher}
// (matcher left out when empty; statusMessage only when set).
func Hash(eventSnake, matcher string, h Handler) string {
	handler := map[string]any{"type": h.Type, "command": h.Command, "timeout": h.Timeout, "async": h.Async}
	if h.StatusMessage != "" {
		handler["statusMessage"] = h.StatusMessage
	}
	doc := map[string]any{"event_name": eventSnake, "hooks": []any{handler}}
	if matcher != "" {
		doc["matcher"] = matcher
	}
	b, _ := json.Marshal(doc) // maps marshal with sorted keys, compact
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Matches reports whether the hook's matcher selects value (a tool's
// name for tool events, the source for SessionStart); no matcher or "*"
// selects everything.
func (h Hook) Matches(value string) bool {
	if h.Matcher == "" || h.Matcher == "*" {
		return true
	}
	re, err := regexp.Compile("^(?:" + h.Matcher + ")$")
	if err != nil {
		return false
	}
	return re.MatchString(value)
}
