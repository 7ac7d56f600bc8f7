package appconn

import (
	"encoding/json"
	"fmt"

	"github.com/codexgo/common/protocol"
)

// state is what the translation remembers, under Conn.mu.
type state struct {
	pending  map[int64]func(json.RawMessage, *rpcError)
	threadID string
	// turnID is the running turn ("" between turns); starting is set
	// while a turn/start (or compaction) awaits its turn id, and
	// interrupt asks to interrupt that turn as soon as its id is known.
	turnID    string
	starting  bool
	interrupt bool
	// next are the settings the TUI changed (/model, /approvals) for the
	// next turn/start, which the server keeps for the turns after it.
	next map[string]any
	// asks are the server's approval requests waiting for the user, by
	// the call id the TUI answers with.
	asks map[string]ask
	// changes are the file changes of fileChange items, which approval
	// requests refer to by item id; output is their patch output.
	changes map[string]map[string]protocol.FileChange
	output  map[string]string
	// begun are the items announced to the TUI and not yet ended.
	begun map[string]bool
	// window is the model's context window as last reported.
	window int64
	// lastAnswer is the turn's last agent message; turnErr the error
	// that failed it, reported when the turn ends.
	lastAnswer string
	turnErr    string
	shutdown   bool
	elicit     int
	// steers are steers sent while the turn's id was not known yet,
	// sent (or refused) once it is.
	steers []heldSteer
}

// heldSteer is a steer waiting for its turn's id.
type heldSteer struct {
	subID string
	input []any
}

// ask is a server request waiting for the user's decision.
type ask struct {
	id        json.RawMessage
	kind      string // exec, patch, elicitation
	amendment []string
	// turnID is the turn an elicitation came in, if any: MCP does not tie
	// one to a turn, so one that came between turns outlives them.
	turnID string
}

func newState() state {
	return state{
		pending: map[int64]func(json.RawMessage, *rpcError){},
		asks:    map[string]ask{},
		changes: map[string]map[string]protocol.FileChange{},
		output:  map[string]string{},
		begun:   map[string]bool{},
		next:    map[string]any{},
	}
}

// start opens the thread: initialize, initialized, then thread/start
// or thread/resume, whose answer is the session's configuration.
func (c *Conn) start(o Options) {
	info := map[string]any{"name": "codex-tui", "title": "Codex TUI", "version": o.Version}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.call("initialize", map[string]any{"clientInfo": info}, func(_ json.RawMessage, e *rpcError) {
		if e != nil {
			c.failed("initialize", e)
			return
		}
		c.notify("initialized", nil)
		method, params := "thread/start", map[string]any{"cwd": o.Cwd}
		switch {
		case o.Fork != "":
			method, params = "thread/fork", map[string]any{"threadId": o.Fork, "cwd": o.Cwd}
		case o.Resume != "":
			// In this directory, as `codex proto` resumed in its own.
			method, params = "thread/resume", map[string]any{"threadId": "", "path": o.Resume, "cwd": o.Cwd, "excludeTurns": true}
		}
		c.call(method, params, func(r json.RawMessage, e *rpcError) {
			if e != nil {
				c.failed(method, e)
				return
			}
			c.configured(r)
		})
	})
}

func (c *Conn) failed(method string, e *rpcError) {
	c.push(protocol.Event{Msg: protocol.ErrorMsg{Message: fmt.Sprintf("%s: %s", method, e.Message)}})
}

