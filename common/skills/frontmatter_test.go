package skills

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// What people put in SKILL.md headers, read as yaml.v3 read it (checked
// side by side with a differential fuzz run against yaml.v3 before it was
// dropped), plus the loose forms the Codex CLI takes verbatim.
func TestParseFrontMatter(t *testing.T) {
	for _, tc := range []struct{ in, name, desc, short string }{
		{"name: a\ndescription: b\n", "a", "b", ""},
		{"name: 'a ''b'''\ndescription: \"c\\td\\u00e9\\x41\\\"\"\n", "a 'b'", "c déA\"", ""},
		{"name: |\n  x\n  y\ndescription: >-\n  y\n\n  z\nmetadata:\n  short-description: s # c\n  other: 1\n", "x y", "y z", "s"},
		{"# c\nname: a # b\ndescription:\n  multi\n  line\nlicense: MIT\nallowed-tools:\n  - a\n  - b\n", "a", "multi line", ""},
		{"name: \"a\n  b\"\ndescription: 'x\n\n  y'\n", "a b", "x y", ""},
		{"metadata:\n    short-description: \"q\"\n    x:\n      name: no\nname: n\ndescription: d\n", "n", "d", "q"},
		{"name: a\n  b\n  c\ndescription: x\n", "a b c", "x", ""},
		{"\"name\": a\n'description': b\n", "a", "b", ""},
		{"name: a:b\ndescription: http://x#y\n", "a:b", "http://x#y", ""},
		{"name: >2\n   indented\ndescription: |+\n  keep\n\n", "indented", "keep", ""},
		{"name: a\nname: b\ndescription: c\n", "b", "c", ""},
		{"nested:\n  name: no\n  description: no\nname: yes\ndescription: d\n", "yes", "d", ""},
		// Loose forms, verbatim up to the end of the line.
		{"name: \"q\"\ndescription: not: yaml\n", "q", "not: yaml", ""},
		{"name: \"a\" b\ndescription: [x, y]\n", "\"a\" b", "[x, y]", ""},
		{"name: \"open\ndescription: 'bad\\q'\n", "\"open", "bad\\q", ""},
		{"name: \"bad \\q\"\ndescription: a > b\n", "bad \\q", "a > b", ""},
		{"description: x\n\tname: tab\n", "", "x name: tab", ""}, // a tab indents
	} {
		got := parseFrontMatter(tc.in)
		if got.Name != tc.name || oneLine(got.Description) != tc.desc || got.ShortDescription != tc.short {
			t.Errorf("parseFrontMatter(%q) = %q, %q, %q; want %q, %q, %q", tc.in, got.Name, oneLine(got.Description), got.ShortDescription, tc.name, tc.desc, tc.short)
		}
	}
}

// yamlDouble writes s as a YAML double-quoted scalar, escaping at random
// (by seed) where an escape is allowed.
func yamlDouble(s string, seed uint) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20 || r == 0x7f || r == utf8.RuneError || (seed>>(uint(i)%32))&1 == 1:
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else if r > 0xff {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				fmt.Fprintf(&b, `\x%02x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Any string written as a double-quoted or single-quoted scalar (the
// latter when it holds no line break) reads back as itself, whitespace
// folded.
func FuzzFrontMatterQuoted(f *testing.F) {
	f.Add("a b", uint(0))
	f.Add("tab\there \"q\" \\ é 😀 it's", uint(0xffff))
	f.Add("line\nbreak", uint(3))
	f.Fuzz(func(t *testing.T, s string, seed uint) {
		if !utf8.ValidString(s) {
			return
		}
		want := oneLine(s)
		text := "name: x\ndescription: " + yamlDouble(s, seed) + " # comment\nmetadata:\n  short-description: " + yamlDouble(s, ^seed) + "\n"
		if got := parseFrontMatter(text); oneLine(got.Description) != want || oneLine(got.ShortDescription) != want || got.Name != "x" {
			t.Fatalf("%q read as %q / %q, want %q", text, got.Description, got.ShortDescription, want)
		}
		if strings.ContainsAny(s, "\n\r") {
			return
		}
		text = "description: '" + strings.ReplaceAll(s, "'", "''") + "'\nname: y\n"
		if got := parseFrontMatter(text); oneLine(got.Description) != want || got.Name != "y" {
			t.Fatalf("%q read as %q, want %q", text, got.Description, want)
		}
	})
}

// A SKILL.md in someone's repository may be hostile: an unclosed quote
// followed by a megabyte of short lines is read in linear time (an
// earlier version re-read the growing value at every line and did not
// finish), and then verbatim.
func TestParseFrontMatterUnclosedQuoteIsLinear(t *testing.T) {
	for _, q := range []string{`"`, `'`, `"\`} {
		text := "name: " + q + "x\n" + strings.Repeat("y\n", maxFileBytes/2) + "description: d\n"
		got := parseFrontMatter(text)
		if got.Name != q+"x" || got.Description != "d" {
			t.Fatalf("%s...: name %.20q, description %.20q", q, got.Name, got.Description)
		}
	}
}
