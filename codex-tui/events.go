package tui

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/codexgo/codex-tui/internal/appconn"
	"github.com/codexgo/common/protocol"
)

// maxLiveOutput bounds the output kept for a running command; the end
// event carries the real (aggregated) output.
const maxLiveOutput = 64 << 10

// handleEvent applies one agent event to the model.
func (m *model) handleEvent(ev protocol.Event) {
	now := m.env.now()
	switch e := ev.Msg.(type) {
	case protocol.SessionConfiguredMsg:
		if e.ApprovalPolicy == protocol.ApprovalOnRequest && m.env.askedApproval == protocol.ApprovalOnFailure {
			// The v2 protocol has no on-failure: the server, which
			// applies it, reports it as on-request.
			e.ApprovalPolicy = protocol.ApprovalOnFailure
		}
		m.session, m.configured = e, true
		m.print(sessionCell{session: e, version: m.env.version})
		m.printReplay()
		if m.initialPrompt != "" {
			text := m.initialPrompt
			m.initialPrompt = ""
			m.hist.Add(text)
			m.sendUser(text)
		}
	case protocol.TaskStartedMsg:
		m.running, m.turnStart = true, now
		m.hint = ""
		m.reviewEcho = ""
		if e.ModelContextWindow > 0 {
			m.window = e.ModelContextWindow
		}
	case protocol.AgentMessageDeltaMsg:
		m.flushReasoning()
		m.printSegments(m.stream.Push(e.Delta))
	case protocol.AgentMessageMsg:
		m.lastAnswer = e.Message
		if echo := m.reviewEcho; echo != "" && m.stream.Empty() {
			m.reviewEcho = ""
			if strings.TrimSpace(e.Message) == echo {
				return // the review, printed at its end
			}
		}
		m.flushReasoning()
		if m.streamFirst && m.stream.Empty() {
			// Not streamed: the whole message at once, cut the same way.
			var s mdStream
			m.printSegments(s.Push(e.Message))
			m.printSegments(s.Finish())
		} else {
			m.finishStream()
		}
		m.streamFirst = true
	case protocol.AgentReasoningDeltaMsg:
		m.reasoning.WriteString(e.Delta)
	case protocol.AgentReasoningMsg:
		// The whole summary of what may already have been printed from
		// its deltas (when the answer began): printed once.
		m.reasoning.Reset()
		if strings.TrimSpace(e.Text) != "" && !m.reasoningShown[normSpace(e.Text)] {
			m.printReasoning(e.Text)
		}
	case protocol.ExecCommandBeginMsg:
		m.flushReasoning()
		m.finishStream()
		m.execs = append(m.execs, &execRun{callID: e.CallID, cell: execCell{command: e.Command}, start: now})
	case protocol.ExecCommandOutputDeltaMsg:
		if r := m.findExec(e.CallID); r != nil && r.out.Len() < maxLiveOutput {
			r.out.Write(e.Chunk)
		}
	case protocol.ExecCommandEndMsg:
		r := m.takeExec(e.CallID)
		c := execCell{exitCode: e.ExitCode, duration: time.Duration(e.DurationMS) * time.Millisecond, done: true}
		if r != nil {
			c.command = r.cell.command
		}
		switch {
		case e.AggregatedOutput != "":
			c.output = e.AggregatedOutput
		case e.Stdout != "" || e.Stderr != "":
			c.output = e.Stdout + e.Stderr
		case r != nil:
			c.output = r.out.String()
		}
		m.print(c)
	case protocol.ExecApprovalRequestMsg:
		m.notify(noteApproval, "Codex wants to run "+commandText(e.Command))
		m.finishStream()
		if r := m.findExec(e.CallID); r != nil {
			r.awaiting = true
		}
		m.appr.Push(approvalRequest{exec: &e}, now)
		m.surface = true
	case protocol.ApplyPatchApprovalRequestMsg:
		m.notify(noteApproval, "Codex wants to edit files")
		m.finishStream()
		e.Changes = relChanges(e.Changes, m.cwd())
		m.print(proposedPatchCell{changes: e.Changes})
		m.appr.Push(approvalRequest{patch: &e}, now)
		m.surface = true
	case protocol.PatchApplyBeginMsg:
		m.finishStream()
		m.patches[e.CallID] = relChanges(e.Changes, m.cwd())
	case protocol.PatchApplyEndMsg:
		ch := m.patches[e.CallID]
		delete(m.patches, e.CallID)
		m.print(patchCell{changes: ch, failed: !e.Success, stderr: e.Stderr})
	case protocol.PlanUpdateMsg:
		m.finishStream()
		m.print(planCell{explanation: e.Explanation, items: e.Plan})
	case protocol.TokenCountMsg:
		m.tokens = e
		if e.ModelContextWindow > 0 {
			m.window = e.ModelContextWindow
		}
	case protocol.TaskCompleteMsg:
		m.endTurn()
		m.dropForms(ev.ID)
		text := "Codex: turn complete"
		if first, _, _ := strings.Cut(strings.TrimSpace(e.LastAgentMessage), "\n"); first != "" {
			text = "Codex: " + first
		}
		m.notify(noteTurnComplete, text)
		m.sendQueued()
	case protocol.TurnAbortedMsg:
		m.endTurn()
		// Requests of an aborted turn will never be answered usefully.
		m.appr.queue, m.forms = nil, nil
		if e.Reason == "interrupted" || e.Reason == "" {
			m.print(noticeCell{"error", "Conversation interrupted - tell the model what to do differently"})
		}
		m.sendQueued()
	case protocol.ErrorMsg:
		m.endTurn()
		m.dropForms(ev.ID)
		m.print(noticeCell{"error", e.Message})
		m.sendQueued()
	case protocol.StreamErrorMsg:
		m.print(noticeCell{"warn", e.Message})
	case protocol.BackgroundEventMsg:
		m.print(noticeCell{"info", e.Message})
	case protocol.McpToolCallEndMsg:
		m.print(mcpCell(e))
	case protocol.McpListToolsResponseMsg:
		m.print(noticeCell{"info", mcpToolsText(e, m.env.mcpServers)})
	case protocol.TerminalInteractionMsg:
		// Input the model typed into a running command, without asking:
		// always shown.
		cmd := "session " + e.ProcessID
		if r := m.findExec(e.CallID); r != nil {
			cmd = commandText(r.cell.command)
		}
		m.finishStream()
		m.print(noticeCell{"info", "Sent " + strconv.Quote(e.Stdin) + " to " + cmd})
	case protocol.WebSearchBeginMsg:
		m.flushReasoning()
		m.finishStream()
	case protocol.WebSearchEndMsg:
		m.print(noticeCell{"info", "Searched the web: " + e.Query})
	case appconn.SteerResultMsg:
		m.steerResult(e)
	case appconn.ReviewModeMsg:
		m.reviewMode(e)
	case protocol.ElicitationRequestMsg:
		m.notify(noteApproval, e.ServerName+" asks: "+e.Message)
		m.finishStream()
		m.openForm(e, now)
		m.surface = true
	case protocol.ShutdownCompleteMsg:
		m.shutdownSeen = true
		m.quitting = true
	}
}