// configured turns thread/start's (or thread/resume's) answer into
// session_configured.
func (c *Conn) configured(raw json.RawMessage) {
	var r struct {
		Thread struct {
			ID   string  `json:"id"`
			Path *string `json:"path"`
		} `json:"thread"`
		Model          string          `json:"model"`
		Cwd            string          `json:"cwd"`
		ApprovalPolicy json.RawMessage `json:"approvalPolicy"`
		Sandbox        json.RawMessage `json:"sandbox"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		c.push(protocol.Event{Msg: protocol.ErrorMsg{Message: "appconn: thread: " + err.Error()}})
		return
	}
	c.st.threadID = r.Thread.ID
	// A named policy or a granular one ({"granular": {...}}), kept as
	// such so that /status and the footer show what is in force.
	var approval protocol.AskForApproval
	if json.Unmarshal(r.ApprovalPolicy, &approval) != nil {
		approval = protocol.ApprovalOnRequest
	}
	msg := protocol.SessionConfiguredMsg{SessionID: r.Thread.ID, Model: r.Model, Cwd: r.Cwd,
		ApprovalPolicy: approval, SandboxPolicy: sandboxIn(r.Sandbox)}
	if r.Thread.Path != nil {
		msg.RolloutPath = *r.Thread.Path
	}
	c.push(protocol.Event{Msg: msg})
}

// submit translates one submission (under c.mu).
func (c *Conn) submit(s protocol.Submission) {
	switch op := s.Op.(type) {
	case protocol.UserInputOp:
		c.startTurn(op.Items)
	case protocol.UserTurnOp:
		c.overrides(protocol.OverrideTurnContextOp{Cwd: op.Cwd, ApprovalPolicy: op.ApprovalPolicy,
			SandboxPolicy: op.SandboxPolicy, Model: op.Model, Effort: op.Effort, Summary: op.Summary})
		c.startTurn(op.Items)
	case protocol.OverrideTurnContextOp:
		c.overrides(op)
	case protocol.SteerOp:
		c.steer(s.ID, inputOf(op.Items))
	case ReviewOp:
		c.st.starting = true
		c.call("review/start", map[string]any{"threadId": c.st.threadID, "target": op.Target.params(), "delivery": "inline"},
			c.turnAnswer("review/start"))
	case protocol.ResolveElicitationOp:
		c.resolve(op)
	case protocol.CompactOp:
		c.st.starting = true
		c.call("thread/compact/start", map[string]any{"threadId": c.st.threadID}, c.turnAnswer("thread/compact/start"))
	case protocol.InterruptOp:
		switch {
		case c.st.turnID != "":
			c.call("turn/interrupt", map[string]any{"threadId": c.st.threadID, "turnId": c.st.turnID}, c.ignore("turn/interrupt"))
		case c.st.starting:
			c.st.interrupt = true
		}
	case protocol.ExecApprovalOp:
		c.decide(op.ID, op.Decision, op.Remember)
	case protocol.PatchApprovalOp:
		c.decide(op.ID, op.Decision, false)
	case protocol.ListMcpToolsOp:
		c.listTools(nil, protocol.McpListToolsResponseMsg{Tools: map[string]json.RawMessage{}, Failures: map[string]string{}})
	case protocol.ShutdownOp:
		c.st.shutdown = true
		c.wmu.Lock()
		c.closing = true
		c.wcond.Signal()
		c.wmu.Unlock()
	}
}

// inputOf is the app-server's UserInput list for items.
func inputOf(items []protocol.InputItem) []any {
	input := make([]any, 0, len(items))
	for _, it := range items {
		switch it.Type {
		case "text":
			input = append(input, map[string]any{"type": "text", "text": it.Text, "text_elements": []any{}})
		case "local_image":
			input = append(input, map[string]any{"type": "localImage", "path": it.Path})
		case "image":
			input = append(input, map[string]any{"type": "image", "url": it.ImageURL})
		}
	}
	return input
}

// startTurn sends turn/start with the input and the changed settings.
func (c *Conn) startTurn(items []protocol.InputItem) {
	params := map[string]any{"threadId": c.st.threadID, "input": inputOf(items)}
	for k, v := range c.st.next {
		params[k] = v
	}
	c.st.next = map[string]any{}
	c.st.starting = true
	c.call("turn/start", params, c.turnAnswer("turn/start"))
}

// turnAnswer learns the turn id from a turn-starting request's answer
// (turn/started may have told it already).
func (c *Conn) turnAnswer(method string) func(json.RawMessage, *rpcError) {
	return func(r json.RawMessage, e *rpcError) {
		if e != nil {
			c.st.starting, c.st.interrupt = false, false
			c.refuseSteers("the turn did not start")
			c.failed(method, e)
			return
		}
		var t struct {
			Turn struct {
				ID string `json:"id"`
			} `json:"turn"`
		}
		if json.Unmarshal(r, &t) == nil && t.Turn.ID != "" && c.st.starting {
			c.turnKnown(t.Turn.ID)
		}
	}
}

func (c *Conn) turnKnown(id string) {
	c.st.turnID, c.st.starting = id, false
	if c.st.interrupt {
		// Steered into a turn about to end, the input would be lost:
		// the TUI queues it for the next turn.
		c.refuseSteers("the turn was interrupted")
	}
	held := c.st.steers
	c.st.steers = nil
	for _, h := range held {
		c.steer(h.subID, h.input)
	}
	if c.st.interrupt {
		c.st.interrupt = false
		c.call("turn/interrupt", map[string]any{"threadId": c.st.threadID, "turnId": id}, c.ignore("turn/interrupt"))
	}
}

// steer adds input to the running turn (turn/steer, which names the turn
// it expects); a turn still starting gets it once its id is known. The
// answer, accepted or refused, is a SteerResultMsg.
func (c *Conn) steer(subID string, input []any) {
	switch {
	case c.st.starting:
		c.st.steers = append(c.st.steers, heldSteer{subID, input})
	case c.st.turnID != "":
		c.call("turn/steer", map[string]any{"threadId": c.st.threadID, "expectedTurnId": c.st.turnID, "input": input},
			func(_ json.RawMessage, e *rpcError) {
				if e != nil {
					c.push(protocol.Event{Msg: SteerResultMsg{SubmissionID: subID, Reason: e.Message}})
					return
				}
				c.push(protocol.Event{Msg: SteerResultMsg{SubmissionID: subID, Accepted: true}})
			})
	default:
		c.push(protocol.Event{Msg: SteerResultMsg{SubmissionID: subID, Reason: "no turn is running"}})
	}
}

// refuseSteers answers the held steers: their turn will not run.
func (c *Conn) refuseSteers(reason string) {
	for _, h := range c.st.steers {
		c.push(protocol.Event{Msg: SteerResultMsg{SubmissionID: h.subID, Reason: reason}})
	}
	c.st.steers = nil
}

func (c *Conn) ignore(method string) func(json.RawMessage, *rpcError) {
	return func(_ json.RawMessage, e *rpcError) {
		// An interrupt that lost the race with the turn's end is no
		// failure the user needs to see.
		if e != nil && method != "turn/interrupt" {
			c.failed(method, e)
		}
	}
}

// overrides keeps changed settings for the next turn/start.
func (c *Conn) overrides(op protocol.OverrideTurnContextOp) {
	if op.Cwd != "" {
		c.st.next["cwd"] = op.Cwd
	}
	if op.Model != "" {
		c.st.next["model"] = op.Model
	}
	if op.Effort != "" {
		c.st.next["effort"] = op.Effort
	}
	if op.Summary != "" {
		c.st.next["summary"] = op.Summary
	}
	if op.ApprovalPolicy != "" {
		c.st.next["approvalPolicy"] = string(op.ApprovalPolicy)
	}
	if op.SandboxPolicy != nil {
		c.st.next["sandboxPolicy"] = sandboxOut(*op.SandboxPolicy)
	}
}

// decide answers the server request the TUI's decision is about.
func (c *Conn) decide(callID string, d protocol.ReviewDecision, remember bool) {
	a, ok := c.st.asks[callID]
	if !ok {
		return // withdrawn meanwhile (the turn ended)
	}
	delete(c.st.asks, callID)
	if a.kind == "elicitation" {
		action := "decline"
		switch d {
		case protocol.DecisionApproved, protocol.DecisionApprovedForSession:
			action = "accept"
		case protocol.DecisionAbort:
			action = "cancel"
		}
		res := map[string]any{"action": action, "content": nil}
		if action == "accept" {
			res["content"] = map[string]any{}
		}
		c.respond(a.id, res)
		return
	}
	var decision any
	switch d {
	case protocol.DecisionApproved:
		decision = "accept"
	case protocol.DecisionApprovedForSession:
		decision = "acceptForSession"
		if remember && a.kind == "exec" {
			decision = map[string]any{"acceptWithExecpolicyAmendment": map[string]any{"execpolicy_amendment": a.amendment}}
		}
	case protocol.DecisionAbort:
		decision = "cancel"
	default:
		decision = "decline"
	}
	c.respond(a.id, map[string]any{"decision": decision})
}

// resolve answers an elicitation the form view filled in (accept with
// its content) or that the user declined or cancelled.
func (c *Conn) resolve(op protocol.ResolveElicitationOp) {
	a, ok := c.st.asks[op.RequestID]
	if !ok || a.kind != "elicitation" {
		return // withdrawn meanwhile
	}
	delete(c.st.asks, op.RequestID)
	res := map[string]any{"action": op.Decision, "content": nil}
	switch op.Decision {
	case "accept":
		content := op.Content
		if len(content) == 0 {
			content = json.RawMessage("{}")
		}
		res["content"] = content
	case "cancel":
	default:
		res["action"] = "decline"
	}
	c.respond(a.id, res)
}

// listTools pages through mcpServerStatus/list into mcp_list_tools_response.
func (c *Conn) listTools(cursor any, acc protocol.McpListToolsResponseMsg) {
	params := map[string]any{"detail": "toolsAndAuthOnly"}
	if cursor != nil {
		params["cursor"] = cursor
	}
	c.call("mcpServerStatus/list", params, func(r json.RawMessage, e *rpcError) {
		if e != nil {
			c.failed("mcpServerStatus/list", e)
			return
		}
		var page struct {
			Data []struct {
				Name       string                     `json:"name"`
				Tools      map[string]json.RawMessage `json:"tools"`
				ToolsError *string                    `json:"toolsError"`
			} `json:"data"`
			NextCursor *string `json:"nextCursor"`
		}
		if err := json.Unmarshal(r, &page); err != nil {
			c.push(protocol.Event{Msg: protocol.ErrorMsg{Message: "appconn: mcpServerStatus/list: " + err.Error()}})
			return
		}
		for _, s := range page.Data {
			for name, tool := range s.Tools {
				acc.Tools["mcp__"+s.Name+"__"+name] = tool
			}
			if s.ToolsError != nil && *s.ToolsError != "" {
				acc.Failures[s.Name] = *s.ToolsError
			}
		}
		if page.NextCursor != nil && *page.NextCursor != "" {
			c.listTools(*page.NextCursor, acc)
			return
		}
		c.push(protocol.Event{Msg: acc})
	})
}

// handle translates one line from the server (under c.mu).
func (c *Conn) handle(m message) {
	switch {
	case m.Method != "" && len(m.ID) > 0 && string(m.ID) != "null":
		c.serverRequest(m)
	case m.Method != "":
		c.notification(m.Method, m.Params)
	case len(m.ID) > 0:
		var id int64
		if json.Unmarshal(m.ID, &id) != nil {
			if m.Error != nil {
				c.push(protocol.Event{Msg: protocol.ErrorMsg{Message: "app-server: " + m.Error.Message}})
			}
			return
		}
		done := c.st.pending[id]
		delete(c.st.pending, id)
		if done != nil {
			done(m.Result, m.Error)
		}
	}
}

// serverRequest turns an approval request into the TUI's approval event.
func (c *Conn) serverRequest(m message) {
	var p struct {
		TurnID                      string   `json:"turnId"`
		ItemID                      string   `json:"itemId"`
		Command                     *string  `json:"command"`
		Cwd                         *string  `json:"cwd"`
		Reason                      *string  `json:"reason"`
		GrantRoot                   *string  `json:"grantRoot"`
		ProposedExecpolicyAmendment []string `json:"proposedExecpolicyAmendment"`
		ServerName                  string   `json:"serverName"`
		Message                     string   `json:"message"`
		Mode                        string   `json:"mode"`
		RequestedSchema             struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"-"`
		RawSchema json.RawMessage `json:"requestedSchema"`
	}
	_ = json.Unmarshal(m.Params, &p)
	_ = json.Unmarshal(p.RawSchema, &p.RequestedSchema)
	ev := protocol.Event{ID: p.TurnID}
	switch m.Method {
	case "item/commandExecution/requestApproval":
		argv := shellArgv(deref(p.Command))
		amendment := p.ProposedExecpolicyAmendment
		if amendment == nil {
			amendment = argv
		}
		c.st.asks[p.ItemID] = ask{id: m.ID, kind: "exec", amendment: amendment}
		ev.Msg = protocol.ExecApprovalRequestMsg{CallID: p.ItemID, Command: argv, Cwd: deref(p.Cwd), Reason: deref(p.Reason)}
	case "item/fileChange/requestApproval":
		c.st.asks[p.ItemID] = ask{id: m.ID, kind: "patch"}
		ev.Msg = protocol.ApplyPatchApprovalRequestMsg{CallID: p.ItemID, Changes: c.st.changes[p.ItemID],
			Reason: deref(p.Reason), GrantRoot: deref(p.GrantRoot)}
	case "mcpServer/elicitation/request":
		if p.Mode != "form" {
			// A URL to open (or a vendor form): the TUI has no view for
			// them, so it declines and says so.
			c.respond(m.ID, map[string]any{"action": "decline", "content": nil})
			ev.Msg = protocol.BackgroundEventMsg{Message: fmt.Sprintf("The %s MCP server asked for input the TUI cannot show (declined): %s", p.ServerName, p.Message)}
			break
		}
		c.st.elicit++
		id := fmt.Sprintf("elicitation-%d", c.st.elicit)
		c.st.asks[id] = ask{id: m.ID, kind: "elicitation", turnID: p.TurnID}
		if len(p.RequestedSchema.Properties) > 0 {
			// A form to fill in: the TUI's form view answers it with a
			// ResolveElicitationOp.
			ev.Msg = protocol.ElicitationRequestMsg{ID: id, ServerName: p.ServerName, TurnID: p.TurnID, Mode: p.Mode,
				Message: p.Message, RequestedSchema: p.RawSchema}
			break
		}
		ev.Msg = protocol.ExecApprovalRequestMsg{CallID: id, Command: []string{p.Message}, McpServer: p.ServerName}
	default:
		c.respondError(m.ID, -32601, "codex-tui does not handle "+m.Method)
		return
	}
	c.push(ev)
}

