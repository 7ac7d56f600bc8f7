// Package markdown renders the Markdown a model writes (CommonMark blocks
// and inlines plus GFM tables and strikethrough) as styled terminal lines
// wrapped to a width.
//
// It replaces glamour in the TUI for start-up's sake: glamour pulls in
// goldmark, bluemonday and chroma's lexer and style registries, whose
// package initialisers cost ~85,000 allocations (tens of ms) at every
// start of every tool linked into the fused codex binary. This package
// initialises nothing and styles with plain SGR parameter lists, so the
// caller picks the palette. Parsing is forgiving: any input renders, an
// unmatched delimiter is shown as text.
package markdown

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Styles are SGR parameter lists ("1;38;5;39"), "" for unstyled.
type Styles struct {
	Heading, Bold, Italic, Strike, Code, Link, LinkText      string
	Quote, Marker, Rule, TableBorder, TableHeader, CodeBlock string
	// Literal keeps emphasis delimiters (**strong**, _em_, ~~del~~) in
	// the text, for terminals without colour where styles do not show.
	Literal bool
}

// Highlight colours one line of code in a language ("" when unknown); nil
// prints code with the CodeBlock style.
type Highlight func(line, lang string) string

// Renderer renders Markdown with one set of styles. It holds no state
// between calls and is safe for concurrent use.
type Renderer struct {
	st Styles
	hl Highlight
}

// New returns a renderer.
func New(st Styles, hl Highlight) *Renderer { return &Renderer{st: st, hl: hl} }

// Render returns src as lines no wider than width (at least 4), without
// leading or trailing blank lines; blocks are separated by one blank line.
func (r *Renderer) Render(src string, width int) string {
	if width < 4 {
		width = 4
	}
	src = sanitize(strings.ReplaceAll(src, "\r\n", "\n"))
	lines := strings.Split(expandTabs(src), "\n")
	return strings.Join(r.blocks(lines, width, false, 0), "\n")
}

// maxNesting bounds quote and list nesting, so hostile input cannot
// recurse without end; deeper content renders as text, as does a quote or
// list that would leave less than minWidth columns for its content.
const (
	maxNesting = 32
	minWidth   = 4
)

