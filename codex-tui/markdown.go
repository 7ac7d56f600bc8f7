package tui

import (
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/x/ansi"
)

// markdown renders Markdown for one theme, keeping one glamour renderer per
// width because building one parses a whole style sheet.
type markdown struct {
	th    *theme
	cache map[int]*glamour.TermRenderer
}

func newMarkdown(th *theme) *markdown {
	return &markdown{th: th, cache: map[int]*glamour.TermRenderer{}}
}

// Render returns src as styled lines no wider than width, without
// leading or trailing blank lines. If glamour fails, the source is
// wrapped as plain text rather than lost.
func (m *markdown) Render(src string, width int) string {
	if width < 10 {
		width = 10
	}
	r, ok := m.cache[width]
	if !ok {
		var err error
		r, err = glamour.NewTermRenderer(
			glamour.WithStyles(m.th.markdownStyle()),
			glamour.WithWordWrap(width),
			glamour.WithColorProfile(m.th.profile),
		)
		if err != nil {
			return wrapPlain(src, width)
		}
		m.cache[width] = r
	}
	out, err := r.Render(src)
	if err != nil {
		return wrapPlain(src, width)
	}
	return trimBlankLines(out)
}

// trimBlankLines drops leading and trailing lines that show nothing and
// the trailing spaces glamour pads lines with.
func trimBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	blank := func(l string) bool { return strings.TrimSpace(ansi.Strip(l)) == "" }
	for len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// wrapPlain wraps text at width, breaking long words.
func wrapPlain(s string, width int) string {
	if width < 1 {
		width = 1
	}
	return ansi.Hardwrap(ansi.Wordwrap(s, width, ""), width, true)
}

// mdStream collects a streamed Markdown message and hands out finished
// blocks: text up to a blank line outside a code fence, or up to the line
// closing a fence. Finished blocks never change, so they can be printed
// into the scrollback once; the unfinished rest stays live. Gating on
// newlines avoids re-rendering half-parsed Markdown on every token.
type mdStream struct {
	done    strings.Builder // text of the current unfinished block's complete lines
	partial string          // the current line, not yet ended by a newline
	inFence bool
	fence   string
	lines   int // complete lines in done
}

// Push appends a delta and returns the blocks it finished, in order.
func (s *mdStream) Push(delta string) []string {
	var out []string
	for delta != "" {
		i := strings.IndexByte(delta, '\n')
		if i < 0 {
			s.partial += delta
			break
		}
		line := s.partial + delta[:i]
		s.partial = ""
		delta = delta[i+1:]
		if b, ok := s.addLine(line); ok {
			out = append(out, b)
		}
	}
	return out
}

// addLine adds one complete line; it reports a finished block.
func (s *mdStream) addLine(line string) (string, bool) {
	trimmed := strings.TrimSpace(line)
	if s.inFence {
		s.appendLine(line)
		if strings.HasPrefix(trimmed, s.fence) && strings.Trim(trimmed, s.fence[:1]) == "" {
			s.inFence = false
			return s.take(), true
		}
		return "", false
	}
	if f := fenceOpener(trimmed); f != "" {
		s.inFence = true
		s.fence = f
		s.appendLine(line)
		return "", false
	}
	if trimmed == "" {
		if s.lines == 0 {
			return "", false
		}
		return s.take(), true
	}
	s.appendLine(line)
	return "", false
}

func fenceOpener(trimmed string) string {
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(trimmed, f) {
			n := len(trimmed) - len(strings.TrimLeft(trimmed, f[:1]))
			return strings.Repeat(f[:1], n)
		}
	}
	return ""
}

func (s *mdStream) appendLine(line string) {
	s.done.WriteString(line)
	s.done.WriteByte('\n')
	s.lines++
}

func (s *mdStream) take() string {
	b := s.done.String()
	s.done.Reset()
	s.lines = 0
	return b
}

// Pending returns the complete lines of the unfinished block (what the
// live area shows; the half-typed line is held back).
func (s *mdStream) Pending() string { return s.done.String() }

// PendingLines is the number of complete lines in Pending.
func (s *mdStream) PendingLines() int { return s.lines }

// Finish ends the message and returns whatever was left as a block ("" if
// nothing). An unclosed code fence is closed so it renders as code.
func (s *mdStream) Finish() string {
	if s.partial != "" {
		s.appendLine(s.partial)
		s.partial = ""
	}
	if s.inFence {
		s.appendLine(s.fence)
		s.inFence = false
	}
	return s.take()
}

// Empty reports whether nothing is buffered.
func (s *mdStream) Empty() bool { return s.lines == 0 && s.partial == "" }
