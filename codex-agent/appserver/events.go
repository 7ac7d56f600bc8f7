package appserver

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/codexgo/common/protocol"
)

// turnState follows one turn's items while its events stream.
type turnState struct {
	id      string
	input   []json.RawMessage
	compact bool
	// review is a review turn's hint (review/start); "" for other turns.
	review  string
	status  string // inProgress, completed, interrupted, failed
	errMsg  string
	started int64 // unix seconds
	startMs int64
	endMs   int64

	n         int
	agentItem string
	agentText strings.Builder
	reasoning reasoningState
	// open are the items started and not yet completed, by id.
	open map[string]map[string]any
	// itemStart are the items' start times in ms.
	itemStart map[string]int64
	// ready closes once the request that started the turn is answered:
	// its notifications follow the response.
	ready chan struct{}
	once  sync.Once
}

func (t *turnState) release() { t.once.Do(func() { close(t.ready) }) }

func newTurn(id string, input []json.RawMessage) *turnState {
	return &turnState{id: id, input: input, status: "inProgress",
		open: map[string]map[string]any{}, itemStart: map[string]int64{}, ready: make(chan struct{})}
}

func (t *turnState) object() map[string]any {
	o := map[string]any{"id": t.id, "items": []any{}, "status": t.status, "error": nil}
	if t.started != 0 {
		o["startedAt"] = t.started
	}
	if t.endMs != 0 {
		o["completedAt"] = t.endMs / 1000
		o["durationMs"] = t.endMs - t.startMs
	}
	if t.errMsg != "" {
		o["error"] = map[string]any{"message": t.errMsg}
	}
	return o
}

func (t *turnState) nextID(kind string) string {
	t.n++
	return fmt.Sprintf("%s-%s-%d", t.id, kind, t.n)
}

