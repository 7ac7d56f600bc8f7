package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// historySearch is Ctrl+R: an incremental search back through the prompt
// history (this session's and history.jsonl), as in a shell.
type historySearch struct {
	query string
	draft string // the draft before the search, restored on cancel
	match int    // index of the shown entry, -1: none
}

// find returns the newest entry before index before that contains query
// (case-insensitive), or -1.
func (h *promptHistory) find(query string, before int) int {
	q := strings.ToLower(query)
	for i := min(before, len(h.entries)) - 1; i >= 0; i-- {
		if strings.Contains(strings.ToLower(h.entries[i]), q) {
			return i
		}
	}
	return -1
}

// startSearch opens the search over the current draft.
func (m *model) startSearch() {
	m.search = &historySearch{draft: m.comp.Value(), match: -1}
	m.popup = nil
}

// searchKey handles a key while searching: text narrows the search,
// Ctrl+R goes to the next older match, Enter takes the match into the
// composer, Esc or Ctrl+C puts the draft back; any other key takes the
// match and then acts in the composer.
func (m *model) searchKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	s := m.search
	switch keyName(msg) {
	case "ctrl+r":
		start := len(m.hist.entries)
		if s.match >= 0 {
			start = s.match
		}
		if i := m.hist.find(s.query, start); i >= 0 {
			s.match = i
		}
		return nil, true
	case "esc", "ctrl+c", "ctrl+g":
		m.search = nil
		m.comp.SetValue(s.draft)
		return nil, true
	case "backspace":
		if r := []rune(s.query); len(r) > 0 {
			s.query = string(r[:len(r)-1])
		}
		s.match = m.hist.find(s.query, len(m.hist.entries))
		return nil, true
	case "enter":
		m.acceptSearch()
		return nil, true
	}
	if msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace {
		s.query += string(msg.Runes)
		s.match = m.hist.find(s.query, len(m.hist.entries))
		return nil, true
	}
	m.acceptSearch()
	return nil, false
}

// acceptSearch puts the match (or the draft, with no match) into the
// composer and ends the search.
func (m *model) acceptSearch() {
	s := m.search
	m.search = nil
	if s.match >= 0 && s.match < len(m.hist.entries) {
		m.comp.SetValue(m.hist.entries[s.match])
		return
	}
	m.comp.SetValue(s.draft)
}

// searchView replaces the composer while searching.
func (m *model) searchView(width int) string {
	th := m.p.th
	s := m.search
	shown := ""
	if s.match >= 0 && s.match < len(m.hist.entries) {
		shown = m.hist.entries[s.match]
	}
	first, _, more := strings.Cut(shown, "\n")
	if more {
		first += " …"
	}
	label := "reverse-i-search"
	if s.query != "" && s.match < 0 {
		label = "failing reverse-i-search"
	}
	line := th.accent.Render("›") + " " + th.dim.Render("("+label+")`") + s.query + th.dim.Render("': ") + first
	hint := th.dim.Render("  ⌃R older · ⏎ take · esc cancel")
	return truncate(line, width) + "\n" + truncate(hint, width)
}
