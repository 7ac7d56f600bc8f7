// Package session is the agent's core: a conversation with the model
// (Session: turns, compaction, hooks, approvals asked through its events)
// and the one builder every front end uses to assemble it from
// config.toml and flags (LoadSetup, Setup.Build, NewService: provider,
// policy, sandbox runner, tools, MCP servers, rollout). It drives the
// tools through package tools and never imports a front end.
package session

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/codexgo/codex-agent/approval"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/runner"
	"github.com/codexgo/codex-agent/tools"
	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/hooks"
	"github.com/codexgo/common/logfile"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/skills"
)

// SessionConfig is everything a session needs. Front ends (codex exec,
// the proto server, the MCP server) build it from config.toml and flags;
// see BuildSession for the usual way.
type SessionConfig struct {
	// ThreadID identifies the conversation (a UUID); it is the
	// prompt_cache_key and the rollout file's id. Empty: a new UUIDv7.
	ThreadID string
	Model    string
	Client   model.Client
	Retry    model.StreamRetry

	Cwd            string
	ApprovalPolicy protocol.AskForApproval
	Sandbox        protocol.SandboxPolicy

	Reasoning *model.Reasoning
	Text      *model.TextControls
	// Instructions are the base instructions sent with every request.
	Instructions string
	// InitialContext are the items that open a new conversation (the
	// AGENTS.md and environment context message); they are not added
	// again to a resumed History.
	InitialContext []model.Item
	// History is the conversation so far, for a resumed session.
	History []model.Item
	// Usage is the token usage so far, for a resumed session.
	Usage protocol.TokenUsage

	Tools tools.ToolSet
	// External are further tools (MCP servers, issue 8): their specs are
	// offered with the built-in ones and calls the built-ins do not know
	// are routed to them.
	External []tools.ExternalTool
	// Policy judges commands first; nil means FallbackPolicy. It is the
	// Approver's policy when Approver is nil.
	Policy Policy
	// Approver decides and remembers approvals; nil means a new one over
	// Policy and RulesFile (approval.New).
	Approver *approval.Approver
	// Runner runs commands under the sandbox policy; nil means
	// DirectRunner (no sandbox: say so to the user).
	Runner runner.Runner
	// Unsandboxed runs danger-full-access and approved escalations; nil
	// means DirectRunner.
	Unsandboxed runner.Runner
	// Env is the complete environment of commands (after
	// shell_environment_policy); nil inherits the agent's.
	Env map[string]string
	// Recorder writes the rollout file; nil for an ephemeral session.
	Recorder *Rollout
	// Headers are sent with every model request (originator, ids).
	Headers map[string]string
	// ContextWindow is reported in task_started and token_count.
	ContextWindow int64
	// ToolOutputBytes caps what one tool output gives the model (head and
	// tail kept); 0 means 10000 tokens' worth.
	ToolOutputBytes int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// AutoCompactTokenLimit compacts the history inside a turn once the
	// context holds this many tokens; 0 means 90% of ContextWindow (and
	// no automatic compaction without a window).
	AutoCompactTokenLimit int64
	// Skills are the session's skills (listed in InitialContext); a $name
	// mention in a turn's input adds that skill's SKILL.md after it.
	Skills []skills.Skill
	// Hooks run at lifecycle events (nil: none).
	Hooks *hooks.Set
	// CompactPrompt replaces DefaultCompactPrompt.
	CompactPrompt string
	// RulesFile is where "approve and remember" (exec_approval with
	// remember) appends allow rules with codex-execpolicy: it must be
	// $CODEX_HOME/rules/default.rules; empty disables remembering. A
	// Policy with a Reload() error method (ExecPolicy) is reloaded after.
	RulesFile string
	// Notices are reported as background events right after
	// session_configured (an MCP server that failed to start, say).
	Notices []string
	// OnTurnComplete, if set, is told of every turn that completed (not
	// aborted), after its task_complete: config's notify program hangs
	// off it. It runs on the turn's goroutine and must not block.
	OnTurnComplete func(TurnComplete)
	// Logger receives the session's log (logfile.Open); nil logs nothing.
	Logger *slog.Logger
	// Elicitations, when set, routes the MCP servers' elicitations to
	// this session (the servers were told the client can answer them):
	// they are decided by approval.Elicitation and asked with
	// elicitation_request events.
	Elicitations *tools.MCPElicitations
	// EndCommandsWithTurn ends exec_command sessions still running when a
	// turn ends, before its task_complete: for one-shot front ends
	// (codex exec), where nothing could poll them afterwards.
	EndCommandsWithTurn bool
}

