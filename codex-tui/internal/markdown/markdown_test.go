package markdown

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

var plain = New(Styles{}, nil)

func TestRender(t *testing.T) {
	tests := []struct {
		name, src string
		width     int
		want      string
	}{
		{"paragraph joins soft breaks", "one\ntwo  three", 40, "one two three"},
		{"wraps at width", "alpha beta gamma delta", 11, "alpha beta\ngamma delta"},
		{"cuts a long word", "abcdefghij", 4, "abcd\nefgh\nij"},
		{"hard break", "one  \ntwo", 40, "one\ntwo"},
		{"heading", "## Plan ##", 40, "## Plan"},
		{"setext heading", "Title\n=====", 40, "# Title"},
		{"emphasis", "a *b* **c** ~~d~~ `e`", 40, "a b c d e"},
		{"snake_case stays", "use my_var_name here", 40, "use my_var_name here"},
		{"unmatched delimiters", "2 * 3 and a_b and **x", 40, "2 * 3 and a_b and **x"},
		{"escape", `\*not\* em`, 40, "*not* em"},
		{"link", "see [docs](https://x.example/d \"t\")", 40, "see docs https://x.example/d"},
		{"autolink", "<https://x.example>", 40, "https://x.example"},
		{"entity", "a &amp; b &lt;c&gt;", 40, "a & b <c>"},
		{"bullets", "- a\n- b\n  - c", 40, "• a\n• b\n  • c"},
		{"ordered from 3", "3. x\n4. y", 40, "3. x\n4. y"},
		{"loose list", "- a\n\n- b", 40, "• a\n• b"},
		{"item wraps under its text", "- alpha beta gamma", 12, "• alpha beta\n  gamma"},
		{"quote", "> q1\nlazy", 40, "│ q1 lazy"},
		{"nested quote", "> > deep", 40, "│ │ deep"},
		{"fence", "```go\nx := 1\n```\nafter", 40, "  x := 1\n\nafter"},
		{"unclosed fence", "~~~\ncode", 40, "  code"},
		{"indented code", "    raw *x*", 40, "  raw *x*"},
		{"rule", "---", 5, "─────"},
		{"blocks separated", "a\n\n\n# h\nb", 40, "a\n\n# h\n\nb"},
		{"table", "| a | bb |\n|---|:-:|\n| 1 | 2 |", 40, "a │ bb\n──┼───\n1 │ 2"},
		{"table too wide", "| name | value |\n|---|---|\n| k | v |", 6, "name:\nk\nvalue:\nv"},
		{"tabs", "-\tx", 40, "• x"},
		{"empty", "", 40, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := plain.Render(tt.src, tt.width)
			if got != tt.want {
				t.Errorf("Render(%q, %d)\n got: %q\nwant: %q", tt.src, tt.width, got, tt.want)
			}
		})
	}
}

func TestStylesDoNotLeakAcrossLines(t *testing.T) {
	r := New(Styles{Bold: "1", Quote: "2"}, nil)
	out := r.Render("> **a bold run of words that wraps**", 12)
	for _, l := range strings.Split(out, "\n") {
		if strings.Count(l, "\x1b[1m") != strings.Count(l, "\x1b[0m")-1 {
			t.Errorf("line %q opens a style it does not close", l)
		}
		if !strings.HasPrefix(l, "\x1b[2m│\x1b[0m ") {
			t.Errorf("line %q lost its quote bar", l)
		}
	}
}

func TestHighlightHook(t *testing.T) {
	r := New(Styles{}, func(line, lang string) string { return lang + ":" + line })
	if got := r.Render("```py\nprint(1)\n```", 40); got != "  py:print(1)" {
		t.Errorf("got %q", got)
	}
}

// FuzzRender: any input renders without panicking, every line within the
// width (the renderer's promise to the TUI's layout).
func FuzzRender(f *testing.F) {
	for _, s := range []string{"# h\n\n- a\n  1. b\n> q\n```go\nx\n```", "| a |\n|---|\n| b |", "*a **b** _c_* `d` [e](f) <g@h.i>", "\\", "~~~~", "- \n-", "1)", "> > > >"} {
		f.Add(s, 20)
	}
	r := New(Styles{Bold: "1", Code: "2", Quote: "3", Heading: "4"}, func(l, _ string) string { return l })
	f.Fuzz(func(t *testing.T, src string, width int) {
		width = 4 + (width%200+200)%200
		out := r.Render(src, width)
		for _, l := range strings.Split(out, "\n") {
			if w := ansi.StringWidth(l); w > width {
				t.Fatalf("line %q is %d wide, over %d", l, w, width)
			}
		}
	})
}

func TestControlCharactersDropped(t *testing.T) {
	if got := plain.Render("a\x1b[2Jb\x07c\x9bd\re", 40); got != "a[2Jbcde" {
		t.Errorf("got %q", got)
	}
}

func TestLiteralKeepsEmphasisMarkers(t *testing.T) {
	r := New(Styles{Literal: true}, nil)
	if got := r.Render("I will **fix** _it_ ~~now~~ `x`", 40); got != "I will **fix** _it_ ~~now~~ x" {
		t.Errorf("got %q", got)
	}
}