// blocks renders a sequence of block lines. Inside a tight list item the
// blocks are not separated by blank lines.
func (r *Renderer) blocks(lines []string, width int, tight bool, depth int) []string {
	var out []string
	add := func(block []string) {
		if len(block) == 0 {
			return
		}
		if len(out) > 0 && !tight {
			out = append(out, "")
		}
		out = append(out, block...)
	}
	for i := 0; i < len(lines); {
		line := lines[i]
		t := strings.TrimLeft(line, " ")
		indent := len(line) - len(t)
		switch {
		case t == "":
			i++
		case indent < 4 && fence(t) != "":
			f := fence(t)
			lang := strings.TrimSpace(strings.TrimLeft(t, f[:1]))
			if k := strings.IndexAny(lang, " {"); k >= 0 {
				lang = lang[:k]
			}
			j := i + 1
			var code []string
			for ; j < len(lines); j++ {
				ct := strings.TrimSpace(lines[j])
				if strings.HasPrefix(ct, f) && strings.Trim(ct, f[:1]) == "" {
					j++
					break
				}
				code = append(code, trimIndent(lines[j], indent))
			}
			add(r.code(code, lang, width))
			i = j
		case indent >= 4:
			j := i
			var code []string
			for ; j < len(lines); j++ {
				if strings.TrimSpace(lines[j]) != "" && len(lines[j])-len(strings.TrimLeft(lines[j], " ")) < 4 {
					break
				}
				code = append(code, trimIndent(lines[j], 4))
			}
			for len(code) > 0 && strings.TrimSpace(code[len(code)-1]) == "" {
				code = code[:len(code)-1]
			}
			add(r.code(code, "", width))
			i = j
		case heading(t) > 0:
			add(r.heading(t, heading(t), width))
			i++
		case thematic(t):
			add([]string{r.style(strings.Repeat("─", min(width, 40)), r.st.Rule)})
			i++
		case t[0] == '>' && depth < maxNesting && width >= 2+minWidth:
			j := i
			var inner []string
			for ; j < len(lines); j++ {
				lt := strings.TrimLeft(lines[j], " ")
				if strings.HasPrefix(lt, ">") {
					lt = strings.TrimPrefix(lt[1:], " ")
					inner = append(inner, lt)
					continue
				}
				// Lazy continuation of a quoted paragraph.
				if lt == "" || j == i || startsBlock(lt) || strings.TrimSpace(inner[len(inner)-1]) == "" {
					break
				}
				inner = append(inner, lt)
			}
			bar := r.style("│", r.st.Quote) + " "
			body := r.blocks(inner, width-2, false, depth+1)
			for k, l := range body {
				body[k] = strings.TrimRight(bar+l, " ")
			}
			add(body)
			i = j
		case listItem(t) > 0 && depth < maxNesting && width >= markerWidth(t)+minWidth:
			block, j := r.list(lines, i, width, depth)
			add(block)
			i = j
		case i+1 < len(lines) && strings.Contains(t, "|") && delimiterRow(lines[i+1]):
			j := i + 2
			for ; j < len(lines) && strings.Contains(lines[j], "|") && strings.TrimSpace(lines[j]) != ""; j++ {
			}
			add(r.table(lines[i], lines[i+2:j], width))
			i = j
		default:
			j := i + 1
			for ; j < len(lines); j++ {
				lt := strings.TrimLeft(lines[j], " ")
				if lt == "" || startsBlock(lt) && indentOf(lines[j]) < 4 {
					break
				}
				if setext(lt) != 0 {
					break
				}
			}
			para := strings.TrimSpace(strings.Join(trimAll(lines[i:j]), "\n"))
			if j < len(lines) && setext(strings.TrimLeft(lines[j], " ")) != 0 {
				add(r.heading(strings.Repeat("#", setext(strings.TrimLeft(lines[j], " ")))+" "+para, setext(strings.TrimLeft(lines[j], " ")), width))
				j++
			} else {
				add(r.wrap(r.inline(para, "", nil), width))
			}
			i = j
		}
	}
	return out
}

func (r *Renderer) heading(t string, level, width int) []string {
	text := strings.TrimSpace(t[level:])
	// A closing run of #s is not part of the text.
	if k := strings.TrimRight(text, "#"); k != text && (k == "" || strings.HasSuffix(k, " ")) {
		text = strings.TrimSpace(k)
	}
	prefix := span{text: strings.Repeat("#", level) + " ", style: r.st.Heading}
	return r.wrap(r.inline(text, r.st.Heading, []span{prefix}), width)
}

// code renders a code block indented by two, each line highlighted and
// hard-wrapped.
func (r *Renderer) code(lines []string, lang string, width int) []string {
	out := make([]string, 0, len(lines))
	w := max(width-2, 1)
	for _, l := range lines {
		var s string
		if r.hl != nil {
			s = r.hl(l, lang)
		} else {
			s = r.style(l, r.st.CodeBlock)
		}
		if ansi.StringWidth(l) > w {
			s = ansi.Hardwrap(s, w, true)
		}
		for _, part := range strings.Split(s, "\n") {
			out = append(out, strings.TrimRight("  "+part, " "))
		}
	}
	if len(out) == 0 {
		out = append(out, "")
	}
	return out
}