// TurnComplete describes a completed turn for SessionConfig.OnTurnComplete.
type TurnComplete struct {
	ThreadID, TurnID, Cwd string
	// Inputs are the user's messages of the turn; LastMessage the
	// model's final answer.
	Inputs      []string
	LastMessage string
}

// Session is one conversation with the model. Drive it with Submit
// (protocol ops) and read Events until the channel closes; Run does the
// work. Approval requests are events (exec_approval_request,
// apply_patch_approval_request) answered by exec_approval and
// patch_approval ops carrying the request's call_id; interrupt (or
// cancelling a turn's submission context) aborts the running turn with
// turn_aborted and leaves the session usable; shutdown ends it with
// shutdown_complete.
//
// Events of one turn are emitted in order by the turn's goroutine (tool
// calls run in parallel emit their own begin/delta/end in order); the
// channel is never dropped from, so a front end must keep reading.
type Session struct {
	cfg    SessionConfig
	subs   chan protocol.Submission
	events chan protocol.Event
	done   chan struct{}

	mu       sync.Mutex
	history  []model.Item
	usage    protocol.TokenUsage
	pending  map[string]chan approval.Answer
	approver *approval.Approver
	// tools are the tools offered, their handlers and what they keep
	// across calls (exec_command sessions, the turn's patched files).
	tools *tools.Registry
	// recordErrTold says the failure to save the session was reported.
	recordErrTold bool
	// contextTokens is the context size the last response reported.
	contextTokens int64
	// rateLimits are the account's limits the last answer reported.
	rateLimits *protocol.RateLimitSnapshot
	turnCancel context.CancelCauseFunc
	// steered is input a steer op added to the running turn, not yet
	// in the history (the turn adds it before its next request).
	steered []model.Item
	// turnID and turnCtx are the running turn's (an elicitation is
	// tied to it); elicits carries elicitations to Run; elicitN numbers
	// them.
	turnID  string
	turnCtx context.Context
	elicits chan elicitReq
	elicitN int
	// ahead holds the helper started ahead of the next sandboxed command
	// (ahead.go); nil when the runner starts none.
	ahead *sandbox.Ahead
	// reviewing says a review runs on a context of its own (review.go):
	// its items stay out of the rollout. needContext says the next turn
	// starts the thread's context although its history is not empty (a
	// review came first).
	reviewing, needContext bool
}

// errInterrupted is the cancel cause of an interrupt op.
var errInterrupted = errors.New("interrupted")

