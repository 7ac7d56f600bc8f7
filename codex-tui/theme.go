package tui

import (
	"io"

	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
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

// markdownStyle is glamour's palette for this theme, without the document
// margins and blank lines glamour adds around a whole page: our blocks are
// printed one by one into the scrollback.
func (t *theme) markdownStyle() ansi.StyleConfig {
	var c ansi.StyleConfig
	switch {
	case t.profile == termenv.Ascii:
		c = styles.NoTTYStyleConfig
	case t.dark:
		c = styles.DarkStyleConfig
	default:
		c = styles.LightStyleConfig
	}
	zero := uint(0)
	c.Document.Margin = &zero
	c.Document.BlockPrefix = ""
	c.Document.BlockSuffix = ""
	c.Document.Color = nil
	c.Paragraph.Color = nil
	// glamour registers its chroma theme in chroma's global registry under
	// one fixed name, first palette wins; fenced code is highlighted by
	// our own highlighter (code.go) instead, so glamour's stays off.
	c.CodeBlock.Chroma = nil
	return c
}
