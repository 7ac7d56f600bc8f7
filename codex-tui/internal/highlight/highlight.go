// Package highlight colours one line of source code at a time for the
// terminal: keywords, types and literals, strings, comments, numbers, and
// for diffs the added and removed lines. Lexer state does not carry
// across lines (a multi-line string or comment may be coloured as code),
// which is the price of printing each streamed line once.
//
// It replaces chroma in the TUI: importing chroma's lexer and style
// registries costs ~60,000 allocations at every start of the fused codex
// binary, for colours a small table per language gives as well. Nothing
// here is built before the first call of a language.
package highlight

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Kind is a token class.
type Kind int

// Token classes, each styled by the palette.
const (
	Plain Kind = iota
	Keyword
	Literal // true, nil, built-in types and constants
	String
	Comment
	Number
	Added
	Removed
	Meta // diff hunk headers, preprocessor lines, tags
	nKinds
)

// Palette maps each Kind to SGR parameters ("" for none).
type Palette [nKinds]string

// syntax describes one language family.
type syntax struct {
	line     []string // line comment openers
	block    [2]string
	quotes   string // string delimiters
	keywords map[string]Kind
	diff     bool
	markup   bool // <tags>
	varSigil bool // $VAR is a literal (shells)
}

// Highlighter colours lines with one palette; safe for concurrent use.
type Highlighter struct {
	pal   Palette
	mu    sync.Mutex
	langs map[string]*syntax
}

// New returns a highlighter for a palette.
func New(pal Palette) *Highlighter {
	return &Highlighter{pal: pal, langs: map[string]*syntax{}}
}

// Known reports whether lang names a language this package colours.
func Known(lang string) bool { return lookup(lang) != nil }

func (h *Highlighter) syntax(lang string) *syntax {
	lang = strings.ToLower(strings.TrimSpace(lang))
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.langs[lang]
	if !ok {
		s = lookup(lang)
		h.langs[lang] = s
	}
	return s
}

// Line returns line coloured as lang; an unknown language comes back
// unchanged but for control characters, which are always dropped.
func (h *Highlighter) Line(line, lang string) string {
	line = Sanitize(line)
	s := h.syntax(lang)
	if s == nil || line == "" {
		return line
	}
	var b strings.Builder
	emit := func(text string, k Kind) {
		if text == "" {
			return
		}
		if st := h.pal[k]; st != "" && strings.TrimSpace(text) != "" {
			b.WriteString("\x1b[" + st + "m" + text + "\x1b[0m")
			return
		}
		b.WriteString(text)
	}
	if s.diff {
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"), strings.HasPrefix(line, "@@"), strings.HasPrefix(line, "diff "):
			emit(line, Meta)
		case strings.HasPrefix(line, "+"):
			emit(line, Added)
		case strings.HasPrefix(line, "-"):
			emit(line, Removed)
		default:
			emit(line, Plain)
		}
		return b.String()
	}
	plainFrom := 0
	flush := func(to int) {
		emit(line[plainFrom:to], Plain)
	}
	for i := 0; i < len(line); {
		c := line[i]
		// Comments run to the end of the line (or the block's end).
		if p := prefixAny(line[i:], s.line); p != "" && (p != "#" || i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			flush(i)
			emit(line[i:], Comment)
			return b.String()
		}
		if s.block[0] != "" && strings.HasPrefix(line[i:], s.block[0]) {
			flush(i)
			end := strings.Index(line[i+len(s.block[0]):], s.block[1])
			j := len(line)
			if end >= 0 {
				j = i + len(s.block[0]) + end + len(s.block[1])
			}
			emit(line[i:j], Comment)
			i, plainFrom = j, j
			continue
		}
		if s.markup && c == '<' {
			if j := strings.IndexByte(line[i:], '>'); j > 0 {
				flush(i)
				emit(line[i:i+j+1], Meta)
				i += j + 1
				plainFrom = i
				continue
			}
		}
		if strings.IndexByte(s.quotes, c) >= 0 {
			j := i + 1
			for j < len(line) && line[j] != c {
				if line[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			j = min(j+1, len(line))
			flush(i)
			emit(line[i:j], String)
			i, plainFrom = j, j
			continue
		}
		if s.varSigil && c == '$' && i+1 < len(line) && (isIdent(line[i+1]) || line[i+1] == '{') {
			j := i + 1
			if line[j] == '{' {
				if k := strings.IndexByte(line[j:], '}'); k > 0 {
					j += k + 1
				} else {
					j = len(line)
				}
			} else {
				for j < len(line) && isIdent(line[j]) {
					j++
				}
			}
			flush(i)
			emit(line[i:j], Literal)
			i, plainFrom = j, j
			continue
		}
		if isIdentStart(c) && (i == 0 || !isIdent(line[i-1])) {
			j := i
			for j < len(line) && (isIdent(line[j]) || line[j] == '-' && s.varSigil && j+1 < len(line) && isIdent(line[j+1])) {
				j++
			}
			if k, ok := s.keywords[line[i:j]]; ok {
				flush(i)
				emit(line[i:j], k)
				plainFrom = j
			}
			i = j
			continue
		}
		if c >= '0' && c <= '9' && (i == 0 || !isIdent(line[i-1])) {
			j := i
			for j < len(line) && (isIdent(line[j]) || line[j] == '.' && j+1 < len(line) && line[j+1] >= '0' && line[j+1] <= '9') {
				j++
			}
			flush(i)
			emit(line[i:j], Number)
			i, plainFrom = j, j
			continue
		}
		i++
	}
	flush(len(line))
	return b.String()
}

// Sanitize drops control characters (but tabs) and invalid UTF-8 from a
// line: an escape sequence in a model's code must not reach the terminal.
func Sanitize(s string) string {
	bad := func(c rune) bool { return c < 0x20 && c != '\t' || c >= 0x7f && c < 0xa0 || c == utf8.RuneError }
	if strings.IndexFunc(s, bad) < 0 {
		return s
	}
	return strings.Map(func(c rune) rune {
		if bad(c) {
			return -1
		}
		return c
	}, s)
}

func prefixAny(s string, ps []string) string {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	return ""
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdent(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