// NewSession checks cfg and returns a session ready to Run.
func NewSession(cfg SessionConfig) (*Session, error) {
	if cfg.Client == nil {
		return nil, errors.New("session: no model client")
	}
	if cfg.Cwd == "" {
		return nil, errors.New("session: no working directory")
	}
	if cfg.ThreadID == "" {
		id, err := NewThreadID(cfg.now())
		if err != nil {
			return nil, err
		}
		cfg.ThreadID = id
	}
	if cfg.Policy == nil {
		cfg.Policy = FallbackPolicy{}
	}
	if cfg.Runner == nil {
		cfg.Runner = runner.DirectRunner{}
	}
	if cfg.Unsandboxed == nil {
		cfg.Unsandboxed = runner.DirectRunner{}
	}
	var ahead *sandbox.Ahead
	cfg.Runner, ahead = newAhead(cfg.Runner)
	if cfg.ApprovalPolicy == "" {
		cfg.ApprovalPolicy = protocol.ApprovalOnRequest
	}
	if cfg.Sandbox.Mode == "" {
		cfg.Sandbox.Mode = protocol.SandboxReadOnly
	}
	if cfg.Approver == nil {
		cfg.Approver = approval.New(approval.Config{Policy: cfg.Policy, RulesFile: cfg.RulesFile})
	}
	if cfg.Logger == nil {
		cfg.Logger = logfile.Discard()
	}
	s := &Session{
		cfg:      cfg,
		subs:     make(chan protocol.Submission),
		events:   make(chan protocol.Event, 256),
		done:     make(chan struct{}),
		history:  append([]model.Item(nil), cfg.History...),
		usage:    cfg.Usage,
		pending:  map[string]chan approval.Answer{},
		approver: cfg.Approver,
		elicits:  make(chan elicitReq),
		ahead:    ahead,
	}
	if cfg.Elicitations != nil {
		cfg.Elicitations.Attach(s.elicit)
	}
	s.tools = tools.New(tools.Config{Set: cfg.Tools, External: cfg.External, Approver: cfg.Approver,
		Host: sessionHost{s}, Logger: cfg.Logger})
	return s, nil
}

// sessionHost is what the session lends its tools (tools.Host).
type sessionHost struct{ s *Session }

func (h sessionHost) Emit(id string, m protocol.Msg) { h.s.emit(id, m) }

func (h sessionHost) EmitQuiet(id string, m protocol.Msg, quit <-chan struct{}) {
	h.s.emitQuiet(id, m, quit)
}

func (h sessionHost) Ask(ctx context.Context, id, callID string, req protocol.Msg) approval.Answer {
	return h.s.ask(ctx, id, callID, req)
}

func (h sessionHost) AbortTurn() { h.s.abortTurn() }

// emitQuiet is emit that gives up once quit is closed (the session is
// shutting down without a reader).
func (s *Session) emitQuiet(id string, m protocol.Msg, quit <-chan struct{}) {
	ev := protocol.Event{ID: id, Msg: m}
	s.logEvent(id, m)
	if s.cfg.Recorder != nil {
		s.cfg.Recorder.Event(ev)
	}
	select {
	case s.events <- ev:
	case <-quit:
	}
}

func (s *Session) abortTurn() {
	s.mu.Lock()
	c := s.turnCancel
	s.mu.Unlock()
	if c != nil {
		c(errAborted)
	}
}

func (c *SessionConfig) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// ThreadID returns the conversation id.
func (s *Session) ThreadID() string { return s.cfg.ThreadID }

// Events returns the event stream; it is closed when Run returns.
func (s *Session) Events() <-chan protocol.Event { return s.events }

// History returns a copy of the conversation items so far.
func (s *Session) History() []model.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]model.Item(nil), s.history...)
}