// cwd is the session's working directory.
func (m *model) cwd() string { return firstNonEmpty(m.session.Cwd, m.env.cwd) }

// printSegments prints finished pieces of the current message; the first
// carries the message's bullet.
func (m *model) printSegments(segs []segment) {
	for _, sg := range segs {
		if sg.code {
			if m.streamFirst {
				m.print(agentCell{src: "", first: true})
				m.streamFirst = false
			}
			m.print(codeCell{line: sg.text, lang: sg.lang, first: sg.firstCode})
			continue
		}
		if strings.TrimSpace(sg.text) == "" {
			continue
		}
		m.print(agentCell{src: sg.text, first: m.streamFirst})
		m.streamFirst = false
	}
}

// finishStream prints what is left of a streamed message.
func (m *model) finishStream() {
	if m.stream.Empty() {
		return
	}
	m.printSegments(m.stream.Finish())
}

// flushReasoning prints a streamed reasoning summary that no whole
// agent_reasoning event closed.
func (m *model) flushReasoning() {
	if strings.TrimSpace(m.reasoning.String()) != "" {
		m.printReasoning(m.reasoning.String())
	}
	m.reasoning.Reset()
}

// printReasoning prints a reasoning summary and remembers it for the
// turn, so the whole agent_reasoning event that repeats the deltas
// already printed is not printed again.
func (m *model) printReasoning(text string) {
	if m.reasoningShown == nil {
		m.reasoningShown = map[string]bool{}
	}
	m.reasoningShown[normSpace(text)] = true
	m.print(reasoningCell{text: text})
}

