// Package style colours human-readable output with termenv. Colour is used
// only when the output is a terminal and NO_COLOR is unset, so pipelines
// and log files get plain text.
package style

import (
	"io"
	"os"

	"github.com/muesli/termenv"
)

// Styler wraps strings in escape sequences suited to one output.
type Styler struct {
	out *termenv.Output
}

// env adapts an injected getenv to termenv's Environ.
type env func(string) string

func (e env) Getenv(k string) string { return e(k) }
func (e env) Environ() []string      { return nil }

// New returns a Styler for w. getenv is consulted for NO_COLOR, TERM,
// COLORTERM and CLICOLOR_FORCE; pass os.Getenv in production.
func New(w io.Writer, getenv func(string) string) *Styler {
	profile := termenv.Ascii
	f, isFile := w.(*os.File)
	forced := getenv("CLICOLOR_FORCE") != "" && getenv("CLICOLOR_FORCE") != "0"
	if getenv("NO_COLOR") == "" && (forced || isFile && isTerminal(f)) {
		profile = termenv.NewOutput(w, termenv.WithEnvironment(env(getenv)), termenv.WithTTY(true)).EnvColorProfile()
		if profile == termenv.Ascii && forced {
			profile = termenv.ANSI
		}
	}
	return &Styler{out: termenv.NewOutput(w, termenv.WithProfile(profile), termenv.WithEnvironment(env(getenv)))}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Enabled reports whether the Styler emits escape sequences.
func (s *Styler) Enabled() bool { return s.out.Profile != termenv.Ascii }

func (s *Styler) color(str, c string) string {
	if !s.Enabled() {
		return str
	}
	return s.out.String(str).Foreground(s.out.Color(c)).String()
}

// Bold renders str in bold.
func (s *Styler) Bold(str string) string {
	if !s.Enabled() {
		return str
	}
	return s.out.String(str).Bold().String()
}

// Dim renders str faint.
func (s *Styler) Dim(str string) string {
	if !s.Enabled() {
		return str
	}
	return s.out.String(str).Faint().String()
}

// Red renders str in red (errors, failures).
func (s *Styler) Red(str string) string { return s.color(str, "1") }

// Green renders str in green (success, additions).
func (s *Styler) Green(str string) string { return s.color(str, "2") }

// Yellow renders str in yellow (warnings, approvals).
func (s *Styler) Yellow(str string) string { return s.color(str, "3") }

// Cyan renders str in cyan (commands, headers).
func (s *Styler) Cyan(str string) string { return s.color(str, "6") }

// Magenta renders str in magenta (the assistant).
func (s *Styler) Magenta(str string) string { return s.color(str, "5") }
