package tools

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/runner"
	"github.com/codexgo/common/logfile"
	"github.com/codexgo/common/protocol"
)

// Host is what the session lends its tools: its event stream, the user's
// answers to approval requests, and the running turn. The tools never see
// the session itself.
type Host interface {
	// Emit sends an event of submission id; it blocks until the event is
	// taken.
	Emit(id string, m protocol.Msg)
	// EmitQuiet is Emit that gives up once quit is closed (a command
	// ending while the session shuts down without a reader).
	EmitQuiet(id string, m protocol.Msg, quit <-chan struct{})
	// Ask emits an approval request of submission id and waits for its
	// answer; a cancelled ctx answers abort.
	Ask(ctx context.Context, id, callID string, req protocol.Msg) approval.Answer
	// AbortTurn ends the running turn (the user answered abort).
	AbortTurn()
}

// Turn is what a call needs of the turn it runs in.
type Turn struct {
	Cwd            string
	ApprovalPolicy protocol.AskForApproval
	Sandbox        protocol.SandboxPolicy
	// Env is the complete environment of commands; nil inherits ours.
	Env map[string]string
	// Runner runs commands under the sandbox policy; Unsandboxed runs
	// danger-full-access and approved escalations. Neither may be nil.
	Runner, Unsandboxed runner.Runner
	// ToolOutputBytes caps what one tool output gives the model; 0 means
	// the default.
	ToolOutputBytes int
	// Tools is the tool set offered (its forms decide how results read).
	Tools ToolSet
}

// Config is what New needs.
type Config struct {
	Set ToolSet
	// External are tools served outside the agent (MCP servers).
	External []ExternalTool
	Approver *approval.Approver
	Host     Host
	// Logger receives a line per call; nil logs nothing.
	Logger *slog.Logger
}

// Registry is a session's tools: the handlers by name and what they keep
// across calls (the exec_command sessions still running, the files the
// turn patched for turn_diff, the images view_image attaches).
type Registry struct {
	reg      *registry
	approver *approval.Approver
	host     Host
	log      *slog.Logger
	procs    *procTable

	mu sync.Mutex
	// turnFiles tracks the files patched in the running turn for turn_diff.
	turnFiles map[string]*fileState
	turnOrder []string
	// injected are items a tool call adds after the call outputs (the
	// images view_image attaches).
	injected []model.Item
}

// New returns the tools of one session.
func New(c Config) *Registry {
	if c.Logger == nil {
		c.Logger = logfile.Discard()
	}
	return &Registry{reg: newRegistry(c.Set, c.External), approver: c.Approver, host: c.Host, log: c.Logger, procs: newProcTable()}
}

// Specs are the tools offered to the model, in order.
func (s *Registry) Specs() []json.RawMessage { return s.reg.specs() }

// Handle runs one tool call of submission id and builds its output item:
// the handler its name finds, else an external tool that owns it.
func (s *Registry) Handle(ctx context.Context, id string, cfg Turn, c model.Item) model.Item {
	inv := &Invocation{s: s, turnID: id, cfg: cfg, call: c}
	if ctx.Err() != nil {
		return inv.Reply("aborted")
	}
	if h, ok := s.reg.lookup(c); ok {
		start := time.Now()
		out := h.Handle(ctx, inv)
		s.log.Info("tool call", "turn", id, "tool", h.Name(), "call", c.CallID, "duration_ms", time.Since(start).Milliseconds())
		return out
	}
	if out, ok := s.external(ctx, id, cfg, c); ok {
		return out
	}
	if c.Type == "custom_tool_call" {
		return inv.Reply("unsupported custom tool call: " + c.Name)
	}
	return inv.Reply("unsupported call: " + qualifiedName(c))
}

// external routes a call to the external tool that owns it.
func (s *Registry) external(ctx context.Context, id string, cfg Turn, c model.Item) (model.Item, bool) {
	emit := func(m protocol.Msg) { s.emit(id, m) }
	for _, x := range s.reg.external {
		if ax, ok := x.(ApprovingTool); ok {
			env := ToolEnv{Emit: emit, ApprovalPolicy: cfg.ApprovalPolicy, Cwd: cfg.Cwd,
				Approve: func(key string, h approval.ToolHints, req protocol.ExecApprovalRequestMsg) approval.Outcome {
					o := s.approver.Tool(ctx, s.turn(id, cfg), key, h, req)
					if o.Abort {
						s.abortTurn()
					}
					return o
				}}
			if out, ok := ax.HandleCall(ctx, c, env); ok {
				return out, true
			}
			continue
		}
		if out, ok := x.Handle(ctx, c, emit); ok {
			return out, true
		}
	}
	return model.Item{}, false
}

// StartTurn forgets the previous turn's patched files (turn_diff starts
// over).
func (s *Registry) StartTurn() {
	s.mu.Lock()
	s.turnFiles, s.turnOrder = nil, nil
	s.mu.Unlock()
}

// TakeInjected returns, once, the items the calls added (view_image's
// images), to follow the call outputs in the history.
func (s *Registry) TakeInjected() []model.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.injected
	s.injected = nil
	return out
}

// EndCommands ends every exec_command session and waits for each to be
// gone. With quiet set, no reader is counted on: their events are
// dropped.
func (s *Registry) EndCommands(quiet bool) { s.procs.closeAll(quiet) }

// ListMCPTools answers list_mcp_tools from the external tools that are
// MCP servers.
func (s *Registry) ListMCPTools() protocol.McpListToolsResponseMsg {
	resp := protocol.McpListToolsResponseMsg{Tools: map[string]json.RawMessage{}}
	for _, x := range s.reg.external {
		l, ok := x.(MCPLister)
		if !ok {
			continue
		}
		tools, failures := l.ListMCPTools()
		maps.Copy(resp.Tools, tools)
		if len(failures) > 0 && resp.Failures == nil {
			resp.Failures = map[string]string{}
		}
		maps.Copy(resp.Failures, failures)
	}
	return resp
}

func (s *Registry) emit(id string, m protocol.Msg) { s.host.Emit(id, m) }

// emitQuiet is emit that gives up once the session is shutting down
// without a reader.
func (s *Registry) emitQuiet(id string, m protocol.Msg) { s.host.EmitQuiet(id, m, s.procs.quit) }

func (s *Registry) abortTurn() { s.host.AbortTurn() }

// turn is what the approver needs of a turn: its settings and a way to
// ask the user within it.
func (s *Registry) turn(id string, cfg Turn) approval.Turn {
	return approval.Turn{Approval: cfg.ApprovalPolicy, Sandbox: cfg.Sandbox, Cwd: cfg.Cwd, Env: cfg.Env,
		Ask: func(ctx context.Context, callID string, req protocol.Msg) approval.Answer {
			return s.host.Ask(ctx, id, callID, req)
		}}
}

func qualifiedName(c model.Item) string {
	if c.Namespace != "" {
		return c.Namespace + "__" + c.Name
	}
	return c.Name
}

func errText(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}

func isShell(p string) bool { return approval.IsShell(p) }

// DataURL is data as a base64 data: URL of type typ, as input_image takes.
func DataURL(typ string, data []byte) string {
	return "data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(data)
}
