package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/codexgo/common/protocol"
)

// liveStreamRows bounds how much of the unfinished Markdown block the live
// area shows; the whole block is printed once it is finished. This keeps
// the frame cost independent of the message's length.
const liveStreamRows = 12

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// View renders the live area only: running commands, the unfinished part
// of the streaming message, the working indicator, the composer (or the
// approval request / picker) and the footer. Finished cells are already in
// the scrollback, so the cost does not grow with the transcript.
// Frames are drawn with the terminal's wrap off (autowrap.go); the last
// one, which clears the live area, turns it on again.
func (m *model) View() string {
	if m.quitting && len(m.overlays) == 0 {
		return autowrapOn // the last frame clears the live area: the scrollback stays clean
	}
	return autowrapOff + m.view()
}

func (m *model) view() string {
	w := m.width
	if n := len(m.overlays); n > 0 {
		return m.overlays[n-1].View(m.p, w, m.height)
	}
	th := m.p.th
	var parts []string
	for _, r := range m.execs {
		if r.awaiting {
			continue // the approval request shows it
		}
		parts = append(parts, r.cell.Render(m.p, w))
	}
	if live := m.liveStream(w); live != "" {
		parts = append(parts, live)
	}
	if m.running {
		parts = append(parts, m.workingLine(w))
	}
	for _, s := range m.steers {
		parts = append(parts, truncate(th.dim.Render("  ↳ "+firstLine(s.text)), w))
	}
	if len(m.steers) > 0 {
		parts = append(parts, th.dim.Render(truncate("    steering: sent to the running turn", w)))
	}
	for _, q := range m.queue {
		parts = append(parts, truncate(th.dim.Render("  ↳ "+firstLine(q.text)), w))
	}
	if len(m.queue) > 0 {
		parts = append(parts, th.dim.Render(truncate("    queued: sent when the turn ends", w)))
	}
	switch {
	case m.appr.Active():
		parts = append(parts, m.appr.View(th, w))
	case len(m.forms) > 0:
		parts = append(parts, m.forms[0].View(th, w))
	case m.picker != nil:
		parts = append(parts, m.picker.View(th, w))
	case m.search != nil:
		parts = append(parts, m.searchView(w))
	default:
		parts = append(parts, m.comp.View(w))
		if m.popup != nil {
			parts = append(parts, m.popup.View(th, w))
		}
	}
	if m.showHelp {
		parts = append(parts, shortcutsView(th, w))
	}
	// The last column stays free: with the terminal's wrap off, the cursor
	// stops on a full line's last cell, and the erase after the frame
	// (when it shrank) would take that cell with it.
	parts = append(parts, m.footer(w-1))
	return "\n" + trimLines(strings.Join(parts, "\n"))
}

// trimLines drops the trailing blanks of every line (the text area and
// the Markdown renderer pad lines to the width). A terminal narrowed
// under the live area rewraps lines longer than the new width into more
// rows than bubbletea repaints, leaving stale rows in the scrollback: a
// line without padding is as short as its text, and is rewrapped only
// when its text is wider than the new width.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = trimRightVisible(l)
	}
	return strings.Join(lines, "\n")
}

// trimRightVisible drops trailing spaces of a styled line, also those
// followed only by escape sequences (a style's reset).
func trimRightVisible(l string) string {
	t := strings.TrimRight(l, " ")
	if t != l || !strings.HasSuffix(l, "m") {
		return t
	}
	// "text   \x1b[0m": keep the sequences, drop the blanks before them.
	end := len(l)
	for end > 0 {
		i := strings.LastIndex(l[:end], "\x1b[")
		if i < 0 || !strings.HasSuffix(l[:end], "m") || strings.ContainsAny(l[i+2:end-1], " \x1b") {
			break
		}
		end = i
	}
	if end == len(l) {
		return l
	}
	return strings.TrimRight(l[:end], " ") + l[end:]
}

