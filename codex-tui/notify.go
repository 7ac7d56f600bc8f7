package tui

import (
	"io"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/config"
)

// Kinds of desktop notification (config tui.notifications), as the Codex
// CLI names them.
const (
	noteTurnComplete = "agent-turn-complete"
	noteApproval     = "approval-requested"
)

// notificationKinds reads tui.notifications: true for every kind, a list
// for those kinds, anything else (or nothing) for none.
func notificationKinds(cfg *config.Config) map[string]bool {
	tui, _ := cfg.Raw["tui"].(map[string]any)
	switch v := tui["notifications"].(type) {
	case bool:
		if v {
			return map[string]bool{noteTurnComplete: true, noteApproval: true}
		}
	case []any:
		kinds := map[string]bool{}
		for _, k := range v {
			if s, ok := k.(string); ok {
				kinds[s] = true
			}
		}
		return kinds
	}
	return nil
}

// notify queues a desktop notification of kind, when that kind is on and
// the terminal is not focused (the user is elsewhere); Update sends the
// queue.
func (m *model) notify(kind, text string) {
	if !m.env.notifications[kind] || m.focused {
		return
	}
	m.notes = append(m.notes, text)
}

// sendNotes writes the queued notifications as OSC 9 sequences (shown as
// desktop notifications by iTerm2, kitty, WezTerm, Ghostty, Windows
// Terminal…), one write each so none lands inside a frame.
func (m *model) sendNotes() tea.Cmd {
	if len(m.notes) == 0 || m.env.term == nil {
		m.notes = nil
		return nil
	}
	notes, w := m.notes, m.env.term
	m.notes = nil
	return func() tea.Msg {
		for _, n := range notes {
			_, _ = io.WriteString(w, osc9(n))
		}
		return nil
	}
}

// osc9 is text as a notification escape: control characters (which
// would end or break the sequence) become spaces, and it is kept short.
func osc9(text string) string {
	text = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, text)
	if r := []rune(text); len(r) > 200 {
		text = string(r[:199]) + "…"
	}
	return "\x1b]9;" + text + "\x07"
}