// event maps one session event onto notifications.
func (th *thread) event(ev protocol.Event) {
	now := th.s.o.Now()
	ms := now.UnixMilli()
	th.mu.Lock()
	th.meta.UpdatedAt = now.Unix()
	t := th.turns[ev.ID]
	th.mu.Unlock()
	if t != nil {
		select {
		case <-t.ready:
		case <-th.s.ctx.Done():
		}
	}
	base := func(extra map[string]any) map[string]any {
		extra["threadId"] = th.id
		extra["turnId"] = ev.ID
		return extra
	}
	started := func(item map[string]any) {
		id := item["id"].(string)
		t.open[id] = item
		t.itemStart[id] = ms
		th.notify("item/started", base(map[string]any{"item": item, "startedAtMs": ms}))
	}
	completed := func(item map[string]any) {
		id := item["id"].(string)
		if _, ok := t.open[id]; !ok {
			started(copyItem(item, map[string]any{}))
		}
		delete(t.open, id)
		th.notify("item/completed", base(map[string]any{"item": item, "completedAtMs": ms}))
	}
	switch m := ev.Msg.(type) {
	case protocol.SessionConfiguredMsg:
		return
	case protocol.BackgroundEventMsg:
		// Outside a turn (an MCP server that did not start) and inside
		// one (an automatic compaction, a command's network hint): what
		// `codex proto`'s clients showed, the client shows.
		th.notify("warning", map[string]any{"message": m.Message, "threadId": th.id})
		return
	}
	if m, ok := ev.Msg.(protocol.ElicitationRequestMsg); ok {
		// Also outside a turn (a server may elicit at any time).
		th.askElicitation(m)
		return
	}
	if th.backgroundEvent(ev, ms) {
		return
	}
	if t == nil {
		if m, ok := ev.Msg.(protocol.ErrorMsg); ok {
			th.notify("warning", map[string]any{"message": m.Message, "threadId": th.id})
		}
		return
	}
	if th.reasoningEvent(t, ev, base, started, completed) {
		return
	}
	switch m := ev.Msg.(type) {
	case protocol.TaskStartedMsg:
		if t.review != "" {
			reviewEntered(t, started, completed)
		}
		t.started, t.startMs = now.Unix(), ms
		th.mu.Lock()
		th.cur = t
		th.mu.Unlock()
		th.setStatus("active")
		th.notify("turn/started", map[string]any{"threadId": th.id, "turn": t.object()})
		if t.compact {
			started(map[string]any{"type": "contextCompaction", "id": t.nextID("compaction")})
			return
		}
		content := make([]any, 0, len(t.input))
		for _, in := range t.input {
			content = append(content, in)
		}
		item := map[string]any{"type": "userMessage", "id": t.nextID("user"), "content": content}
		started(item)
		completed(item)
	case protocol.AgentMessageDeltaMsg:
		if t.review != "" {
			return // 0.169 streams none of the reviewer's answer
		}
		if t.agentItem == "" {
			t.agentItem = t.nextID("msg")
			t.agentText.Reset()
			started(map[string]any{"type": "agentMessage", "id": t.agentItem, "text": ""})
		}
		t.agentText.WriteString(m.Delta)
		th.notify("item/agentMessage/delta", base(map[string]any{"itemId": t.agentItem, "delta": m.Delta}))
	case protocol.AgentMessageMsg:
		if t.compact {
			return
		}
		if t.review != "" {
			// The reviewer's raw answer: 0.169 starts its item and never
			// completes it; the review follows as a message of its own.
			th.notify("item/started", base(map[string]any{"item": map[string]any{"type": "agentMessage", "id": t.nextID("msg"), "text": m.Message}, "startedAtMs": ms}))
			return
		}
		id := t.agentItem
		if id == "" {
			id = t.nextID("msg")
		}
		t.agentItem = ""
		completed(map[string]any{"type": "agentMessage", "id": id, "text": m.Message})
	case protocol.ExecCommandBeginMsg:
		if _, ok := t.open[m.CallID]; !ok {
			started(commandItem(m.CallID, m.Command, m.Cwd, m.ParsedCmd))
		}
	case protocol.ExecCommandOutputDeltaMsg:
		th.notify("item/commandExecution/outputDelta", base(map[string]any{"itemId": m.CallID, "delta": string(m.Chunk)}))
	case protocol.ExecCommandEndMsg:
		item := t.open[m.CallID]
		if item == nil {
			item = commandItem(m.CallID, nil, "", nil)
		}
		completed(commandDone(item, m))
	case protocol.ExecApprovalRequestMsg:
		th.askCommand(t, ev.ID, m, started)
	case protocol.ApplyPatchApprovalRequestMsg:
		if _, ok := t.open[m.CallID]; !ok {
			started(fileChangeItem(m.CallID, m.Changes, "inProgress"))
		}
		th.askPatch(t, ev.ID, m)
	case protocol.PatchApplyBeginMsg:
		if _, ok := t.open[m.CallID]; !ok {
			started(fileChangeItem(m.CallID, m.Changes, "inProgress"))
		}
	case protocol.PatchApplyEndMsg:
		item := t.open[m.CallID]
		if item == nil {
			item = fileChangeItem(m.CallID, nil, "inProgress")
		}
		if out := m.Stdout + m.Stderr; out != "" {
			th.notify("item/fileChange/outputDelta", base(map[string]any{"itemId": m.CallID, "delta": out}))
		}
		status := "completed"
		if !m.Success {
			status = "failed"
			if th.wasDeclined(m.CallID) {
				status = "declined"
			}
		}
		completed(copyItem(item, map[string]any{"status": status}))
	case protocol.TerminalInteractionMsg:
		// What the model typed into a running command (write_stdin).
		th.notify("item/commandExecution/terminalInteraction", base(map[string]any{"itemId": m.CallID,
			"processId": m.ProcessID, "stdin": m.Stdin}))
	case protocol.McpToolCallBeginMsg:
		started(mcpItem(m.CallID, m.Server, m.Tool, m.Arguments, "inProgress"))
	case protocol.McpToolCallProgressMsg:
		th.notify("item/mcpToolCall/progress", base(map[string]any{"itemId": m.CallID, "message": m.Message}))
	case protocol.McpToolCallEndMsg:
		item := t.open[m.CallID]
		if item == nil {
			item = mcpItem(m.CallID, m.Server, m.Tool, nil, "inProgress")
		}
		item = copyItem(item, map[string]any{"durationMs": m.DurationMS})
		if m.Error != "" {
			item["status"], item["error"] = "failed", map[string]any{"message": m.Error}
		} else {
			item["status"] = "completed"
			var res struct {
				Content           []json.RawMessage `json:"content"`
				StructuredContent json.RawMessage   `json:"structuredContent"`
				IsError           bool              `json:"isError"`
			}
			_ = json.Unmarshal(m.Result, &res)
			if res.Content == nil {
				res.Content = []json.RawMessage{}
			}
			r := map[string]any{"content": res.Content}
			if len(res.StructuredContent) > 0 {
				r["structuredContent"] = res.StructuredContent
			}
			item["result"] = r
			if res.IsError {
				item["status"] = "failed"
			}
		}
		completed(item)
	case protocol.WebSearchBeginMsg:
		started(map[string]any{"type": "webSearch", "id": m.CallID, "query": ""})
	case protocol.WebSearchEndMsg:
		completed(map[string]any{"type": "webSearch", "id": m.CallID, "query": m.Query, "action": webAction(m.Action, m.Query)})
	case protocol.TurnDiffMsg:
		th.notify("turn/diff/updated", base(map[string]any{"diff": m.UnifiedDiff}))
	case protocol.PlanUpdateMsg:
		steps := make([]any, 0, len(m.Plan))
		for _, p := range m.Plan {
			st := p.Status
			if st == "in_progress" {
				st = "inProgress"
			}
			if st != "pending" && st != "inProgress" && st != "completed" {
				st = "pending"
			}
			steps = append(steps, map[string]any{"step": p.Step, "status": st})
		}
		var expl any
		if m.Explanation != "" {
			expl = m.Explanation
		}
		th.notify("turn/plan/updated", base(map[string]any{"plan": steps, "explanation": expl}))
	case protocol.TokenCountMsg:
		if t.review != "" {
			return // 0.169 reports none of the reviewer's usage
		}
		usage := map[string]any{"total": breakdown(m.TotalTokenUsage), "last": breakdown(m.LastTokenUsage)}
		if m.ModelContextWindow > 0 {
			usage["modelContextWindow"] = m.ModelContextWindow
		}
		th.notify("thread/tokenUsage/updated", base(map[string]any{"tokenUsage": usage}))
		th.s.rateLimitsSeen(m.RateLimits)
	case protocol.StreamErrorMsg:
		th.notify("error", base(map[string]any{"error": map[string]any{"message": m.Message}, "willRetry": true}))
	case protocol.ErrorMsg:
		t.errMsg = m.Message
		th.notify("error", base(map[string]any{"error": map[string]any{"message": m.Message}, "willRetry": false}))
	case protocol.TaskCompleteMsg:
		if t.review != "" && t.errMsg == "" {
			reviewExited(t, m.LastAgentMessage, started, completed)
		}
		th.endTurn(t, ms, started, completed)
	case protocol.TurnAbortedMsg:
		t.status = "interrupted"
		if t.review != "" {
			reviewInterrupted(t, started, completed)
		}
		th.endTurn(t, ms, started, completed)
	}
}