// list renders the list starting at lines[i] and returns the index after
// it. Items of one list share the marker kind and indentation.
func (r *Renderer) list(lines []string, i, width, depth int) ([]string, int) {
	first := strings.TrimLeft(lines[i], " ")
	baseIndent := indentOf(lines[i])
	ordered := first[0] >= '0' && first[0] <= '9'
	num := 1
	if ordered {
		num, _ = strconv.Atoi(first[:strings.IndexAny(first, ".)")])
	}
	var out []string
	j := i
	for j < len(lines) {
		t := strings.TrimLeft(lines[j], " ")
		// Items sit at the first item's indentation (one space more is
		// tolerated).
		if in := indentOf(lines[j]); t == "" || in < baseIndent || in > baseIndent+1 {
			break
		}
		n := listItem(t)
		if n == 0 || (t[0] >= '0' && t[0] <= '9') != ordered {
			break
		}
		offset := indentOf(lines[j]) + n
		content := []string{t[n:]}
		k := j + 1
		for ; k < len(lines); k++ {
			l := lines[k]
			lt := strings.TrimLeft(l, " ")
			if lt == "" {
				// A blank line continues the item only if indented
				// content follows.
				m := k + 1
				for m < len(lines) && strings.TrimSpace(lines[m]) == "" {
					m++
				}
				if m < len(lines) && indentOf(lines[m]) >= offset {
					content = append(content, "")
					continue
				}
				break
			}
			if indentOf(l) >= offset {
				content = append(content, trimIndent(l, offset))
				continue
			}
			// Lazy continuation: paragraph text, not a new block.
			if startsBlock(lt) || strings.TrimSpace(content[len(content)-1]) == "" {
				break
			}
			content = append(content, lt)
		}
		marker := "•"
		if ordered {
			marker = strconv.Itoa(num) + "."
			num++
		}
		mw := ansi.StringWidth(marker) + 1
		body := r.blocks(content, width-mw, true, depth+1)
		if len(body) == 0 {
			body = []string{""}
		}
		for b, l := range body {
			if b == 0 {
				out = append(out, strings.TrimRight(r.style(marker, r.st.Marker)+" "+l, " "))
			} else {
				out = append(out, strings.TrimRight(strings.Repeat(" ", mw)+l, " "))
			}
		}
		j = k
		// Blank lines between items keep the list going.
		m := j
		for m < len(lines) && strings.TrimSpace(lines[m]) == "" {
			m++
		}
		if m > j && m < len(lines) && indentOf(lines[m]) == baseIndent && listItem(strings.TrimLeft(lines[m], " ")) > 0 {
			j = m
		}
	}
	if j == i { // not reached: the caller saw an item
		j++
	}
	return out, j
}

// table renders a GFM table with aligned columns, or as one line per
// cell when it does not fit the width.
func (r *Renderer) table(header string, rows []string, width int) []string {
	head := cells(header)
	all := [][]string{head}
	for _, row := range rows {
		all = append(all, cells(row))
	}
	ncol := len(head)
	rendered := make([][]string, len(all))
	widths := make([]int, ncol)
	for ri, row := range all {
		rendered[ri] = make([]string, ncol)
		for c := 0; c < ncol; c++ {
			text := ""
			if c < len(row) {
				text = row[c]
			}
			base := ""
			if ri == 0 {
				base = r.st.TableHeader
			}
			s := r.joinSpans(r.inline(text, base, nil))
			rendered[ri][c] = s
			widths[c] = max(widths[c], ansi.StringWidth(s))
		}
	}
	total := 3 * (ncol - 1)
	for _, w := range widths {
		total += w
	}
	sep := " " + r.style("│", r.st.TableBorder) + " "
	if total <= width {
		var out []string
		for ri, row := range rendered {
			var b strings.Builder
			for c, s := range row {
				if c > 0 {
					b.WriteString(sep)
				}
				b.WriteString(s)
				b.WriteString(strings.Repeat(" ", widths[c]-ansi.StringWidth(s)))
			}
			out = append(out, strings.TrimRight(b.String(), " "))
			if ri == 0 {
				parts := make([]string, ncol)
				for c, w := range widths {
					parts[c] = strings.Repeat("─", w)
				}
				out = append(out, r.style(strings.Join(parts, "─┼─"), r.st.TableBorder))
			}
		}
		return out
	}
	// Too wide: each row as "header: value" lines.
	var out []string
	for ri, row := range rendered[1:] {
		if ri > 0 {
			out = append(out, "")
		}
		for c, s := range row {
			line := []span{{text: ansi.Strip(rendered[0][c]) + ":", style: r.st.TableHeader}, {text: " "}}
			out = append(out, r.wrap(append(line, span{text: s}), width)...)
		}
	}
	return out
}