// Submit hands an op to the session. It returns an error once the session
// has ended.
func (s *Session) Submit(ctx context.Context, sub protocol.Submission) error {
	select {
	case s.subs <- sub:
		return nil
	case <-s.done:
		return errors.New("session ended")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Session) emit(id string, m protocol.Msg) {
	ev := protocol.Event{ID: id, Msg: m}
	s.logEvent(id, m)
	if s.cfg.Recorder != nil {
		s.cfg.Recorder.Event(ev)
	}
	s.events <- ev
	s.checkRecorder(id)
}

// logEvent logs an event: errors as warnings, the rest (but streamed
// deltas) at debug level.
func (s *Session) logEvent(id string, m protocol.Msg) {
	l := s.cfg.Logger
	switch e := m.(type) {
	case protocol.AgentMessageDeltaMsg, protocol.AgentReasoningDeltaMsg, protocol.ExecCommandOutputDeltaMsg,
		protocol.AgentReasoningRawContentDeltaMsg:
		return
	case protocol.ErrorMsg:
		l.Warn("error", "turn", id, "message", e.Message)
	case protocol.StreamErrorMsg:
		l.Warn("model stream", "turn", id, "message", e.Message)
	case protocol.ExecCommandEndMsg:
		l.Info("command ended", "turn", id, "call", e.CallID, "exit_code", e.ExitCode, "status", tools.EndStatus(e), "duration_ms", e.DurationMS)
	case protocol.ExecApprovalRequestMsg:
		l.Info("approval asked", "turn", id, "call", e.CallID, "command", e.Command, "reason", e.Reason)
	case protocol.ApplyPatchApprovalRequestMsg:
		l.Info("patch approval asked", "turn", id, "call", e.CallID, "reason", e.Reason)
	default:
		if l.Enabled(context.Background(), slog.LevelDebug) {
			l.Debug("event", "turn", id, "type", m.MsgType())
		}
	}
}

// SaveErrorReported reports whether the session has already told its
// front end, as an error event, that it could not be saved.
func (s *Session) SaveErrorReported() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recordErrTold
}

// checkRecorder reports, once, that the session can no longer be saved
// (a full disk): an error event the front ends show (codex exec then
// exits non-zero).
func (s *Session) checkRecorder(id string) {
	if s.cfg.Recorder == nil {
		return
	}
	err := s.cfg.Recorder.Err()
	if err == nil {
		return
	}
	s.mu.Lock()
	told := s.recordErrTold
	s.recordErrTold = true
	s.mu.Unlock()
	if !told {
		s.events <- protocol.Event{ID: id, Msg: protocol.ErrorMsg{Message: "the session could not be saved: " + err.Error()}}
	}
}

type queuedTurn struct {
	id  string
	op  protocol.Op
	ctx context.Context
}