// steered reports input added to a running turn as its user message
// item. It runs beside the event pump, so the turn's item state is left
// alone: the item has an id of its own.
func (th *thread) steered(t *turnState, input []json.RawMessage) {
	content := make([]any, 0, len(input))
	for _, in := range input {
		content = append(content, in)
	}
	th.mu.Lock()
	th.steers++
	id := fmt.Sprintf("%s-steer-%d", t.id, th.steers)
	th.mu.Unlock()
	ms := th.s.o.Now().UnixMilli()
	item := map[string]any{"type": "userMessage", "id": id, "content": content}
	th.notify("item/started", map[string]any{"threadId": th.id, "turnId": t.id, "item": item, "startedAtMs": ms})
	th.notify("item/completed", map[string]any{"threadId": th.id, "turnId": t.id, "item": item, "completedAtMs": ms})
}

// endTurn completes what is still open and closes the turn.
func (th *thread) endTurn(t *turnState, ms int64, started, completed func(map[string]any)) {
	if t.compact && t.status == "inProgress" && t.errMsg == "" {
		for id, item := range t.open {
			if item["type"] == "contextCompaction" {
				completed(item)
				delete(t.open, id)
			}
		}
		th.notify("thread/compacted", map[string]any{"threadId": th.id, "turnId": t.id})
	}
	for id, item := range t.open {
		if item["type"] == "commandExecution" && t.status == "inProgress" && t.errMsg == "" {
			// A command still running when its turn completed is a
			// session the model left running: its item completes when
			// it ends.
			th.background[id] = backgroundCommand{turnID: t.id, item: item}
			delete(t.open, id)
			continue
		}
		done := copyItem(item, map[string]any{})
		switch item["type"] {
		case "commandExecution", "fileChange":
			if t.status == "interrupted" || th.wasDeclined(id) {
				done["status"] = "declined"
			} else {
				done["status"] = "failed"
			}
		case "mcpToolCall":
			done["status"] = "failed"
		case "agentMessage":
			done["text"] = t.agentText.String()
		case "reasoning":
			done = t.reasoning.done(item)
		}
		completed(done)
		delete(t.open, id)
	}
	if t.status == "inProgress" {
		t.status = "completed"
		if t.errMsg != "" {
			t.status = "failed"
		}
	}
	t.endMs = ms
	th.mu.Lock()
	if th.cur == t {
		th.cur = nil
	}
	delete(th.turns, t.id)
	waiting := 0
	for k, p := range th.waiting {
		if p.turnID == t.id {
			p.cancel()
			delete(th.waiting, k)
		}
	}
	waiting = len(th.turns)
	th.mu.Unlock()
	th.notify("turn/completed", map[string]any{"threadId": th.id, "turn": t.object()})
	if waiting == 0 {
		th.setStatus("idle")
	}
}

