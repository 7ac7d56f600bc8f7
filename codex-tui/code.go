package tui

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// highlighter colours code one line at a time with chroma (the highlighter
// glamour uses), so a long code block costs the same per line whether it
// streams or arrives whole. Lexer state does not carry across lines;
// a multi-line string or comment may be coloured as code, which is the
// price of printing each line once.
type highlighter struct {
	profile termenv.Profile
	style   *chroma.Style
	lexers  map[string]chroma.Lexer
	// seqs caches the SGR parameters per token type: chroma's own
	// terminal formatters recompute them for the whole style on every
	// call, which costs far more than highlighting one line.
	seqs map[chroma.TokenType]string
}

func newHighlighter(th *theme) *highlighter {
	h := &highlighter{profile: th.profile, lexers: map[string]chroma.Lexer{}, seqs: map[chroma.TokenType]string{}}
	if th.profile == termenv.Ascii {
		return h
	}
	if th.dark {
		h.style = styles.Get("monokai")
	} else {
		h.style = styles.Get("github")
	}
	return h
}

// sgr returns the escape parameters for a token type ("" for none).
func (h *highlighter) sgr(t chroma.TokenType) string {
	if s, ok := h.seqs[t]; ok {
		return s
	}
	e := h.style.Get(t)
	var parts []string
	if e.Bold == chroma.Yes {
		parts = append(parts, "1")
	}
	if e.Italic == chroma.Yes {
		parts = append(parts, "3")
	}
	if e.Underline == chroma.Yes {
		parts = append(parts, "4")
	}
	if e.Colour.IsSet() {
		if c := h.profile.Color(e.Colour.String()); c != nil {
			parts = append(parts, c.Sequence(false))
		}
	}
	s := strings.Join(parts, ";")
	h.seqs[t] = s
	return s
}

// Line returns line highlighted as lang ("" or unknown: plain).
func (h *highlighter) Line(line, lang string) string {
	if h.style == nil || lang == "" {
		return line
	}
	lx, ok := h.lexers[lang]
	if !ok {
		if l := lexers.Get(lang); l != nil {
			lx = chroma.Coalesce(l)
		}
		h.lexers[lang] = lx
	}
	if lx == nil {
		return line
	}
	it, err := lx.Tokenise(nil, line)
	if err != nil {
		return line
	}
	var b strings.Builder
	for tok := it(); tok != chroma.EOF; tok = it() {
		text := strings.TrimRight(tok.Value, "\n")
		if text == "" {
			continue
		}
		if seq := h.sgr(tok.Type); seq != "" && strings.TrimSpace(text) != "" {
			b.WriteString("\x1b[" + seq + "m" + text + "\x1b[0m")
		} else {
			b.WriteString(text)
		}
	}
	return b.String()
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
