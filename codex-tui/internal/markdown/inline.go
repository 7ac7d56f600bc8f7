package markdown

import (
	"strings"
	"unicode/utf8"
)

// span is a run of text with one style (an SGR parameter list, "" for
// none). Spaces inside a span are word breaks unless hard is set.
type span struct {
	text  string
	style string
}

// inline parses the inline Markdown of one paragraph (emphasis, strong,
// strikethrough, code spans, links, autolinks, escapes) into spans. It is
// forgiving: an unmatched delimiter is literal text, never an error.
func (r *Renderer) inline(src, base string, out []span) []span {
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, span{text: lit.String(), style: base})
			lit.Reset()
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && isPunct(src[i+1]):
			lit.WriteByte(src[i+1])
			i += 2
			continue
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			flush()
			out = append(out, span{text: "\n"})
			i += 2
			continue
		case c == '\n':
			// A soft break is a space; two trailing spaces make it hard.
			if strings.HasSuffix(lit.String(), "  ") {
				s := strings.TrimRight(lit.String(), " ")
				lit.Reset()
				lit.WriteString(s)
				flush()
				out = append(out, span{text: "\n"})
			} else {
				lit.WriteByte(' ')
			}
			i++
			continue
		case c == '`':
			n := runLen(src[i:], '`')
			if j := findRun(src[i+n:], '`', n); j >= 0 {
				flush()
				code := strings.ReplaceAll(src[i+n:i+n+j], "\n", " ")
				if len(code) > 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
					code = code[1 : len(code)-1]
				}
				out = append(out, span{text: code, style: join(base, r.st.Code)})
				i += n + j + n
				continue
			}
			lit.WriteString(src[i : i+n])
			i += n
			continue
		case c == '*' || c == '_' || c == '~':
			n := runLen(src[i:], c)
			if c == '~' && n != 2 {
				lit.WriteString(src[i : i+n])
				i += n
				continue
			}
			if n > 3 {
				n = 3
			}
			// An opener is followed by a non-space; `_` inside a word
			// (snake_case) is literal.
			opens := i+n < len(src) && !isSpace(src[i+n]) &&
				(c != '_' || i == 0 || !isAlnum(src[i-1]))
			if opens {
				if j := findCloser(src[i+n:], c, n); j >= 0 {
					flush()
					var style string
					switch {
					case c == '~':
						style = join(base, r.st.Strike)
					case n == 1:
						style = join(base, r.st.Italic)
					case n == 2:
						style = join(base, r.st.Bold)
					default:
						style = join(base, join(r.st.Bold, r.st.Italic))
					}
					if r.st.Literal {
						out = append(out, span{text: src[i : i+n], style: base})
					}
					out = r.inline(src[i+n:i+n+j], style, out)
					if r.st.Literal {
						out = append(out, span{text: src[i : i+n], style: base})
					}
					i += n + j + n
					continue
				}
			}
			lit.WriteString(src[i : i+n])
			i += n
			continue
		case c == '!' && i+1 < len(src) && src[i+1] == '[':
			if text, url, n, ok := link(src[i+1:]); ok {
				flush()
				out = r.inline(text, join(base, r.st.LinkText), out)
				if url != "" {
					out = append(out, span{text: " " + url, style: join(base, r.st.Link)})
				}
				i += 1 + n
				continue
			}
		case c == '[':
			if text, url, n, ok := link(src[i:]); ok {
				flush()
				out = r.inline(text, join(base, r.st.LinkText), out)
				if url != "" && url != text {
					out = append(out, span{text: " " + url, style: join(base, r.st.Link)})
				}
				i += n
				continue
			}
		case c == '<':
			if j := strings.IndexByte(src[i:], '>'); j > 0 {
				inner := src[i+1 : i+j]
				if isAutolink(inner) {
					flush()
					out = append(out, span{text: inner, style: join(base, r.st.Link)})
					i += j + 1
					continue
				}
			}
		case c == '&':
			if rep, n := entity(src[i:]); n > 0 {
				lit.WriteString(rep)
				i += n
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(src[i:])
		lit.WriteString(src[i : i+size])
		i += size
	}
	flush()
	return out
}

// join combines two SGR parameter lists.
func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ";" + b
}

func runLen(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// findRun returns the index in s of a run of exactly n c's, or -1.
func findRun(s string, c byte, n int) int {
	for i := 0; i < len(s); {
		if s[i] != c {
			i++
			continue
		}
		m := runLen(s[i:], c)
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// findCloser returns the index in s of a closing delimiter run of n c's
// (preceded by a non-space, and for `_` not followed by a word
// character), skipping code spans, or -1.
func findCloser(s string, c byte, n int) int {
	for i := 0; i < len(s); {
		switch s[i] {
		case '\\':
			i += 2
			continue
		case '`':
			m := runLen(s[i:], '`')
			if j := findRun(s[i+m:], '`', m); j >= 0 {
				i += m + j + m
				continue
			}
			i += m
			continue
		case c:
			m := runLen(s[i:], c)
			if m >= n && i > 0 && !isSpace(s[i-1]) &&
				(c != '_' || i+n >= len(s) || !isAlnum(s[i+n])) {
				return i
			}
			i += m
			continue
		}
		i++
	}
	return -1
}

// link parses [text](url "title") at the start of s, returning the text,
// the url and the length consumed.
func link(s string) (text, url string, n int, ok bool) {
	depth := 0
	end := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				end = i
			}
		}
		if end >= 0 {
			break
		}
	}
	if end < 0 || end+1 >= len(s) || s[end+1] != '(' {
		return "", "", 0, false
	}
	close := strings.IndexByte(s[end+2:], ')')
	if close < 0 {
		return "", "", 0, false
	}
	dest := strings.TrimSpace(s[end+2 : end+2+close])
	if k := strings.IndexAny(dest, " \t"); k >= 0 {
		dest = dest[:k] // drop a title
	}
	dest = strings.TrimSuffix(strings.TrimPrefix(dest, "<"), ">")
	return s[1:end], dest, end + 2 + close + 1, true
}

func isAutolink(s string) bool {
	if strings.ContainsAny(s, " \t\n<") {
		return false
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "mailto:") {
		return true
	}
	at := strings.IndexByte(s, '@')
	return at > 0 && strings.Contains(s[at:], ".")
}

// entity decodes the few HTML entities model output uses.
func entity(s string) (string, int) {
	j := strings.IndexByte(s, ';')
	if j < 0 || j > 7 {
		return "", 0
	}
	var rep string
	switch s[:j+1] {
	case "&amp;":
		rep = "&"
	case "&lt;":
		rep = "<"
	case "&gt;":
		rep = ">"
	case "&quot;":
		rep = `"`
	case "&#39;", "&apos;":
		rep = "'"
	case "&nbsp;":
		rep = " "
	default:
		return "", 0
	}
	return rep, j + 1
}

func isPunct(c byte) bool {
	return c < 0x80 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
