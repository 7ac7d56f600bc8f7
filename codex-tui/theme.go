package tui

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	mdrender "github.com/codexgo/codex-tui/internal/markdown"
	"github.com/muesli/termenv"

	// bubbletea's initialiser must not query the terminal (see teainit).
	_ "codexgo.local/teainit"
)

// theme holds the semantic styles of one palette. Renderers take it as an
// argument, so goldens can render both palettes with a fixed colour
// profile and nothing reads the terminal behind their back.
type theme struct {
	dark    bool
	profile termenv.Profile
	r       *lipgloss.Renderer

	text, dim, bold, accent, ok, bad, warn, magenta, italic lipgloss.Style
	selected, userPrefix, border                            lipgloss.Style
	added, removed, hunk                                    lipgloss.Style
}

// newTheme builds the palette for a terminal with the given colour profile
// and background. termenv.Ascii (what NO_COLOR selects) yields plain text.
func newTheme(profile termenv.Profile, dark bool) *theme {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(profile)
	r.SetHasDarkBackground(dark)
	pick := func(d, l string) lipgloss.TerminalColor {
		if dark {
			return lipgloss.Color(d)
		}
		return lipgloss.Color(l)
	}
	s := r.NewStyle
	t := &theme{dark: dark, profile: profile, r: r}
	t.text = s()
	t.dim = s().Faint(true)
	t.bold = s().Bold(true)
	t.italic = s().Italic(true).Faint(true)
	t.accent = s().Foreground(pick("6", "4"))   // cyan on dark, blue on light
	t.ok = s().Foreground(pick("2", "22"))      // green
	t.bad = s().Foreground(pick("1", "124"))    // red
	t.warn = s().Foreground(pick("3", "130"))   // yellow / brown
	t.magenta = s().Foreground(pick("5", "90")) // magenta
	t.selected = s().Foreground(pick("6", "4")).Bold(true)
	t.userPrefix = s().Foreground(pick("6", "4")).Bold(true)
	t.border = s().Foreground(pick("8", "250"))
	t.added = s().Foreground(pick("2", "22"))
	t.removed = s().Foreground(pick("1", "124"))
	t.hunk = s().Foreground(pick("6", "4"))
	return t
}

// markdownStyle is the Markdown palette for this theme (the colours
// glamour's dark and light styles used); under NO_COLOR plain text that
// keeps its emphasis markers.
func (t *theme) markdownStyle() mdrender.Styles {
	if t.profile == termenv.Ascii {
		return mdrender.Styles{Literal: true}
	}
	p := t.profile
	pick := func(d, l string) string {
		if t.dark {
			return d
		}
		return l
	}
	code := sgr(p, "203")
	if b := bg(p, pick("236", "254")); b != "" {
		code += ";" + b
	}
	return mdrender.Styles{
		Heading:     sgr(p, pick("39", "27"), "1"),
		Bold:        "1",
		Italic:      "3",
		Strike:      "9",
		Code:        code,
		Link:        sgr(p, pick("30", "36"), "4"),
		LinkText:    sgr(p, pick("35", "29"), "1"),
		Quote:       sgr(p, pick("8", "250")),
		Marker:      "",
		Rule:        sgr(p, pick("240", "250")),
		TableBorder: sgr(p, pick("240", "250")),
		TableHeader: "1",
		CodeBlock:   sgr(p, "244"),
	}
}