// Run processes submissions until shutdown or ctx ends, then closes the
// event channel. It emits session_configured first.
func (s *Session) Run(ctx context.Context) error {
	defer close(s.events)
	defer close(s.done)
	// No helper started ahead outlives the session.
	defer s.closeAhead()
	// Commands left running end with the session, before the events do.
	defer s.tools.EndCommands(true)
	rp := ""
	if s.cfg.Recorder != nil {
		rp = s.cfg.Recorder.Path()
	}
	sp := s.cfg.Sandbox
	s.cfg.Logger.Info("session started", "thread", s.cfg.ThreadID, "model", s.cfg.Model, "cwd", s.cfg.Cwd,
		"approval_policy", s.cfg.ApprovalPolicy, "sandbox", s.cfg.Sandbox.Mode, "resumed_items", len(s.history))
	s.emit("", protocol.SessionConfiguredMsg{SessionID: s.cfg.ThreadID, Model: s.cfg.Model, Cwd: s.cfg.Cwd,
		ApprovalPolicy: s.cfg.ApprovalPolicy, SandboxPolicy: &sp, HistoryEntryCount: len(s.history), RolloutPath: rp})
	for _, n := range s.cfg.Notices {
		s.emit("", protocol.BackgroundEventMsg{Message: n})
	}
	var (
		queue    []queuedTurn
		turnDone chan struct{}
	)
	start := func(q queuedTurn) {
		tctx, cancel := context.WithCancelCause(q.ctx)
		s.mu.Lock()
		s.turnCancel, s.turnID, s.turnCtx = cancel, q.id, tctx
		s.mu.Unlock()
		turnDone = make(chan struct{})
		d := turnDone
		go func() {
			defer close(d)
			defer cancel(nil)
			s.runTurn(tctx, q.id, q.op)
		}()
	}
	stopTurn := func(cause error) {
		s.mu.Lock()
		c := s.turnCancel
		s.mu.Unlock()
		if c != nil && turnDone != nil {
			c(cause)
			<-turnDone
		}
	}
	for {
		select {
		case <-ctx.Done():
			stopTurn(errInterrupted)
			return nil
		case <-turnDone:
			turnDone = nil
			s.mu.Lock()
			s.turnCancel, s.turnID, s.turnCtx = nil, "", nil
			s.mu.Unlock()
			if len(queue) > 0 {
				q := queue[0]
				queue = queue[1:]
				start(q)
			}
		case r := <-s.elicits:
			s.mu.Lock()
			s.pending[r.msg.ID] = r.answer
			s.mu.Unlock()
			s.emit(r.turnID, r.msg)
		case sub := <-s.subs:
			if err := checkOp(sub.Op); err != nil {
				// A bad setting changes nothing, and a turn carrying one
				// does not start: the front end is told.
				s.emit(sub.ID, protocol.ErrorMsg{Message: err.Error()})
				continue
			}
			switch op := sub.Op.(type) {
			case protocol.SteerOp:
				if turnDone != nil {
					s.mu.Lock()
					s.steered = append(s.steered, userItem(op.Items))
					s.mu.Unlock()
					continue
				}
				q := queuedTurn{id: sub.ID, op: protocol.UserInputOp(op), ctx: ctx}
				start(q)
			case protocol.UserInputOp, protocol.UserTurnOp, protocol.CompactOp, ReviewOp:
				q := queuedTurn{id: sub.ID, op: op, ctx: ctx}
				if turnDone == nil {
					start(q)
				} else {
					queue = append(queue, q)
				}
			case protocol.ExecApprovalOp:
				s.answer(sub.ID, op.ID, approval.Answer{Decision: op.Decision, Remember: op.Remember})
			case protocol.PatchApprovalOp:
				s.answer(sub.ID, op.ID, approval.Answer{Decision: op.Decision})
			case protocol.ResolveElicitationOp:
				d, _ := elicitDecision(op.Decision)
				s.answer(sub.ID, op.RequestID, approval.Answer{Decision: d, Content: op.Content})
			case protocol.InterruptOp:
				queue = nil
				s.mu.Lock()
				c := s.turnCancel
				s.mu.Unlock()
				if c != nil {
					c(errInterrupted)
				}
			case protocol.OverrideTurnContextOp:
				s.override(op)
			case protocol.ListMcpToolsOp:
				s.emit(sub.ID, s.tools.ListMCPTools())
			case protocol.ShutdownOp:
				stopTurn(errInterrupted)
				// Their exec_command_end events come before shutdown_complete.
				s.tools.EndCommands(false)
				s.emit(sub.ID, protocol.ShutdownCompleteMsg{})
				return nil
			default:
				s.emit(sub.ID, protocol.ErrorMsg{Message: fmt.Sprintf("unsupported op: %s", sub.Op.OpType())})
			}
		}
	}
}

// checkOp rejects, before anything runs, a user_turn or
// override_turn_context whose approval policy or sandbox mode is not one
// we know (it would otherwise behave as the default), and a turn with a
// local image that cannot be read (it would otherwise be dropped).
func checkOp(op protocol.Op) error {
	var (
		ap protocol.AskForApproval
		sp *protocol.SandboxPolicy
	)
	switch o := op.(type) {
	case protocol.ResolveElicitationOp:
		_, err := elicitDecision(o.Decision)
		return err
	case protocol.UserInputOp:
		return CheckImages(o.Items)
	case protocol.UserTurnOp:
		if err := CheckImages(o.Items); err != nil {
			return err
		}
		ap, sp = o.ApprovalPolicy, o.SandboxPolicy
	case protocol.OverrideTurnContextOp:
		ap, sp = o.ApprovalPolicy, o.SandboxPolicy
	default:
		return nil
	}
	if ap != "" {
		if _, err := protocol.ParseAskForApproval(string(ap)); err != nil {
			return fmt.Errorf("%s: %w", op.OpType(), err)
		}
	}
	if sp != nil {
		if _, err := protocol.ParseSandboxMode(string(sp.Mode)); err != nil {
			return fmt.Errorf("%s: %w", op.OpType(), err)
		}
	}
	return nil
}