// normSpace is s with each run of white space made one space.
func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func (m *model) endTurn() {
	m.flushReasoning()
	m.finishStream()
	m.streamFirst = true
	m.reasoningShown = nil
	// A command still running when its turn ends is a session the model
	// left running (a server, a watcher): it goes on in the background
	// and its cell comes when it ends.
	for _, r := range m.execs {
		if r.awaiting {
			continue // never approved: it did not run
		}
		m.print(noticeCell{"info", commandText(r.cell.command) + " keeps running in the background"})
		m.background = append(m.background, r)
	}
	m.execs = nil
	m.running = false
	m.reviewing = false
	m.hint = ""
}

// findExec is the running command id, in this turn or in the background.
func (m *model) findExec(id string) *execRun {
	for _, list := range [][]*execRun{m.execs, m.background} {
		for _, r := range list {
			if r.callID == id {
				return r
			}
		}
	}
	return nil
}

func (m *model) takeExec(id string) *execRun {
	for i, r := range m.background {
		if r.callID == id {
			m.background = append(m.background[:i], m.background[i+1:]...)
			return r
		}
	}
	for i, r := range m.execs {
		if r.callID == id {
			m.execs = append(m.execs[:i], m.execs[i+1:]...)
			return r
		}
	}
	return nil
}

// reasoningHeader is the bold title of the streamed reasoning summary
// ("**Inspecting files**"), shown in the working indicator.
func reasoningHeader(s string) string {
	i := strings.Index(s, "**")
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i+2:], "**")
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(s[i+2 : i+2+j])
}

// mcpToolsText is /mcp's answer: each server's tools, the servers that
// failed to start, and the configured ones (with their state) that offer
// nothing.
func mcpToolsText(e protocol.McpListToolsResponseMsg, configured []string) string {
	byServer := map[string][]string{}
	for q := range e.Tools {
		server, tool, ok := strings.Cut(strings.TrimPrefix(q, "mcp__"), "__")
		if !ok {
			server, tool = "", q
		}
		byServer[server] = append(byServer[server], tool)
	}
	lines := []string{"MCP tools:"}
	for _, s := range slices.Sorted(maps.Keys(byServer)) {
		tools := byServer[s]
		slices.Sort(tools)
		lines = append(lines, fmt.Sprintf("  %s (%d): %s", s, len(tools), strings.Join(tools, ", ")))
	}
	for _, s := range slices.Sorted(maps.Keys(e.Failures)) {
		lines = append(lines, fmt.Sprintf("  %s: failed to start: %s", s, e.Failures[s]))
	}
	for _, c := range configured {
		name, _, _ := strings.Cut(strings.TrimSpace(c), " ")
		if _, live := byServer[name]; !live && e.Failures[name] == "" {
			lines = append(lines, fmt.Sprintf("  %s: no tools", strings.TrimSpace(c)))
		}
	}
	if len(lines) == 1 {
		lines = append(lines, "  (none)")
	}
	return strings.Join(lines, "\n")
}

// mcpCell shows a finished MCP tool call.
func mcpCell(e protocol.McpToolCallEndMsg) cell {
	args := ""
	text := fmt.Sprintf("Called %s.%s%s", e.Server, e.Tool, args)
	if e.Error != "" {
		return noticeCell{"error", text + ": " + e.Error}
	}
	var res struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	if json.Unmarshal(e.Result, &res) == nil {
		for _, c := range res.Content {
			if c.Type == "text" && c.Text != "" {
				text += "\n" + c.Text
				break
			}
		}
	}
	return noticeCell{"info", text}
}
