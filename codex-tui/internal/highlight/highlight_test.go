package highlight

import "testing"

func TestLine(t *testing.T) {
	pal := Palette{Keyword: "K", Literal: "L", String: "S", Comment: "C", Number: "N", Added: "A", Removed: "R", Meta: "M"}
	h := New(pal)
	k := func(s, st string) string { return "\x1b[" + st + "m" + s + "\x1b[0m" }
	tests := []struct{ lang, in, want string }{
		{"go", `func f() { return "x" } // done`, k("func", "K") + " f() { " + k("return", "K") + " " + k(`"x"`, "S") + " } " + k("// done", "C")},
		{"Go", "x := 42 + y2", "x := " + k("42", "N") + " + y2"},
		{"python", "if x is None: # why", k("if", "K") + " x " + k("is", "K") + " " + k("None", "L") + ": " + k("# why", "C")},
		{"bash", `echo "$HOME" $PATH x#y`, k("echo", "L") + " " + k(`"$HOME"`, "S") + " " + k("$PATH", "L") + " x#y"},
		{"js", "const a = `t` /* c */ + 1", k("const", "K") + " a = " + k("`t`", "S") + " " + k("/* c */", "C") + " + " + k("1", "N")},
		{"diff", "+added", k("+added", "A")},
		{"diff", "-gone", k("-gone", "R")},
		{"diff", "@@ -1 +1 @@", k("@@ -1 +1 @@", "M")},
		{"html", `<a href="x">t</a>`, k(`<a href="x">`, "M") + "t" + k("</a>", "M")},
		{"json", `{"a": true}`, "{" + k(`"a"`, "S") + ": " + k("true", "L") + "}"},
		{"unknown-lang", "func x", "func x"},
		{"go", `s := "unterminated`, "s := " + k(`"unterminated`, "S")},
	}
	for _, tt := range tests {
		if got := h.Line(tt.in, tt.lang); got != tt.want {
			t.Errorf("Line(%q, %q)\n got %q\nwant %q", tt.in, tt.lang, got, tt.want)
		}
	}
	if got := h.Line("a\x1b[2J\x07b", "nope"); got != "a[2Jb" {
		t.Errorf("control characters kept: %q", got)
	}
	if !Known("rust") || Known("brainfuck") {
		t.Error("Known is wrong")
	}
}

// FuzzLine: any line in any language comes back with its text intact
// once the styles are removed.
func FuzzLine(f *testing.F) {
	f.Add(`x := "a\"b" // c /* d`, "go")
	f.Add("$ {x} '", "sh")
	h := New(Palette{Keyword: "1", String: "2", Comment: "3", Number: "4", Literal: "5", Meta: "6", Added: "7", Removed: "8"})
	f.Fuzz(func(t *testing.T, line, lang string) {
		got := h.Line(line, lang)
		if strip(got) != Sanitize(line) {
			t.Fatalf("Line(%q, %q) = %q loses text", line, lang, got)
		}
	})
}

// strip removes the sequences Line adds.
func strip(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}
