package exec

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/codexgo/common/protocol"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The `codex exec --json` event and item shapes (reference §3.2); field
// order matches the Codex CLI's output.
type (
	threadEvent struct {
		Type     string      `json:"type"`
		ThreadID string      `json:"thread_id,omitempty"`
		Usage    *jsonUsage  `json:"usage,omitempty"`
		Error    *jsonError  `json:"error,omitempty"`
		Message  string      `json:"message,omitempty"`
		Item     interface{} `json:"item,omitempty"`
	}
	jsonUsage struct {
		InputTokens           int64 `json:"input_tokens"`
		CachedInputTokens     int64 `json:"cached_input_tokens"`
		CacheWriteInputTokens int64 `json:"cache_write_input_tokens"`
		OutputTokens          int64 `json:"output_tokens"`
		ReasoningOutputTokens int64 `json:"reasoning_output_tokens"`
	}
	jsonError struct {
		Message string `json:"message"`
	}
	textItem struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Text string `json:"text"`
	}
	commandItem struct {
		ID               string `json:"id"`
		Type             string `json:"type"`
		Command          string `json:"command"`
		AggregatedOutput string `json:"aggregated_output"`
		ExitCode         *int   `json:"exit_code"`
		Status           string `json:"status"`
	}
	fileChangeItem struct {
		ID      string       `json:"id"`
		Type    string       `json:"type"`
		Changes []fileUpdate `json:"changes"`
		Status  string       `json:"status"`
	}
	fileUpdate struct {
		Path string `json:"path"`
		Kind string `json:"kind"`
	}
	todoListItem struct {
		ID    string     `json:"id"`
		Type  string     `json:"type"`
		Items []todoItem `json:"items"`
	}
	todoItem struct {
		Text      string `json:"text"`
		Completed bool   `json:"completed"`
	}
	mcpItem struct {
		ID        string          `json:"id"`
		Type      string          `json:"type"`
		Server    string          `json:"server"`
		Tool      string          `json:"tool"`
		Arguments json.RawMessage `json:"arguments"`
		Result    json.RawMessage `json:"result"`
		Error     *jsonError      `json:"error"`
		Status    string          `json:"status"`
	}
	webSearchItem struct {
		ID     string          `json:"id"`
		Type   string          `json:"type"`
		Query  string          `json:"query"`
		Action json.RawMessage `json:"action"`
	}
	errorItem struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Message string `json:"message"`
	}
)

// lineWriter writes one JSON value per line without HTML escaping (the
// Codex CLI prints "&&", not "\u0026\u0026"); each line is one Write.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	enc *json.Encoder
	w   io.Writer
}

func newLineWriter(w io.Writer) *lineWriter {
	lw := &lineWriter{w: w}
	lw.enc = json.NewEncoder(&lw.buf)
	lw.enc.SetEscapeHTML(false)
	return lw
}

// Write encodes v as one line.
func (lw *lineWriter) Write(v any) error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf.Reset()
	if err := lw.enc.Encode(v); err != nil {
		return err
	}
	_, err := lw.w.Write(lw.buf.Bytes())
	return err
}

// jsonMapper turns protocol events into `codex exec --json` lines.
type jsonMapper struct {
	w        *lineWriter
	next     int
	commands map[string]*commandItem
	patches  map[string]*fileChangeItem
	mcp      map[string]*mcpItem
	todo     *todoListItem
	failure  string
	usage    protocol.TokenUsage
	err      error
}

func newJSONMapper(w *lineWriter) *jsonMapper {
	return &jsonMapper{w: w, commands: map[string]*commandItem{}, patches: map[string]*fileChangeItem{}, mcp: map[string]*mcpItem{}}
}

func (m *jsonMapper) id() string {
	s := "item_" + strconv.Itoa(m.next)
	m.next++
	return s
}

func (m *jsonMapper) emit(ev threadEvent) {
	if err := m.w.Write(ev); err != nil && m.err == nil {
		m.err = err
	}
}

// threadStarted writes the first line.
func (m *jsonMapper) threadStarted(id string) {
	m.emit(threadEvent{Type: "thread.started", ThreadID: id})
}

