package skills

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// frontMatter is what Parse takes from a SKILL.md's YAML header.
type frontMatter struct {
	Name             string
	Description      string
	ShortDescription string // metadata.short-description
}

// parseFrontMatter reads the keys we use from a SKILL.md header: top-level
// name and description, and short-description under metadata. It takes
// the YAML people write in front matter (plain, 'single' and "double"
// quoted scalars, possibly over several lines, | and > block scalars,
// comments) and skips every other key with the lines indented below it.
// It replaces gopkg.in/yaml.v3, whose initialisers every start of the
// fused binary paid (issue 20). Like the Codex CLI, it is lenient where
// people write YAML loosely: a value that is not valid YAML ("a: b",
// `"a" b`, an unclosed quote, a flow collection) is taken verbatim up to
// the end of its line, one pair of surrounding quotes removed.
func parseFrontMatter(text string) frontMatter {
	p := fmParser{lines: strings.Split(text, "\n")}
	var fm frontMatter
	p.mapping(0, func(key, val string) {
		switch key {
		case "name":
			fm.Name = val
		case "description":
			fm.Description = val
		}
	}, func(key string, indent int) {
		if key == "metadata" {
			p.mapping(indent, func(k, v string) {
				if k == "short-description" {
					fm.ShortDescription = v
				}
			}, nil)
		}
	})
	return fm
}

// fmParser walks the front matter's lines.
type fmParser struct {
	lines []string
	i     int // next line
}

// indentOf counts a line's leading blanks and reports whether the line
// holds nothing but blanks or a comment.
func indentOf(line string) (int, bool) {
	n := 0
	for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
		n++
	}
	return n, n == len(line) || line[n] == '#'
}

// mapping reads `key: value` lines at one indentation (the first key's,
// at least min), calling scalar for each key with a scalar value and
// nested (if not nil) for a key whose value is an indented map, with
// that map's indentation. It stops at the first line indented less.
func (p *fmParser) mapping(min int, scalar func(key, val string), nested func(key string, indent int)) {
	indent := -1
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		ind, blank := indentOf(line)
		if blank {
			p.i++
			continue
		}
		if ind < min || (indent >= 0 && ind < indent) {
			return
		}
		if indent < 0 {
			indent = ind
		}
		p.i++
		if ind > indent {
			continue // below a key we skip, or stray: not ours
		}
		key, rest, ok := splitKey(line[ind:])
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " \t")
		switch {
		case rest == "" || rest[0] == '#':
			// The value is the block below: a nested map, or a scalar on
			// the following lines.
			if next := p.nextIndent(); nested != nil && next > indent && p.nextIsKey() {
				nested(key, next)
			} else {
				scalar(key, scalarValue(p.block(indent)))
			}
		case (rest[0] == '|' || rest[0] == '>') && blockHeader(rest):
			scalar(key, p.block(indent))
		case rest[0] == '"' || rest[0] == '\'':
			scalar(key, p.quoted(rest))
		default:
			val := plainValue(rest)
			if cont := p.block(indent); cont != "" && val != "" {
				val += " " + cont
			}
			scalar(key, val)
		}
		p.skipBelow(indent)
	}
}

// nextIndent is the indentation of the next non-blank line (-1 at the end).
func (p *fmParser) nextIndent() int {
	for j := p.i; j < len(p.lines); j++ {
		if ind, blank := indentOf(p.lines[j]); !blank {
			return ind
		}
	}
	return -1
}

// nextIsKey reports whether the next non-blank line is `key: ...`.
func (p *fmParser) nextIsKey() bool {
	for j := p.i; j < len(p.lines); j++ {
		if ind, blank := indentOf(p.lines[j]); !blank {
			_, _, ok := splitKey(p.lines[j][ind:])
			return ok
		}
	}
	return false
}

// skipBelow passes the lines indented deeper than indent (and blanks).
func (p *fmParser) skipBelow(indent int) {
	for p.i < len(p.lines) {
		if ind, blank := indentOf(p.lines[p.i]); !blank && ind <= indent {
			return
		}
		p.i++
	}
}

// block joins the lines indented deeper than indent with spaces (the
// caller folds whitespace, so literal and folded scalars read the same).
func (p *fmParser) block(indent int) string {
	var parts []string
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		t := strings.TrimSpace(line)
		if ind, _ := indentOf(line); ind <= indent && t != "" {
			break
		}
		if t != "" {
			parts = append(parts, t)
		}
		p.i++
	}
	return strings.Join(parts, " ")
}

// splitKey splits `key: rest` at the first colon followed by a blank or
// the end of the line; quotes around the key are removed.
func splitKey(s string) (key, rest string, ok bool) {
	if s[0] == '-' && (len(s) == 1 || s[1] == ' ') {
		return "", "", false // a sequence item
	}
	for j := 0; j < len(s); j++ {
		if s[j] == ':' && (j+1 == len(s) || s[j+1] == ' ' || s[j+1] == '\t') {
			key = strings.TrimRight(s[:j], " \t")
			if len(key) >= 2 && (key[0] == '"' || key[0] == '\'') && key[len(key)-1] == key[0] {
				key = key[1 : len(key)-1]
			}
			return key, s[j+1:], key != ""
		}
	}
	return "", "", false
}