// workingLine is the indicator under a running turn: spinner, header,
// elapsed time and the interrupt hint.
func (m *model) workingLine(width int) string {
	th := m.p.th
	header := "Working"
	if h := reasoningHeader(m.reasoning.String()); h != "" {
		header = h
	}
	elapsed := m.env.now().Sub(m.turnStart).Truncate(time.Second)
	frame := spinnerFrames[m.spin%len(spinnerFrames)]
	line := th.accent.Render(frame) + " " + th.bold.Render(header) + th.dim.Render(fmt.Sprintf(" (%s • esc to interrupt)", formatElapsed(elapsed)))
	return truncate(line, width)
}

// formatElapsed prints 0s, 59s, 1m 00s, 1h 00m 00s.
func formatElapsed(d time.Duration) string {
	s := int(d.Seconds())
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm %02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh %02dm %02ds", s/3600, s/60%60, s%60)
}

// baselineTokens is the fixed prompt overhead left out of "context left",
// so a fresh session starts near 100%.
const baselineTokens = 12000

// contextLeft is the percentage of the context window still free, or -1
// when unknown.
func contextLeft(window, used int64) int {
	if window <= baselineTokens {
		return -1
	}
	eff := window - baselineTokens
	u := max(used-baselineTokens, 0)
	left := (eff - u) * 100 / eff
	return int(min(max(left, 0), 100))
}

// contextWindow is the model's context window: what the agent reported,
// else config's model_context_window, else the model catalogue's (0:
// unknown).
func (m *model) contextWindow() int64 {
	if m.window > 0 {
		return m.window
	}
	if m.env.contextWindow != nil {
		return m.env.contextWindow(m.session.Model)
	}
	return 0
}

// compactCount prints 950, 1.2K, 3.4M.
func compactCount(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d", n)
	case n < 1000000:
		return fmt.Sprintf("%.1fK", float64(n)/1000)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}

func sandboxName(p *protocol.SandboxPolicy) string {
	if p == nil {
		return ""
	}
	return string(p.Mode)
}

// firstLine is s's first line, with an ellipsis when more follow.
func firstLine(s string) string {
	first, _, more := strings.Cut(s, "\n")
	if more {
		first += " …"
	}
	return first
}

// footer: key hints (or a transient message) on the left, session facts
// on the right; the right part drops items until both fit.
func (m *model) footer(width int) string {
	th := m.p.th
	left := "⏎ send · ⌃J newline · ? shortcuts"
	if width < 70 {
		left = "? for shortcuts"
	}
	if m.running && m.comp != nil && !m.comp.Empty() && len(m.forms) == 0 && !m.appr.Active() {
		// As the Codex CLI: Enter steers the running turn, Tab queues.
		left = "⏎ steer · tab to queue message"
	}
	if m.hint != "" {
		left = m.hint
	}
	// Facts by importance: what is left of the context matters most, the
	// mode names least; the footer shows the most important that fit,
	// in display order.
	type fact struct {
		text string
		rank int
	}
	var facts []fact
	add := func(s string, rank int) {
		if s != "" {
			facts = append(facts, fact{s, rank})
		}
	}
	add(m.session.Model, 1)
	add(string(m.session.ApprovalPolicy), 3)
	add(sandboxName(m.session.SandboxPolicy), 3)
	last := m.tokens.LastTokenUsage
	if pct := contextLeft(m.contextWindow(), last.TotalTokens-last.ReasoningOutputTokens); pct >= 0 {
		add(fmt.Sprintf("%d%% context left", pct), 0)
	}
	if t := m.tokens.TotalTokenUsage.TotalTokens; t > 0 {
		add(compactCount(t)+" tokens", 2)
	}
	if m.shells > 0 {
		add("running !command", 0)
	}
	switch n := len(m.background); {
	case n == 1:
		add("1 background terminal", 1)
	case n > 1:
		add(fmt.Sprintf("%d background terminals", n), 1)
	}
	if m.running && !m.turnStart.IsZero() {
		// The working line shows it too, but it scrolls away behind a
		// long approval request; the footer always has it.
		add("⏱ "+formatElapsed(m.env.now().Sub(m.turnStart).Truncate(time.Second)), 1)
	}
	for maxRank := 3; maxRank >= 0; maxRank-- {
		var shown []string
		for _, f := range facts {
			if f.rank <= maxRank {
				shown = append(shown, f.text)
			}
		}
		right := strings.Join(shown, " · ")
		gap := width - 2 - ansi.StringWidth(left) - ansi.StringWidth(right)
		if gap >= 2 {
			return "  " + th.dim.Render(left+strings.Repeat(" ", gap)+right)
		}
	}
	return "  " + th.dim.Render(truncate(left, width-2))
}

