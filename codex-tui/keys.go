package tui

import (
	"context"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// isCommandWord reports whether s looks like a slash command's name.
func isCommandWord(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// keyName is the name handlers match a key by. bubbletea v1 delivers the
// printable run of one terminal read up to a space as one KeyRunes message
// whose String() is the text itself, so a word such as "up", "end" or
// "esc" typed fast (or pasted without brackets, or sent over SSH) would
// match the key of that name: text longer than one rune, and pasted text,
// never names a key.
func keyName(msg tea.KeyMsg) string {
	if msg.Type == tea.KeyRunes && (len(msg.Runes) > 1 || msg.Paste) {
		return ""
	}
	return msg.String()
}

// handleKey routes a key: the overlay on top first, then the approval
// request, then the popup, then the composer.
func (m *model) handleKey(msg tea.KeyMsg) tea.Cmd {
	now := m.env.now()
	prevKey := m.lastKey
	m.lastKey = now
	k := keyName(msg)
	if k != "ctrl+c" {
		m.ctrlCPrimed = false
		if m.hint == "Ctrl+C again to quit" {
			m.hint = ""
		}
	}
	if k == "ctrl+c" {
		return m.ctrlC()
	}
	if n := len(m.overlays); n > 0 {
		top := m.overlays[n-1]
		done, cmd := top.HandleKey(msg)
		if !done {
			return cmd
		}
		cmds := []tea.Cmd{cmd, m.closeOverlay()}
		if rp, ok := top.(*resumePicker); ok {
			switch {
			case rp.quit:
				m.quit()
			case rp.picked != "":
				if m.running {
					m.print(noticeCell{"error", "'/resume' is disabled while a task is in progress."})
					break
				}
				cmds = append(cmds, m.reconnect(rp.picked))
			}
		}
		return batch(cmds...)
	}
	if m.appr.Active() {
		if a, _ := m.appr.HandleKey(msg, now, prevKey); a != nil {
			m.answer(*a)
		}
		return nil
	}
	if len(m.forms) > 0 {
		m.formKey(msg, now, prevKey)
		return nil
	}
	if m.picker != nil {
		// A choice may open the next picker (a review's branch list): only
		// the one that handled the key closes.
		if p := m.picker; p.HandleKey(m, msg) && m.picker == p {
			m.picker = nil
		}
		return nil
	}
	if m.search != nil {
		if cmd, done := m.searchKey(msg); done {
			return cmd
		}
	}
	if m.popup != nil {
		switch k {
		case "up", "ctrl+p":
			m.popup.Move(-1)
			return nil
		case "down", "ctrl+n":
			m.popup.Move(1)
			return nil
		case "esc":
			m.popup = nil
			return nil
		case "tab":
			m.completePopup()
			return nil
		case "enter":
			if m.popup.kind == "file" {
				m.completePopup()
				return nil
			}
			if it, ok := m.popup.Selected(); ok {
				m.popup = nil
				m.comp.Clear()
				return m.runSlash(strings.TrimPrefix(it.name, "/"), "")
			}
		}
	}
	switch k {
	case "ctrl+z":
		// The shell gets the terminal back with its wrap on.
		term := m.env.term
		return tea.Sequence(func() tea.Msg { restoreAutowrap(term); return nil }, tea.Suspend)
	case "ctrl+g":
		return m.openEditor()
	case "ctrl+d":
		if m.comp.Empty() {
			m.quit()
			return nil
		}
	case "esc":
		if m.running {
			m.interrupt()
		}
		return nil
	case "enter":
		return m.send(false)
	case "tab":
		if m.running && !m.comp.Empty() {
			return m.send(true)
		}
	case "ctrl+t":
		return m.transcriptCmd()
	case "ctrl+r":
		m.startSearch()
		return nil
	case "?":
		if m.comp.Empty() {
			m.showHelp = !m.showHelp
			return nil
		}
	}
	m.showHelp = false
	cmd := m.comp.HandleKey(msg)
	return batch(cmd, m.refreshPopup())
}

// ctrlC: abort an approval request (and the queue), else interrupt the
// running turn, else clear the draft, else quit on the second press.
func (m *model) ctrlC() tea.Cmd {
	if n := len(m.overlays); n > 0 {
		return m.closeOverlay()
	}
	if m.appr.Active() {
		for _, a := range m.appr.AbortAll() {
			m.answer(a)
		}
		return nil
	}
	if len(m.forms) > 0 {
		m.answerForm("cancel")
		return nil
	}
	if m.picker != nil {
		m.picker = nil
		return nil
	}
	if s := m.search; s != nil {
		m.search = nil
		m.comp.SetValue(s.draft)
		return nil
	}
	if m.running {
		m.interrupt()
		return nil
	}
	if !m.comp.Empty() {
		m.comp.Clear()
		m.popup = nil
		return nil
	}
	if m.ctrlCPrimed {
		m.quit()
		return nil
	}
	m.ctrlCPrimed = true
	m.hint = "Ctrl+C again to quit"
	return nil
}

// answer sends the user's decision and records it in the transcript.
func (m *model) answer(a answered) {
	m.submit(a.req.answer(a.decision, a.remember))
	if a.req.exec != nil {
		if r := m.findExec(a.req.exec.CallID); r != nil && r.awaiting {
			// Approved, it runs from now; refused, its end comes as
			// the agent declines it.
			r.awaiting, r.start = false, m.env.now()
		}
	}
	m.print(decisionCell{subject: a.req.subject(), decision: a.decision, remember: a.remember})
}

// send submits the draft: a slash command or a prompt. While a turn
// runs, a prompt steers it, or, with queue (Tab), waits for its end.
func (m *model) send(queue bool) tea.Cmd {
	draft := m.comp.Value()
	if strings.TrimSpace(draft) == "" {
		return nil
	}
	if strings.HasPrefix(draft, "/") {
		name, arg, _ := strings.Cut(strings.TrimPrefix(draft, "/"), " ")
		if _, ok := findSlash(name); ok {
			m.comp.Clear()
			m.popup = nil
			return m.runSlash(name, strings.TrimSpace(arg))
		}
		if isCommandWord(name) {
			// A mistyped command is not sent to the model; the draft stays
			// to be corrected. (A path such as /usr/bin/x is a prompt.)
			m.popup = nil
			m.print(noticeCell{"error", "Unrecognized command '/" + name + "'. Type \"/\" for a list of supported commands."})
			return nil
		}
	}
	if script, ok := strings.CutPrefix(draft, "!"); ok && strings.TrimSpace(script) != "" {
		m.comp.Clear()
		m.popup = nil
		m.hist.Add(draft)
		return m.runShell(strings.TrimSpace(script))
	}
	text, images := m.comp.Take()
	m.popup = nil
	m.hist.Add(draft)
	switch {
	case m.running && queue:
		m.queue = append(m.queue, queuedInput{text: text, images: images})
	case m.running:
		m.steer(text, images)
	default:
		m.images = append(m.images, images...)
		m.sendUser(text)
	}
	if m.env.codexHome == "" || m.env.noHistory {
		return nil
	}
	path, sid, now := m.historyPath(), m.session.SessionID, m.env.now()
	return func() tea.Msg {
		if err := appendHistory(path, sid, text, now); err != nil {
			return errNoticeMsg{err}
		}
		return nil
	}
}

// errNoticeMsg reports a failed background command as an error cell.
type errNoticeMsg struct{ err error }

// refreshPopup opens, filters or closes the popup after the draft changed.
func (m *model) refreshPopup() tea.Cmd {
	draft := m.comp.Value()
	if strings.HasPrefix(draft, "/") && !strings.ContainsAny(draft, " \n") {
		items := filterSlash(strings.TrimPrefix(draft, "/"))
		if m.popup == nil || m.popup.kind != "slash" {
			m.popup = &popup{kind: "slash"}
		}
		m.popup.items, m.popup.token = items, draft
		m.popup.sel = min(m.popup.sel, max(len(items)-1, 0))
		return nil
	}
	if tok, ok := atToken(draft); ok {
		if m.popup == nil || m.popup.kind != "file" {
			m.popup = &popup{kind: "file"}
		}
		m.popup.token = tok
		var cmd tea.Cmd
		if !m.filesOK && m.files == nil {
			m.files = []string{} // loading
			root := m.env.cwd
			cmd = func() tea.Msg {
				files, _ := listFiles(context.Background(), root) // no index is an empty popup
				return filesMsg(files)
			}
		}
		m.popup.items = nil
		for _, f := range searchFiles(m.files, strings.TrimPrefix(tok, "@"), 50) {
			m.popup.items = append(m.popup.items, popupItem{name: f})
		}
		m.popup.sel = min(m.popup.sel, max(len(m.popup.items)-1, 0))
		return cmd
	}
	m.popup = nil
	return nil
}

// completePopup puts the selected entry into the draft.
func (m *model) completePopup() {
	it, ok := m.popup.Selected()
	if !ok {
		return
	}
	draft := m.comp.Value()
	switch m.popup.kind {
	case "slash":
		m.comp.SetValue(it.name + " ")
	case "file":
		path := it.name
		if strings.ContainsAny(path, " \t") {
			path = `"` + path + `"`
		}
		m.comp.SetValue(strings.TrimSuffix(draft, m.popup.token) + path + " ")
	}
	m.popup = nil
}