func (th *thread) wasDeclined(callID string) bool {
	th.mu.Lock()
	defer th.mu.Unlock()
	return th.declined[callID]
}

func copyItem(item map[string]any, extra map[string]any) map[string]any {
	out := make(map[string]any, len(item)+len(extra))
	for k, v := range item {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func commandItem(id string, argv []string, cwd string, parsed []protocol.ParsedCommand) map[string]any {
	return map[string]any{"type": "commandExecution", "id": id, "command": displayCommand(argv), "cwd": cwd,
		"status": "inProgress", "commandActions": commandActions(argv, parsed), "source": "agent",
		"aggregatedOutput": nil, "exitCode": nil, "durationMs": nil}
}

// displayCommand shows a command as one shell string: the script of a
// `bash -lc SCRIPT`, else the words quoted where needed.
func displayCommand(argv []string) string {
	if len(argv) == 3 && (argv[1] == "-lc" || argv[1] == "-c") && strings.HasSuffix(argv[0], "sh") {
		return argv[2]
	}
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = shellQuote(a)
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`|&;<>()*?[]{}!#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func commandActions(argv []string, parsed []protocol.ParsedCommand) []any {
	out := []any{}
	seen := map[string]bool{}
	for _, p := range parsed {
		cmd := displayCommand(p.Argv)
		if seen[cmd] {
			continue
		}
		seen[cmd] = true
		switch p.Program {
		case "cat", "head", "tail", "less", "more", "sed":
			if n := len(p.Argv); n > 1 && !strings.HasPrefix(p.Argv[n-1], "-") {
				out = append(out, map[string]any{"type": "read", "command": cmd, "name": p.Argv[n-1], "path": p.Argv[n-1]})
				continue
			}
		case "ls", "find", "tree":
			out = append(out, map[string]any{"type": "listFiles", "command": cmd, "path": nil})
			continue
		case "grep", "rg":
			out = append(out, map[string]any{"type": "search", "command": cmd, "query": nil, "path": nil})
			continue
		}
		out = append(out, map[string]any{"type": "unknown", "command": cmd})
	}
	if len(out) == 0 && len(argv) > 0 {
		out = append(out, map[string]any{"type": "unknown", "command": displayCommand(argv)})
	}
	return out
}

func fileChangeItem(id string, changes map[string]protocol.FileChange, status string) map[string]any {
	list := []any{}
	paths := make([]string, 0, len(changes))
	for p := range changes {
		paths = append(paths, p)
	}
	sortStrings(paths)
	for _, p := range paths {
		c := changes[p]
		kind := map[string]any{"type": c.Type}
		diff := c.UnifiedDiff
		switch c.Type {
		case "add", "delete":
			if diff == "" {
				diff = c.Content
			}
		default:
			kind = map[string]any{"type": "update", "move_path": nilIfEmpty(c.MovePath)}
		}
		list = append(list, map[string]any{"path": p, "kind": kind, "diff": diff})
	}
	return map[string]any{"type": "fileChange", "id": id, "changes": list, "status": status}
}

func mcpItem(id, server, tool string, args json.RawMessage, status string) map[string]any {
	var a any = map[string]any{}
	if len(args) > 0 {
		a = args
	}
	return map[string]any{"type": "mcpToolCall", "id": id, "server": server, "tool": tool, "arguments": a,
		"status": status, "result": nil, "error": nil, "durationMs": nil}
}

func webAction(raw json.RawMessage, query string) any {
	var a struct {
		Type    string `json:"type"`
		Query   string `json:"query"`
		URL     string `json:"url"`
		Pattern string `json:"pattern"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &a) != nil {
		return map[string]any{"type": "search", "query": query}
	}
	switch a.Type {
	case "search":
		return map[string]any{"type": "search", "query": a.Query}
	case "open_page":
		return map[string]any{"type": "openPage", "url": a.URL}
	case "find_in_page":
		return map[string]any{"type": "findInPage", "url": a.URL, "pattern": a.Pattern}
	}
	return map[string]any{"type": "other"}
}

func breakdown(u protocol.TokenUsage) map[string]any {
	return map[string]any{"inputTokens": u.InputTokens, "cachedInputTokens": u.CachedInputTokens,
		"outputTokens": u.OutputTokens, "reasoningOutputTokens": u.ReasoningOutputTokens, "totalTokens": u.TotalTokens}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
