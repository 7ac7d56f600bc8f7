package tui

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// backgroundList is /ps: the commands still running, in this turn and in
// the background (exec sessions the model left running).
func (m *model) backgroundList() string {
	var lines []string
	for _, r := range m.background {
		lines = append(lines, "  "+commandText(r.cell.command)+" (running "+formatElapsed(m.env.now().Sub(r.start).Truncate(time.Second))+")")
	}
	for _, r := range m.execs {
		if r.awaiting {
			continue
		}
		lines = append(lines, "  "+commandText(r.cell.command)+" (this turn)")
	}
	if len(lines) == 0 {
		return "No background terminals."
	}
	return "Background terminals:\n" + strings.Join(lines, "\n")
}

// copyLastAnswer is /copy: the last answer goes to the clipboard through
// the terminal (OSC 52, which terminals and tmux pass to the system
// clipboard, also over SSH).
func (m *model) copyLastAnswer() tea.Cmd {
	text := m.lastAnswer
	if strings.TrimSpace(text) == "" {
		m.print(noticeCell{"error", "No answer to copy yet."})
		return nil
	}
	w := m.env.term
	if w == nil {
		m.print(noticeCell{"error", "/copy needs a terminal"})
		return nil
	}
	m.print(noticeCell{"info", fmt.Sprintf("Copied the last answer (%d characters) to the clipboard.", len([]rune(text)))})
	return func() tea.Msg {
		_, _ = io.WriteString(w, "\x1b]52;c;"+base64.StdEncoding.EncodeToString([]byte(text))+"\x07")
		return nil
	}
}

// fork is /fork: the conversation so far continues in a new session,
// which the app-server makes (thread/fork: a new rollout that starts with
// this one's lines, forkedFromId set), leaving the original as it was.
func (m *model) fork() tea.Cmd {
	src := m.session.RolloutPath
	if src == "" {
		m.print(noticeCell{"error", "This session is not recorded: nothing to fork."})
		return nil
	}
	m.print(noticeCell{"info", "Forked the conversation into a new session."})
	return m.reconnectTo(sessionRef{resume: src, fork: m.session.SessionID})
}