// handle maps one event.
func (m *jsonMapper) handle(ev protocol.Event) {
	switch e := ev.Msg.(type) {
	case protocol.TaskStartedMsg:
		m.emit(threadEvent{Type: "turn.started"})
	case protocol.AgentReasoningMsg:
		m.emit(threadEvent{Type: "item.completed", Item: textItem{m.id(), "reasoning", e.Text}})
	case protocol.AgentMessageMsg:
		m.emit(threadEvent{Type: "item.completed", Item: textItem{m.id(), "agent_message", e.Message}})
	case protocol.ExecCommandBeginMsg:
		it := &commandItem{ID: m.id(), Type: "command_execution", Command: ShellJoin(e.Command), Status: "in_progress"}
		m.commands[e.CallID] = it
		m.emit(threadEvent{Type: "item.started", Item: *it})
	case protocol.ExecCommandEndMsg:
		it := m.commands[e.CallID]
		if it == nil {
			return
		}
		delete(m.commands, e.CallID)
		it.AggregatedOutput = e.AggregatedOutput
		it.Status = string(tools.EndStatus(e))
		if it.Status != string(protocol.ExecDeclined) {
			code := e.ExitCode
			it.ExitCode = &code
		}
		m.emit(threadEvent{Type: "item.completed", Item: *it})
	case protocol.PatchApplyBeginMsg:
		it := &fileChangeItem{ID: m.id(), Type: "file_change", Status: "in_progress"}
		for _, p := range slices.Sorted(maps.Keys(e.Changes)) {
			c := e.Changes[p]
			path := p
			if c.MovePath != "" {
				path = c.MovePath
			}
			it.Changes = append(it.Changes, fileUpdate{Path: path, Kind: c.Type})
		}
		m.patches[e.CallID] = it
		m.emit(threadEvent{Type: "item.started", Item: *it})
	case protocol.PatchApplyEndMsg:
		it := m.patches[e.CallID]
		if it == nil {
			return
		}
		delete(m.patches, e.CallID)
		it.Status = "completed"
		if !e.Success {
			it.Status = "failed"
		}
		m.emit(threadEvent{Type: "item.completed", Item: *it})
	case protocol.McpToolCallBeginMsg:
		args := e.Arguments
		if len(args) == 0 {
			args = json.RawMessage(`{}`)
		}
		it := &mcpItem{ID: m.id(), Type: "mcp_tool_call", Server: e.Server, Tool: e.Tool, Arguments: args,
			Result: json.RawMessage(`null`), Status: "in_progress"}
		m.mcp[e.CallID] = it
		m.emit(threadEvent{Type: "item.started", Item: *it})
	case protocol.McpToolCallEndMsg:
		it := m.mcp[e.CallID]
		if it == nil {
			return
		}
		delete(m.mcp, e.CallID)
		// As the Codex CLI: a call that did not complete has an error and
		// no result; a tool that reported isError has its result, and both
		// are "failed".
		if e.Error != "" {
			it.Error, it.Status = &jsonError{e.Error}, "failed"
		} else {
			var isErr bool
			it.Result, isErr = mcpResult(e.Result)
			it.Status = "completed"
			if isErr {
				it.Status = "failed"
			}
		}
		m.emit(threadEvent{Type: "item.completed", Item: *it})
	case protocol.WebSearchEndMsg:
		// As the Codex CLI: started and completed together, once the
		// search is known.
		action := e.Action
		if len(action) == 0 {
			action = json.RawMessage(`{"type":"search","query":` + strconv.Quote(e.Query) + `}`)
		}
		it := webSearchItem{ID: m.id(), Type: "web_search", Query: e.Query, Action: action}
		m.emit(threadEvent{Type: "item.started", Item: it})
		m.emit(threadEvent{Type: "item.completed", Item: it})
	case protocol.PlanUpdateMsg:
		items := make([]todoItem, 0, len(e.Plan))
		for _, p := range e.Plan {
			items = append(items, todoItem{Text: p.Step, Completed: p.Status == "completed"})
		}
		if m.todo == nil {
			m.todo = &todoListItem{ID: m.id(), Type: "todo_list", Items: items}
			m.emit(threadEvent{Type: "item.started", Item: *m.todo})
		} else {
			m.todo.Items = items
			m.emit(threadEvent{Type: "item.updated", Item: *m.todo})
		}
	case protocol.StreamErrorMsg:
		m.emit(threadEvent{Type: "error", Message: e.Message})
	case protocol.ErrorMsg:
		m.failure = e.Message
		m.emit(threadEvent{Type: "error", Message: e.Message})
	case protocol.BackgroundEventMsg:
		m.emit(threadEvent{Type: "item.completed", Item: errorItem{m.id(), "error", e.Message}})
	case protocol.TokenCountMsg:
		m.usage = e.TotalTokenUsage
	case protocol.TaskCompleteMsg:
		m.finishTurn()
	case protocol.TurnAbortedMsg:
		if m.failure == "" {
			m.failure = "turn aborted: " + e.Reason
		}
		m.finishTurn()
	}
}

func (m *jsonMapper) finishTurn() {
	if m.todo != nil {
		m.emit(threadEvent{Type: "item.completed", Item: *m.todo})
		m.todo = nil
	}
	if m.failure != "" {
		m.emit(threadEvent{Type: "turn.failed", Error: &jsonError{m.failure}})
		return
	}
	u := m.usage
	m.emit(threadEvent{Type: "turn.completed", Usage: &jsonUsage{InputTokens: u.InputTokens, CachedInputTokens: u.CachedInputTokens,
		OutputTokens: u.OutputTokens, ReasoningOutputTokens: u.ReasoningOutputTokens}})
}

// mcpResult turns an mcp_tool_call_end's result (an MCP
// CallToolResult) into the JSONL's {content, structured_content}, with
// codex-mcp-client's mcpmanager.ContentJSON, and reports its isError.
func mcpResult(raw json.RawMessage) (json.RawMessage, bool) {
	var r mcp.CallToolResult
	if len(raw) == 0 || json.Unmarshal(raw, &r) != nil {
		return json.RawMessage(`null`), false
	}
	content, structured, err := mcpmanager.ContentJSON(&r)
	if err != nil {
		return json.RawMessage(`null`), r.IsError
	}
	if structured == nil {
		structured = json.RawMessage(`null`)
	}
	b, err := json.Marshal(struct {
		Content           json.RawMessage `json:"content"`
		StructuredContent json.RawMessage `json:"structured_content"`
	}{content, structured})
	if err != nil {
		return json.RawMessage(`null`), r.IsError
	}
	return b, r.IsError
}
