// Package jsonlite writes and reads the few JSON shapes our tools exchange
// on every command without encoding/json, whose first use costs a fresh
// process ~0.15-0.25 ms of reflection and page faults, and whose
// reflection dominates a stream that encodes a line per request. Callers
// keep encoding/json as the reference: their tests and fuzz targets
// compare the bytes (writing) and fall back to it for anything the
// Scanner does not take (reading).
package jsonlite

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// plainJSON and plainHTML are bit sets of the bytes AppendString copies
// as they are: ASCII other than controls, '"' and '\\' (plainHTML also
// not <, > and &). Constants, so the package has no initialiser (every
// start of the fused binary would pay it).
var (
	plainJSON = [4]uint64{0xfffffffb00000000, 0xffffffffefffffff}
	plainHTML = [4]uint64{0xafffffbb00000000, 0xffffffffefffffff}
)

// AppendString appends s as a JSON string exactly as encoding/json writes
// it: U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD, and
// <, > and & escaped when escapeHTML is set (json.Marshal's default;
// json.Encoder.SetEscapeHTML(false) turns it off).
func AppendString(b []byte, s string, escapeHTML bool) []byte {
	b = append(b, '"')
	plain := &plainJSON
	if escapeHTML {
		plain = &plainHTML
	}
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; plain[c>>6]&(1<<(c&63)) != 0 {
			i++
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Scanner reads JSON values from Buf starting at Pos. Its methods accept
// only the simple forms (no escapes, no null) and report false for
// anything else, valid JSON or not, leaving the caller to hand the whole
// input to encoding/json.
type Scanner struct {
	Buf []byte
	Pos int
	// Src, when set, is string(Buf): strings are then cut from it
	// instead of copied, one allocation per input instead of one per
	// string (the strings keep all of Src alive).
	Src string
	// slab is where Strs carves its slices from (with Src set).
	slab []string
}

// Space skips white space.
func (s *Scanner) Space() {
	for s.Pos < len(s.Buf) {
		switch s.Buf[s.Pos] {
		case ' ', '\t', '\n', '\r':
			s.Pos++
		default:
			return
		}
	}
}

// Eat skips white space and then c, reporting whether c was there.
func (s *Scanner) Eat(c byte) bool {
	s.Space()
	if s.Pos < len(s.Buf) && s.Buf[s.Pos] == c {
		s.Pos++
		return true
	}
	return false
}

// Str reads a string without escapes or control characters, of valid
// UTF-8 (encoding/json would rewrite invalid bytes).
func (s *Scanner) Str() (string, bool) {
	v, ok := s.raw()
	if !ok {
		return "", false
	}
	if s.Src != "" {
		return s.Src[s.Pos-1-len(v) : s.Pos-1], true
	}
	return string(v), true
}

// Key is Str without the copy: the bytes are valid until Buf changes (a
// switch on string(key) does not allocate).
func (s *Scanner) Key() ([]byte, bool) { return s.raw() }

// raw reads a Str string and returns its bytes in Buf.
func (s *Scanner) raw() ([]byte, bool) {
	if !s.Eat('"') {
		return nil, false
	}
	start := s.Pos
	for s.Pos < len(s.Buf) {
		c := s.Buf[s.Pos]
		switch {
		case c == '"':
			v := s.Buf[start:s.Pos]
			s.Pos++
			if !utf8.Valid(v) {
				return nil, false
			}
			return v, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		s.Pos++
	}
	return nil, false
}

// Strs reads an array of Str strings; an empty array gives a non-nil
// empty slice, as encoding/json does.
func (s *Scanner) Strs() ([]string, bool) {
	if !s.Eat('[') {
		return nil, false
	}
	// With Src set, the slices of one input share one backing array (a
	// slice's capacity ends at its length, so appending to one copies).
	var out []string
	if s.Src != "" {
		if cap(s.slab)-len(s.slab) < 4 {
			s.slab = make([]string, 0, 12)
		}
		out = s.slab[len(s.slab):len(s.slab)]
	} else {
		out = []string{}
	}
	if s.Eat(']') {
		return out[:0:0], true
	}
	for {
		v, ok := s.Str()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if s.Eat(',') {
			continue
		}
		if s.Eat(']') {
			if s.Src != "" && &out[0] == &s.slab[:cap(s.slab)][len(s.slab)] {
				s.slab = s.slab[:len(s.slab)+len(out)] // carved from the slab
			}
			return out[:len(out):len(out)], true
		}
		return nil, false
	}
}

// Bool reads true or false into dst.
func (s *Scanner) Bool(dst *bool) bool {
	s.Space()
	rest := s.Buf[s.Pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		*dst, s.Pos = true, s.Pos+4
	case len(rest) >= 5 && string(rest[:5]) == "false":
		*dst, s.Pos = false, s.Pos+5
	default:
		return false
	}
	return true
}

// Done skips trailing white space and reports whether the input ends.
func (s *Scanner) Done() bool {
	s.Space()
	return s.Pos == len(s.Buf)
}
