package cli

import (
	"fmt"
	"io"
	"strings"
)

// ManName is the file name of c's man page: words joined by dashes,
// section 1 ("codex-execpolicy-check.1").
func (c *Command) ManName() string {
	return strings.ReplaceAll(c.Name, " ", "-") + ".1"
}

// WriteMan writes c's man page (roff, section 1); version goes into the
// footer. Subcommands get pages of their own, listed under SEE ALSO.
func (c *Command) WriteMan(w io.Writer, version string) {
	page := strings.ReplaceAll(c.Name, " ", "-")
	fmt.Fprintf(w, ".TH %s 1 \"\" \"codex-go %s\" \"codex-go manual\"\n", strings.ToUpper(roff(page)), roff(version))
	fmt.Fprintf(w, ".SH NAME\n%s \\- %s\n", roff(page), roff(c.Summary))
	fmt.Fprintf(w, ".SH SYNOPSIS\n")
	syn := c.Synopsis
	if len(syn) == 0 {
		syn = []string{""}
	}
	for i, s := range syn {
		if i > 0 {
			fmt.Fprintf(w, ".br\n")
		}
		fmt.Fprintf(w, ".B %s\n", roff(c.Name))
		if s != "" {
			fmt.Fprintf(w, "%s\n", roff(s))
		}
	}
	if d := strings.TrimSpace(c.Description); d != "" {
		fmt.Fprintf(w, ".SH DESCRIPTION\n")
		for i, p := range strings.Split(d, "\n\n") {
			if i > 0 {
				fmt.Fprintf(w, ".PP\n")
			}
			fmt.Fprintf(w, "%s\n", roff(p))
		}
	}
	if subs := c.visible(); len(subs) > 0 {
		fmt.Fprintf(w, ".SH COMMANDS\n")
		for _, s := range subs {
			fmt.Fprintf(w, ".TP\n.B %s\n%s (see \\fB%s\\fR(1))\n", roff(s.Word()), roff(s.Summary), roff(strings.TrimSuffix(s.ManName(), ".1")))
		}
	}
	if entries := c.Entries(); len(entries) > 0 {
		fmt.Fprintf(w, ".SH OPTIONS\n")
		for _, e := range entries {
			names := make([]string, len(e.Names))
			for i, n := range e.Names {
				names[i] = "\\fB" + roff(n) + "\\fR"
			}
			left := strings.Join(names, ", ")
			if e.Arg != "" {
				left += " \\fI" + roff(e.Arg) + "\\fR"
			}
			u := e.Usage
			if e.Default != "" {
				u += " (default " + e.Default + ")"
			}
			fmt.Fprintf(w, ".TP\n%s\n%s\n", left, roff(u))
		}
		fmt.Fprintf(w, ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow the help and exit 0\n")
	}
	if len(c.Examples) > 0 {
		fmt.Fprintf(w, ".SH EXAMPLES\n")
		for _, e := range c.Examples {
			fmt.Fprintf(w, ".TP\n.B %s\n%s\n", roff(e.Command), roff(e.Explain))
		}
	}
	if len(c.ExitCodes) > 0 {
		fmt.Fprintf(w, ".SH EXIT STATUS\n")
		for _, e := range c.ExitCodes {
			fmt.Fprintf(w, ".TP\n.B %s\n%s\n", roff(e.Code), roff(e.Meaning))
		}
	}
	if subs := c.visible(); len(subs) > 0 {
		fmt.Fprintf(w, ".SH SEE ALSO\n")
		refs := make([]string, len(subs))
		for i, s := range subs {
			refs[i] = "\\fB" + roff(strings.TrimSuffix(s.ManName(), ".1")) + "\\fR(1)"
		}
		fmt.Fprintf(w, "%s\n", strings.Join(refs, ", "))
	}
}

// roff escapes text for a roff line: backslashes, dashes (so they stay
// ASCII hyphen-minus for copy and paste) and a leading dot or quote.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.ContainsFunc(s, func(r rune) bool { return r > 127 }) {
		// Non-ASCII as groff's Unicode escapes (\[u2026]): troff reads
		// Latin-1, and man pages go through it.
		var b strings.Builder
		for _, r := range s {
			if r > 127 {
				fmt.Fprintf(&b, `\[u%04X]`, r)
			} else {
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