// CheckImages reports the first local_image input that is not a
// readable regular file.
func CheckImages(items []protocol.InputItem) error {
	for _, in := range items {
		if in.Type != "local_image" {
			continue
		}
		f, err := os.Open(in.Path)
		if err == nil {
			var st os.FileInfo
			if st, err = f.Stat(); err == nil && !st.Mode().IsRegular() {
				err = errors.New("not a regular file")
			}
			_ = f.Close()
		}
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Errorf("image %s: %w", in.Path, err)
		}
	}
	return nil
}

func (s *Session) answer(subID, callID string, d approval.Answer) {
	s.cfg.Logger.Info("approval answered", "call", callID, "decision", d.Decision, "remember", d.Remember)
	s.mu.Lock()
	ch := s.pending[callID]
	delete(s.pending, callID)
	s.mu.Unlock()
	if ch == nil {
		s.emit(subID, protocol.ErrorMsg{Message: fmt.Sprintf("no pending approval with id %q", callID)})
		return
	}
	ch <- d
}

// ask emits an approval request and waits for its answer; a cancelled
// turn answers abort.
func (s *Session) ask(ctx context.Context, subID, callID string, m protocol.Msg) approval.Answer {
	ch := make(chan approval.Answer, 1)
	s.mu.Lock()
	s.pending[callID] = ch
	s.mu.Unlock()
	s.emit(subID, m)
	select {
	case d := <-ch:
		return d
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.pending, callID)
		s.mu.Unlock()
		return approval.Answer{Decision: protocol.DecisionAbort}
	}
}

func (s *Session) override(op protocol.OverrideTurnContextOp) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyTurnSettings(op.Cwd, op.ApprovalPolicy, op.SandboxPolicy, op.Model, op.Effort, op.Summary)
}

// applyTurnSettings changes the settings of this and later turns; the
// caller holds s.mu.
func (s *Session) applyTurnSettings(cwd string, ap protocol.AskForApproval, sp *protocol.SandboxPolicy, modelName, effort, summary string) {
	if cwd != "" {
		s.cfg.Cwd = cwd
	}
	if ap != "" {
		s.cfg.ApprovalPolicy = ap
	}
	if sp != nil {
		s.cfg.Sandbox = *sp
	}
	if modelName != "" {
		s.cfg.Model = modelName
	}
	if effort != "" || summary != "" {
		r := model.Reasoning{}
		if s.cfg.Reasoning != nil {
			r = *s.cfg.Reasoning
		}
		if effort != "" {
			r.Effort = effort
		}
		if summary != "" {
			r.Summary = summary
		}
		s.cfg.Reasoning = &r
	}
}

// Settings returns a snapshot of the settings of the next turn.
func (s *Session) Settings() SessionConfig { return s.settings() }

// settings returns a snapshot of the per-turn settings.
func (s *Session) settings() SessionConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

func (s *Session) appendHistory(items ...model.Item) {
	s.mu.Lock()
	s.history = append(s.history, items...)
	reviewing := s.reviewing
	s.mu.Unlock()
	if s.cfg.Recorder != nil && !reviewing {
		for _, it := range items {
			s.cfg.Recorder.Item(it)
		}
	}
}

// userItem turns input items into one user message.
func userItem(items []protocol.InputItem) model.Item {
	it := model.Item{Type: "message", Role: "user"}
	for _, in := range items {
		switch in.Type {
		case "text":
			it.Content = append(it.Content, model.ContentPart{Type: "input_text", Text: in.Text})
		case "image":
			it.Content = append(it.Content, model.ContentPart{Type: "input_image", ImageURL: in.ImageURL})
		case "local_image":
			if u, err := imageDataURL(in.Path); err == nil {
				it.Content = append(it.Content, model.ContentPart{Type: "input_image", ImageURL: u})
			}
		}
	}
	return it
}
