package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/codexgo/codex-tui/internal/highlight"
	"github.com/muesli/termenv"
)

// highlighter colours code one line at a time (internal/highlight), so a
// long code block costs the same per line whether it streams or arrives
// whole. NO_COLOR (termenv.Ascii) leaves code plain.
type highlighter struct {
	h *highlight.Highlighter
}

func newHighlighter(th *theme) *highlighter {
	if th.profile == termenv.Ascii {
		return &highlighter{}
	}
	var pal highlight.Palette
	set := func(k highlight.Kind, dark, light string, attrs ...string) {
		c := light
		if th.dark {
			c = dark
		}
		pal[k] = sgr(th.profile, c, attrs...)
	}
	// Monokai-like on dark backgrounds, GitHub-like on light ones.
	set(highlight.Keyword, "197", "125")
	set(highlight.Literal, "81", "25")
	set(highlight.String, "186", "88")
	set(highlight.Comment, "242", "245", "3")
	set(highlight.Number, "141", "30")
	set(highlight.Added, "34", "28")
	set(highlight.Removed, "160", "124")
	set(highlight.Meta, "81", "25")
	return &highlighter{h: highlight.New(pal)}
}

// sgr returns SGR parameters for a foreground colour (a 256-colour index
// or #rgb, "" for none) in profile, after attrs ("1" bold, ...).
func sgr(profile termenv.Profile, fg string, attrs ...string) string {
	parts := append([]string(nil), attrs...)
	if fg != "" && profile != termenv.Ascii {
		if c := profile.Color(fg); c != nil {
			parts = append(parts, c.Sequence(false))
		}
	}
	return strings.Join(parts, ";")
}

// bg is sgr's background form.
func bg(profile termenv.Profile, c string) string {
	if c == "" || profile == termenv.Ascii {
		return ""
	}
	if col := profile.Color(c); col != nil {
		return col.Sequence(true)
	}
	return ""
}

// Line returns line highlighted as lang ("" or unknown: plain), without
// control characters.
func (h *highlighter) Line(line, lang string) string {
	if h.h == nil || lang == "" {
		return highlight.Sanitize(line)
	}
	return h.h.Line(line, lang)
}

// codeCell is one line of a fenced code block in an assistant message.
type codeCell struct {
	line, lang string
	first      bool // first line of its block: a blank line before it
}

func (c codeCell) Render(p *painter, width int) string {
	line := expandTabs(c.line)
	w := innerWidth(width, 4)
	hl := p.md.hl.Line(line, c.lang)
	if ansi.StringWidth(line) > w {
		hl = ansi.Hardwrap(hl, w, true)
	}
	return indent(hl, "    ", "    ")
}

// continues reports that the cell goes right under the previous one,
// without the blank line that separates cells.
func (c codeCell) continues() bool { return !c.first }
