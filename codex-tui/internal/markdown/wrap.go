package markdown

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// style wraps s in one SGR sequence and a reset ("" style: s as is).
func (r *Renderer) style(s, st string) string {
	if st == "" || s == "" {
		return s
	}
	return "\x1b[" + st + "m" + s + "\x1b[0m"
}

// joinSpans renders spans on one line (no wrapping).
func (r *Renderer) joinSpans(spans []span) string {
	var b strings.Builder
	for _, s := range spans {
		if s.text == "\n" {
			b.WriteByte(' ')
			continue
		}
		b.WriteString(r.style(s.text, s.style))
	}
	return b.String()
}

// wrap fills lines of at most width cells with the words of spans,
// styling each word on its own so a style never leaks across a line
// break or into a prefix; a word wider than the line is cut.
func (r *Renderer) wrap(spans []span, width int) []string {
	var lines []string
	var line, word strings.Builder
	lineW, wordW := 0, 0
	pendingSpace := false
	endLine := func() {
		lines = append(lines, line.String())
		line.Reset()
		lineW = 0
		pendingSpace = false
	}
	endWord := func() {
		if wordW == 0 {
			return
		}
		w := word.String()
		word.Reset()
		sp := 0
		if pendingSpace && lineW > 0 {
			sp = 1
		}
		if lineW > 0 && lineW+sp+wordW > width {
			endLine()
			sp = 0
		}
		if wordW > width-lineW-sp {
			// Longer than a whole line: cut it.
			parts := strings.Split(ansi.Hardwrap(w, width, true), "\n")
			for k, p := range parts {
				if k > 0 || lineW > 0 {
					endLine()
				}
				line.WriteString(p)
				lineW = ansi.StringWidth(p)
			}
		} else {
			if sp == 1 {
				line.WriteByte(' ')
				lineW++
			}
			line.WriteString(w)
			lineW += wordW
		}
		wordW = 0
		pendingSpace = false
	}
	for _, s := range spans {
		if s.text == "\n" {
			endWord()
			endLine()
			continue
		}
		rest := s.text
		for rest != "" {
			k := strings.IndexByte(rest, ' ')
			piece := rest
			if k >= 0 {
				piece = rest[:k]
			}
			if piece != "" {
				word.WriteString(r.style(piece, s.style))
				wordW += ansi.StringWidth(piece)
			}
			if k < 0 {
				break
			}
			endWord()
			if lineW > 0 {
				pendingSpace = true
			}
			rest = rest[k+1:]
		}
	}
	endWord()
	if lineW > 0 || len(lines) == 0 {
		lines = append(lines, line.String())
	}
	return lines
}