// cells splits a table row on unescaped pipes outside code spans.
func cells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	if strings.HasSuffix(row, "|") && !strings.HasSuffix(row, `\|`) {
		row = row[:len(row)-1]
	}
	var out []string
	var cur strings.Builder
	inCode := false
	for i := 0; i < len(row); i++ {
		switch c := row[i]; {
		case c == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteByte('|')
			i++
		case c == '`':
			inCode = !inCode
			cur.WriteByte(c)
		case c == '|' && !inCode:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

func delimiterRow(line string) bool {
	t := strings.TrimSpace(line)
	if !strings.Contains(t, "-") || !strings.Contains(t, "|") && !strings.HasPrefix(t, ":") && !strings.HasPrefix(t, "-") {
		return false
	}
	for _, c := range cells(t) {
		c = strings.Trim(c, ":")
		if c == "" || strings.Trim(c, "-") != "" {
			return false
		}
	}
	return true
}

// fence returns the fence run (``` or ~~~, three or more) t opens with.
func fence(t string) string {
	for _, c := range []byte{'`', '~'} {
		if n := runLen(t, c); n >= 3 {
			if c == '`' && strings.IndexByte(t[n:], '`') >= 0 {
				return ""
			}
			return t[:n]
		}
	}
	return ""
}

// heading returns the level of an ATX heading line, or 0.
func heading(t string) int {
	n := runLen(t, '#')
	if n < 1 || n > 6 || (n < len(t) && t[n] != ' ') {
		return 0
	}
	return n
}

// setext returns 1 for a === underline, 2 for ---, else 0.
func setext(t string) int {
	t = strings.TrimRight(t, " ")
	switch {
	case t != "" && strings.Trim(t, "=") == "":
		return 1
	case len(t) >= 2 && strings.Trim(t, "-") == "":
		return 2
	}
	return 0
}

func thematic(t string) bool {
	s := strings.ReplaceAll(t, " ", "")
	if len(s) < 3 {
		return false
	}
	return strings.Trim(s, s[:1]) == "" && strings.IndexByte("-*_", s[0]) >= 0
}

// listItem returns the length of a list marker and its spaces at the
// start of t, or 0.
func listItem(t string) int {
	n := 0
	switch {
	case len(t) > 0 && (t[0] == '-' || t[0] == '*' || t[0] == '+'):
		n = 1
	default:
		for n < len(t) && n < 9 && t[n] >= '0' && t[n] <= '9' {
			n++
		}
		if n == 0 || n >= len(t) || (t[n] != '.' && t[n] != ')') {
			return 0
		}
		n++
	}
	if n == len(t) {
		return n
	}
	if t[n] != ' ' {
		return 0
	}
	sp := runLen(t[n:], ' ')
	if sp > 4 {
		sp = 1
	}
	return n + sp
}

// markerWidth is the room a list item's marker takes, with one digit to
// spare for numbers that grow along the list.
func markerWidth(t string) int {
	if t[0] == '-' || t[0] == '*' || t[0] == '+' {
		return 2
	}
	return strings.IndexAny(t, ".)") + 3
}

// startsBlock reports whether a (left-trimmed) line begins a block that
// interrupts a paragraph.
func startsBlock(t string) bool {
	return fence(t) != "" || heading(t) > 0 || thematic(t) || t[0] == '>' || listItem(t) > 0 && strings.TrimSpace(t[listItem(t):]) != ""
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// trimIndent removes up to n leading spaces.
func trimIndent(l string, n int) string {
	k := 0
	for k < n && k < len(l) && l[k] == ' ' {
		k++
	}
	return l[k:]
}

func trimAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimLeft(l, " ")
	}
	return out
}

// sanitize drops control characters other than newline and tab (and
// invalid UTF-8): an escape sequence in a model's text must not reach the
// terminal, where it could move the cursor or rewrite the screen.
func sanitize(s string) string {
	clean := true
	for _, c := range s {
		if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c < 0xa0 || c == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(c rune) rune {
		if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c < 0xa0 || c == utf8.RuneError {
			return -1
		}
		return c
	}, s)
}

func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, c := range s {
		switch c {
		case '\t':
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case '\n':
			b.WriteRune(c)
			col = 0
		default:
			b.WriteRune(c)
			col++
		}
	}
	return b.String()
}
