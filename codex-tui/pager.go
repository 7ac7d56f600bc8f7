package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// overlay is a full-screen view on the alternate screen (pagers, the
// resume picker). Cells finished while one is open are queued and
// printed when the last one closes.
type overlay interface {
	// HandleKey handles a key; done closes the overlay.
	HandleKey(tea.KeyMsg) (done bool, cmd tea.Cmd)
	HandleMouse(tea.MouseMsg) tea.Cmd
	View(p *painter, width, height int) string
}

// openOverlay pushes o; the first overlay enters the alternate screen and
// turns on the mouse (for the wheel) — inline mode leaves the mouse to
// the terminal so native selection keeps working.
func (m *model) openOverlay(o overlay) tea.Cmd {
	m.overlays = append(m.overlays, o)
	m.popup = nil
	if len(m.overlays) == 1 {
		return batch(tea.EnterAltScreen, tea.EnableMouseCellMotion)
	}
	return nil
}

// closeOverlay pops the top overlay; closing the last one leaves the
// alternate screen and prints the cells queued meanwhile.
func (m *model) closeOverlay() tea.Cmd {
	if len(m.overlays) == 0 {
		return nil
	}
	m.overlays = m.overlays[:len(m.overlays)-1]
	if len(m.overlays) > 0 {
		return nil
	}
	m.outbox = append(m.outbox, m.queued...)
	m.queued = nil
	// Lines printed while the alternate screen is still up are dropped
	// by bubbletea: printing waits until it is gone (altLeftMsg).
	m.altLeaving = true
	return tea.Sequence(tea.DisableMouse, tea.ExitAltScreen, func() tea.Msg { return altLeftMsg{} })
}

// altLeftMsg: the alternate screen is gone; printing may go on.
type altLeftMsg struct{}

// pager shows lines with scrolling (keys and mouse wheel).
type pager struct {
	title  string
	lines  []string
	off    int
	height int // last known body height, for page keys
}

func newPager(title, text string) *pager {
	return &pager{title: title, lines: strings.Split(text, "\n"), height: 20}
}

func (p *pager) scroll(d int) {
	maxOff := max(len(p.lines)-p.height, 0)
	p.off = min(max(p.off+d, 0), maxOff)
}

func (p *pager) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	switch keyName(msg) {
	case "q", "esc", "ctrl+t":
		return true, nil
	case "up", "k":
		p.scroll(-1)
	case "down", "j":
		p.scroll(1)
	case "pgup", "b", "ctrl+u":
		p.scroll(-p.height)
	case "pgdown", " ", "ctrl+d", "f":
		p.scroll(p.height)
	case "home", "g":
		p.off = 0
	case "end", "G":
		p.scroll(len(p.lines))
	}
	return false, nil
}

func (p *pager) HandleMouse(msg tea.MouseMsg) tea.Cmd {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		p.scroll(-3)
	case tea.MouseButtonWheelDown:
		p.scroll(3)
	}
	return nil
}

func (p *pager) View(pt *painter, width, height int) string {
	th := pt.th
	p.height = max(height-2, 1)
	p.scroll(0)
	end := min(p.off+p.height, len(p.lines))
	var b strings.Builder
	b.WriteString(th.bold.Render(truncate(p.title, width)) + "\n")
	for i := p.off; i < end; i++ {
		b.WriteString(truncate(p.lines[i], width) + "\n")
	}
	for i := end - p.off; i < p.height; i++ {
		b.WriteString("\n")
	}
	pct := 100
	if len(p.lines) > p.height {
		pct = end * 100 / len(p.lines)
	}
	b.WriteString(th.dim.Render(truncate(fmt.Sprintf("↑/↓ scroll · pgup/pgdn page · q close · %d%%", pct), width)))
	return b.String()
}

// transcriptMsg carries the rendered transcript for the pager.
type transcriptMsg string

// transcriptCmd renders every finished cell for the transcript pager in a
// command: a long session has thousands of cells, too many to render
// inside a frame. Cells are immutable and the slice is only appended to,
// so the command may read it; it gets its own painter (renderer caches
// are not shared between goroutines).
func (m *model) transcriptCmd() tea.Cmd {
	cells, width, th := m.transcript, m.width, m.p.th
	// The answer still streaming is the latest output: it ends the
	// transcript, as far as it has come.
	live := m.stream.Live()
	first := m.streamFirst
	return func() tea.Msg {
		p := &painter{th: th, md: newMarkdown(th)}
		parts := make([]string, 0, len(cells)+1)
		for _, c := range cells {
			parts = append(parts, c.Render(p, width))
		}
		if strings.TrimSpace(live) != "" {
			parts = append(parts, agentCell{src: live, first: first}.Render(p, width))
		}
		return transcriptMsg(strings.Join(parts, "\n\n"))
	}
}
