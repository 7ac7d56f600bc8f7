// Package tools is what the model's tool calls do: a registry of handlers
// (one file per built-in tool, tool_*.go, with its spec; MCP tools
// behind the same interface), shell commands through the approver and a
// runner, exec_command sessions, apply_patch, view_image. It borrows
// from the session only what Host lends: it never imports the session or
// a front end.
package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
)

// ToolHandler is one tool the model may call: its name (the call's name,
// or "namespace__name" for a namespaced call), the spec offered to the
// model, and what a call does. Built-in tools are one file each
// (tool_*.go) with their spec beside them; MCP tools implement the same
// interface. Adding a tool is its file and a line in builtinTools.
type ToolHandler interface {
	Name() string
	// Spec is the tool's entry in the request's tools; nil offers
	// nothing (an alias answering calls of an older name).
	Spec() json.RawMessage
	// Handle runs one call and returns its output item.
	Handle(ctx context.Context, inv *Invocation) model.Item
}

// Invocation is one call as a handler sees it: the call, the turn's
// settings, and what the session lends (events, approvals).
type Invocation struct {
	s      *Registry
	turnID string
	cfg    Turn
	call   model.Item
}

// Call is the model's call item.
func (inv *Invocation) Call() model.Item { return inv.call }

// Cwd is the turn's working directory.
func (inv *Invocation) Cwd() string { return inv.cfg.Cwd }

// ApprovalPolicy is the turn's approval policy.
func (inv *Invocation) ApprovalPolicy() protocol.AskForApproval { return inv.cfg.ApprovalPolicy }

// Emit sends an event of the turn.
func (inv *Invocation) Emit(m protocol.Msg) { inv.s.emit(inv.turnID, m) }

// Reply builds the call's output item (custom or function) from text.
func (inv *Invocation) Reply(text string) model.Item { return Reply(inv.call, text) }

// Reply builds the output item of call (custom or function) from text.
func Reply(call model.Item, text string) model.Item {
	if call.Type == "custom_tool_call" {
		return model.CustomOutput(call.CallID, text)
	}
	return model.FunctionOutput(call.CallID, text)
}

// Approve runs the session's approval flow for an external tool call
// (approval.Approver.Tool); an abort answer ends the turn.
func (inv *Invocation) Approve(ctx context.Context, key string, h approval.ToolHints, req protocol.ExecApprovalRequestMsg) approval.Outcome {
	o := inv.s.approver.Tool(ctx, inv.s.turn(inv.turnID, inv.cfg), key, h, req)
	if o.Abort {
		inv.s.abortTurn()
	}
	return o
}

// builtinTools are the built-in tools the tool set offers, in the order
// their specs are sent.
func builtinTools(t ToolSet) []ToolHandler {
	var out []ToolHandler
	switch t.Shell {
	case ShellClassic:
		out = append(out, shellTool{name: "shell"})
	default:
		out = append(out, execCommandTool{}, writeStdinTool{})
	}
	// The other names of the shell tool are answered, never offered.
	for _, alias := range []string{"shell", "container.exec", "shell_command"} {
		if t.Shell != ShellClassic || alias != "shell" {
			out = append(out, shellTool{name: alias, alias: true})
		}
	}
	out = append(out, localShellTool{})
	if t.Plan {
		out = append(out, updatePlanTool{})
	}
	out = append(out, applyPatchTool{freeform: t.FreeformPatch})
	if t.ViewImage {
		out = append(out, viewImageTool{})
	}
	if t.WebSearch {
		out = append(out, webSearchTool{spec: t.WebSearchSpec})
	}
	return out
}

// registry maps tool names to handlers and keeps the specs in order.
type registry struct {
	byName map[string]ToolHandler
	order  []ToolHandler
	// external are tools served outside the agent that are not handlers
	// (a plain ExternalTool): asked in turn for calls no handler owns.
	// Those that are (MCPTools) are asked too, after the lookup, for the
	// call forms a name does not find (0.169's namespaced calls); their
	// specs come from their handlers (specsFrom false).
	external  []ExternalTool
	specsFrom []bool
	extra     []json.RawMessage
}

// newRegistry registers the tool set's built-in tools and the external
// tools (an ExternalTool that lists ToolHandlers is registered by name).
func newRegistry(t ToolSet, ext []ExternalTool) *registry {
	r := &registry{byName: map[string]ToolHandler{}, extra: t.Extra}
	for _, h := range builtinTools(t) {
		r.add(h)
	}
	for _, x := range ext {
		if hs, ok := x.(interface{ Handlers() []ToolHandler }); ok {
			for _, h := range hs.Handlers() {
				r.add(h)
			}
			r.external, r.specsFrom = append(r.external, x), append(r.specsFrom, false)
			continue
		}
		r.external, r.specsFrom = append(r.external, x), append(r.specsFrom, true)
	}
	return r
}

func (r *registry) add(h ToolHandler) {
	if _, dup := r.byName[h.Name()]; dup {
		return
	}
	r.byName[h.Name()] = h
	r.order = append(r.order, h)
}

// specs are the tools offered to the model, in order.
func (r *registry) specs() []json.RawMessage {
	var out []json.RawMessage
	var ext []json.RawMessage
	for _, h := range r.order {
		if sp := h.Spec(); sp != nil {
			if _, builtin := h.(builtinTool); builtin {
				out = append(out, sp)
			} else {
				ext = append(ext, sp)
			}
		}
	}
	out = append(out, r.extra...)
	out = append(out, ext...)
	for i, x := range r.external {
		if r.specsFrom[i] {
			out = append(out, x.Specs()...)
		}
	}
	return out
}

// builtinTool marks the built-in handlers (their specs come first).
type builtinTool interface{ builtin() }

// lookup finds the handler of a call.
func (r *registry) lookup(c model.Item) (ToolHandler, bool) {
	name := c.Name
	switch c.Type {
	case "local_shell_call":
		name = "local_shell"
	case "custom_tool_call":
		if c.Name == "apply_patch" {
			name = "apply_patch"
		}
	}
	if c.Namespace != "" {
		name = c.Namespace + "__" + c.Name
	}
	h, ok := r.byName[name]
	return h, ok
}