// shellArgv is the app-server's one-string command as the argv the
// TUI shows (it shows a `bash -lc` script as the script).
func shellArgv(cmd string) []string { return []string{"bash", "-lc", cmd} }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// sandboxIn reads a v2 SandboxPolicy.
func sandboxIn(raw json.RawMessage) *protocol.SandboxPolicy {
	var p struct {
		Type                string   `json:"type"`
		WritableRoots       []string `json:"writableRoots"`
		NetworkAccess       any      `json:"networkAccess"`
		ExcludeTmpdirEnvVar bool     `json:"excludeTmpdirEnvVar"`
		ExcludeSlashTmp     bool     `json:"excludeSlashTmp"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return nil
	}
	net, _ := p.NetworkAccess.(bool)
	switch p.Type {
	case "dangerFullAccess":
		return &protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}
	case "workspaceWrite":
		return &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: p.WritableRoots,
			NetworkAccess: net, ExcludeTmpdirEnvVar: p.ExcludeTmpdirEnvVar, ExcludeSlashTmp: p.ExcludeSlashTmp}
	case "readOnly":
		return &protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly, NetworkAccess: net}
	}
	return nil
}

// sandboxOut writes a policy as a v2 SandboxPolicy.
func sandboxOut(p protocol.SandboxPolicy) map[string]any {
	switch p.Mode {
	case protocol.SandboxDangerFullAccess:
		return map[string]any{"type": "dangerFullAccess"}
	case protocol.SandboxWorkspaceWrite:
		roots := p.WritableRoots
		if roots == nil {
			roots = []string{}
		}
		return map[string]any{"type": "workspaceWrite", "writableRoots": roots, "networkAccess": p.NetworkAccess,
			"excludeTmpdirEnvVar": p.ExcludeTmpdirEnvVar, "excludeSlashTmp": p.ExcludeSlashTmp}
	}
	return map[string]any{"type": "readOnly", "networkAccess": p.NetworkAccess}
}

// changesIn reads a fileChange item's changes.
func changesIn(raw json.RawMessage) map[string]protocol.FileChange {
	var list []struct {
		Path string `json:"path"`
		Kind struct {
			Type     string  `json:"type"`
			MovePath *string `json:"move_path"`
		} `json:"kind"`
		Diff string `json:"diff"`
	}
	_ = json.Unmarshal(raw, &list)
	out := make(map[string]protocol.FileChange, len(list))
	for _, ch := range list {
		fc := protocol.FileChange{Type: ch.Kind.Type}
		switch ch.Kind.Type {
		case "add", "delete":
			fc.Content = ch.Diff
		default:
			fc.Type, fc.UnifiedDiff, fc.MovePath = "update", ch.Diff, deref(ch.Kind.MovePath)
		}
		out[ch.Path] = fc
	}
	return out
}