// blockHeader reports whether s is a block scalar header: | or > with
// optional chomping and indentation indicators and an optional comment.
func blockHeader(s string) bool {
	h := s[1:]
	for len(h) > 0 && (h[0] == '+' || h[0] == '-' || (h[0] >= '1' && h[0] <= '9')) {
		h = h[1:]
	}
	t := strings.TrimLeft(h, " \t")
	return t == "" || t[0] == '#'
}

// plainValue is a plain scalar: up to a comment (a # after a blank), trimmed.
func plainValue(s string) string {
	for j := 1; j < len(s); j++ {
		if s[j] == '#' && (s[j-1] == ' ' || s[j-1] == '\t') {
			s = s[:j]
			break
		}
	}
	return strings.TrimSpace(s)
}

// scalarValue is a value given on the lines below its key (joined):
// quoted or plain.
func scalarValue(s string) string {
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		if v, rest, ok := unquote(s); ok && endOfValue(rest) {
			return v
		}
		return verbatim(s)
	}
	return plainValue(s)
}

// endOfValue reports whether what follows a closing quote ends the value:
// blanks and an optional comment.
func endOfValue(rest string) bool {
	t := strings.TrimLeft(rest, " \t")
	return t == "" || t[0] == '#' && len(t) < len(rest)
}

// quoted reads a quoted value starting at first (the rest of the key's
// line), taking the following lines until the closing quote (at any
// indentation, as yaml.v3 does). A value that is not closed there, has a
// bad escape or is followed by more than a comment is the key's line
// taken verbatim. The lines are scanned once (a SKILL.md of a million
// lines after an unclosed quote costs linear time).
func (p *fmParser) quoted(first string) string {
	start := p.i
	buf := []byte(first)
	pos := 1
	for {
		if end := closingQuote(buf, &pos); end >= 0 {
			if v, rest, ok := unquote(string(buf[:end+1])); ok && endOfValue(string(buf[end+1:])) && rest == "" {
				return v
			}
			break
		}
		if p.i >= len(p.lines) {
			break
		}
		buf = append(buf, ' ')
		buf = append(buf, strings.TrimSpace(p.lines[p.i])...)
		p.i++
	}
	p.i = start
	return verbatim(first)
}

// closingQuote finds the quote closing the scalar that b[0] opens,
// scanning from *pos (left where the scan must resume once more text is
// appended); -1 if b does not hold it yet.
func closingQuote(b []byte, pos *int) int {
	q := b[0]
	for *pos < len(b) {
		c := b[*pos]
		switch {
		case q == '"' && c == '\\':
			if *pos+1 == len(b) {
				return -1 // the escaped character is on the next line
			}
			*pos += 2
		case c == q && q == '\'' && *pos+1 < len(b) && b[*pos+1] == '\'':
			*pos += 2
		case c == q:
			return *pos
		default:
			*pos++
		}
	}
	return -1
}

// verbatim is a value as written, one pair of surrounding quotes removed.
func verbatim(s string) string {
	s = plainValue(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	return s
}

// unquote decodes a single- or double-quoted YAML scalar at the start of
// s and returns the text after its closing quote. When it fails, rest
// says "unterminated" if more lines could close it.
func unquote(s string) (val, rest string, ok bool) {
	q := s[0]
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == q && q == '\'' && j+1 < len(s) && s[j+1] == '\'':
			b.WriteByte('\'')
			j++
		case c == q:
			return b.String(), s[j+1:], true
		case c == '\\' && q == '"':
			if j+1 == len(s) {
				return "", "unterminated", false
			}
			n := escape(&b, s[j+1:])
			if n == 0 {
				return "", "bad escape", false
			}
			j += n
		default:
			b.WriteByte(c)
		}
	}
	return "", "unterminated", false
}

// simpleEscapes are YAML's one-character escapes in double quotes (\0,
// whose value is 0, is handled apart).
var simpleEscapes = [256]byte{
	'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v', 'f': '\f',
	'r': '\r', 'e': 0x1b, ' ': ' ', '"': '"', '/': '/', '\\': '\\', '\'': '\'', // \' as yaml.v3 takes it
}

// escape decodes the escape after a backslash in s, writes it to b and
// returns how many bytes of s it used (0: not an escape).
func escape(b *strings.Builder, s string) int {
	c := s[0]
	switch c {
	case '0':
		b.WriteByte(0)
		return 1
	case 'N':
		b.WriteRune('\u0085')
		return 1
	case '_':
		b.WriteRune('\u00a0')
		return 1
	case 'L':
		b.WriteRune('\u2028')
		return 1
	case 'P':
		b.WriteRune('\u2029')
		return 1
	case 'x', 'u', 'U':
		n := 2
		switch c {
		case 'u':
			n = 4
		case 'U':
			n = 8
		}
		if len(s) < 1+n {
			return 0
		}
		r, err := strconv.ParseUint(s[1:1+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(r)) {
			return 0
		}
		b.WriteRune(rune(r))
		return 1 + n
	}
	if simpleEscapes[c] == 0 {
		return 0
	}
	b.WriteByte(simpleEscapes[c])
	return 1
}