func shortcutsView(th *theme, width int) string {
	rows := [][2]string{
		{"/", "for commands"}, {"@", "for file paths"},
		{"⌃J or ⌥⏎", "for newline"}, {"↑/↓", "prompt history"},
		{"⏎ / tab", "steer / queue (turn running)"},
		{"esc", "interrupt the turn"}, {"⌃C", "interrupt / quit"},
		{"⌃D", "quit (empty prompt)"}, {"⌃T", "transcript"},
		{"⌃G", "edit in $EDITOR"}, {"⌃Z", "suspend"},
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, truncate("  "+th.bold.Render(fmt.Sprintf("%-9s", r[0]))+" "+th.dim.Render(r[1]), width))
	}
	return strings.Join(lines, "\n")
}

// sessionCell is the header printed when a session starts.
type sessionCell struct {
	session protocol.SessionConfiguredMsg
	version string
}

func (c sessionCell) Render(p *painter, width int) string {
	th := p.th
	title := th.bold.Render(">_ Codex")
	if c.version != "" {
		title += th.dim.Render(" (v" + c.version + ")")
	}
	lines := []string{title, ""}
	add := func(k, v string) {
		if v != "" {
			lines = append(lines, truncate(th.dim.Render(fmt.Sprintf("%-10s", k+":"))+" "+v, width-2))
		}
	}
	add("model", c.session.Model)
	add("directory", c.session.Cwd)
	add("approval", string(c.session.ApprovalPolicy))
	add("sandbox", sandboxName(c.session.SandboxPolicy))
	return indent(strings.Join(lines, "\n"), "  ", "  ")
}

// statusCard is what /status prints.
func (m *model) statusCard() cell {
	s := m.session
	rows := [][2]string{
		{"Model", s.Model},
		{"Directory", firstNonEmpty(s.Cwd, m.env.cwd)},
		{"Approval", string(s.ApprovalPolicy)},
		{"Sandbox", sandboxName(s.SandboxPolicy)},
		{"Session", s.SessionID},
	}
	u := m.tokens.TotalTokenUsage
	if u.TotalTokens > 0 {
		rows = append(rows, [2]string{"Tokens", fmt.Sprintf("%s total (%s input, %s output)", compactCount(u.TotalTokens), compactCount(u.InputTokens), compactCount(u.OutputTokens))})
	}
	last := m.tokens.LastTokenUsage
	if w := m.contextWindow(); contextLeft(w, 0) >= 0 {
		pct := contextLeft(w, last.TotalTokens-last.ReasoningOutputTokens)
		rows = append(rows, [2]string{"Context", fmt.Sprintf("%d%% left (%s used / %s)", pct, compactCount(last.TotalTokens), compactCount(w))})
	}
	return statusCell{rows: rows}
}

type statusCell struct{ rows [][2]string }

func (c statusCell) Render(p *painter, width int) string {
	th := p.th
	lines := []string{th.bold.Render(">_ Codex status"), ""}
	for _, r := range c.rows {
		if r[1] == "" {
			continue
		}
		lines = append(lines, truncate(th.dim.Render(fmt.Sprintf("%-10s", r[0]+":"))+" "+r[1], width-2))
	}
	return indent(strings.Join(lines, "\n"), "  ", "  ")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
