package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	mdrender "github.com/codexgo/codex-tui/internal/markdown"
)

// markdown renders Markdown for one theme (internal/markdown), with fenced
// code coloured by the same highlighter as streamed code lines.
type markdown struct {
	th *theme
	r  *mdrender.Renderer
	hl *highlighter
}

func newMarkdown(th *theme) *markdown {
	hl := newHighlighter(th)
	return &markdown{th: th, hl: hl, r: mdrender.New(th.markdownStyle(), hl.Line)}
}

// Render returns src as styled lines no wider than width, without
// leading or trailing blank lines.
func (m *markdown) Render(src string, width int) string {
	if width < 10 {
		width = 10
	}
	return trimBlankLines(m.r.Render(src, width))
}

// trimBlankLines drops leading and trailing lines that show nothing and
// trailing spaces.
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

// segment is a finished piece of a streamed message: a Markdown block,
// or one line of a fenced code block (code is committed line by line, so
// a long code block streams and never costs one huge render).
type segment struct {
	code bool
	lang string
	text string
	// firstCode marks the first line of a code block.
	firstCode bool
}

// mdStream collects a streamed Markdown message and hands out finished
// segments: text up to a blank line outside a code fence, and each line
// inside one. Finished segments never change, so they can be printed
// into the scrollback once; the unfinished rest stays live. Gating on
// newlines avoids re-rendering half-parsed Markdown on every token.
type mdStream struct {
	done     strings.Builder // complete lines of the unfinished block
	partial  string          // the current line, not yet ended by a newline
	inFence  bool
	fence    string
	lang     string
	codeSeen bool // a line of the current fence was emitted
	lines    int  // complete lines in done
}

// Push appends a delta and returns the segments it finished, in order.
func (s *mdStream) Push(delta string) []segment {
	var out []segment
	for delta != "" {
		i := strings.IndexByte(delta, '\n')
		if i < 0 {
			s.partial += delta
			break
		}
		line := s.partial + delta[:i]
		s.partial = ""
		delta = delta[i+1:]
		out = s.addLine(line, out)
	}
	return out
}

// addLine adds one complete line, appending finished segments to out.
func (s *mdStream) addLine(line string, out []segment) []segment {
	trimmed := strings.TrimSpace(line)
	if s.inFence {
		if strings.HasPrefix(trimmed, s.fence) && strings.Trim(trimmed, s.fence[:1]) == "" {
			s.inFence = false
			return out
		}
		out = append(out, segment{code: true, lang: s.lang, text: line, firstCode: !s.codeSeen})
		s.codeSeen = true
		return out
	}
	if f := fenceOpener(trimmed); f != "" {
		if s.lines > 0 {
			out = append(out, segment{text: s.take()})
		}
		s.inFence, s.fence, s.codeSeen = true, f, false
		s.lang = strings.TrimSpace(strings.TrimLeft(trimmed, f[:1]))
		return out
	}
	if trimmed == "" {
		if s.lines == 0 {
			return out
		}
		return append(out, segment{text: s.take()})
	}
	s.appendLine(line)
	return out
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

// Finish ends the message and returns what was left as segments.
func (s *mdStream) Finish() []segment {
	var out []segment
	if s.partial != "" {
		line := s.partial
		s.partial = ""
		out = s.addLine(line, out)
	}
	if s.lines > 0 {
		out = append(out, segment{text: s.take()})
	}
	*s = mdStream{}
	return out
}

// Empty reports whether nothing is buffered.
func (s *mdStream) Empty() bool { return s.lines == 0 && s.partial == "" && !s.inFence }
