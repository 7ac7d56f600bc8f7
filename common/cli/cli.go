// Package cli describes a tool's commands once (synopsis, description, the
// FlagSet it parses with, examples, exit codes) and renders that one
// description as --help text, a man page and bash, zsh and fish
// completions, so that none of them can drift from the flags.
//
// Flags are shown as users type them: --name for long names, -n for one
// letter, and a long and a short flag with the same usage text as one
// entry ("-m, --model NAME").
package cli

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Example is one command line with what it does.
type Example struct {
	Command string // as typed, without a prompt sign
	Explain string // one line
}

// ExitCode is one documented exit status.
type ExitCode struct {
	Code    string // "0", "1", "128+N"
	Meaning string
}

// Command is one command of a tool: the tool itself or a subcommand.
type Command struct {
	// Name is the command as typed: "codex-sandbox", "codex-execpolicy check".
	Name string
	// Synopsis lines follow the name: "[flags] -- COMMAND [ARG...]".
	Synopsis []string
	// Summary is one line, shown in the parent's command list.
	Summary string
	// Description is paragraphs separated by blank lines.
	Description string
	// Flags builds the FlagSet the command parses with; nil for none.
	Flags func() *flag.FlagSet
	// Examples and ExitCodes are shown after the flags.
	Examples  []Example
	ExitCodes []ExitCode
	// Subcommands in the order shown.
	Subcommands []*Command
	// Hidden keeps a subcommand out of help and completion.
	Hidden bool
}

// Sub returns the subcommand named name (the last word of its Name).
func (c *Command) Sub(name string) *Command {
	for _, s := range c.Subcommands {
		if s.Word() == name {
			return s
		}
	}
	return nil
}

// Word is the last word of the command's name ("check").
func (c *Command) Word() string {
	return c.Name[strings.LastIndexByte(c.Name, ' ')+1:]
}

// Rename returns a copy of the tree with name in place of the tool's own
// ("codex sandbox" for "codex-sandbox").
func (c *Command) Rename(name string) *Command {
	cp := *c
	old := c.Name
	cp.Name = name
	cp.Subcommands = nil
	for _, s := range c.Subcommands {
		cp.Subcommands = append(cp.Subcommands, s.Rename(name+strings.TrimPrefix(s.Name, old)))
	}
	return &cp
}

// FlagEntry is one flag as shown: its spellings and its value.
type FlagEntry struct {
	Names   []string // "-m", "--model"
	Arg     string   // "NAME", "" for a switch
	Usage   string
	Default string // "" when the zero value
}

// Spelling is how a user types a flag name: -x for one letter, --name
// otherwise.
func Spelling(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// Entries lists the command's flags in definition-name order, a short and
// a long flag with the same usage text merged into one entry.
func (c *Command) Entries() []FlagEntry {
	if c.Flags == nil {
		return nil
	}
	fs := c.Flags()
	var out []FlagEntry
	byUsage := map[string]int{}
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "h" || f.Name == "help" {
			return // shown by WriteHelp itself
		}
		arg, usage := flag.UnquoteUsage(f)
		if isBool(f) {
			arg = ""
		} else {
			arg = strings.ToUpper(arg)
			if arg == "" {
				arg = "VALUE"
			}
		}
		// A one-letter flag and a long one with the same usage text are
		// one flag spelled two ways (-m, --model).
		if i, ok := byUsage[f.Usage]; ok && f.Usage != "" && len(out[i].Names) == 1 && (len(f.Name) == 1) != (len(out[i].Names[0]) == 2) {
			out[i].Names = append(out[i].Names, Spelling(f.Name))
			slices.SortFunc(out[i].Names, func(a, b string) int { return len(a) - len(b) })
			return
		}
		def := f.DefValue
		switch def {
		case "", "false", "0", "0s", "[]", "-1":
			def = ""
		}
		byUsage[f.Usage] = len(out)
		out = append(out, FlagEntry{Names: []string{Spelling(f.Name)}, Arg: arg, Usage: usage, Default: def})
	})
	slices.SortStableFunc(out, func(a, b FlagEntry) int { return strings.Compare(a.sortKey(), b.sortKey()) })
	return out
}

// sortKey orders entries by their long name, whatever their short one.
func (e FlagEntry) sortKey() string {
	return strings.ToLower(strings.TrimLeft(e.Names[len(e.Names)-1], "-"))
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// WriteHelp writes the command's help: synopsis, description, flags,
// subcommands, examples, exit status.
func (c *Command) WriteHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n")
	syn := c.Synopsis
	if len(syn) == 0 {
		syn = []string{""}
	}
	for _, s := range syn {
		fmt.Fprintf(w, "  %s\n", strings.TrimRight(c.Name+" "+s, " "))
	}
	if c.Description != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Description))
	} else if c.Summary != "" {
		fmt.Fprintf(w, "\n%s.\n", upperFirst(c.Summary))
	}
	if subs := c.visible(); len(subs) > 0 {
		fmt.Fprintf(w, "\nCommands:\n")
		width := 0
		for _, s := range subs {
			width = max(width, len(s.Word()))
		}
		for _, s := range subs {
			fmt.Fprintf(w, "  %-*s  %s\n", width, s.Word(), s.Summary)
		}
	}
	if entries := c.Entries(); len(entries) > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		lefts := make([]string, len(entries))
		width := 0
		for i, e := range entries {
			lefts[i] = e.left()
			width = max(width, len(lefts[i]))
		}
		width = min(width, 30)
		for i, e := range entries {
			u := e.Usage
			if e.Default != "" {
				u += " (default " + e.Default + ")"
			}
			if len(lefts[i]) > width {
				fmt.Fprintf(w, "  %s\n  %-*s  %s\n", lefts[i], width, "", u)
				continue
			}
			fmt.Fprintf(w, "  %-*s  %s\n", width, lefts[i], u)
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, "-h, --help", "show this help and exit")
	}
	if len(c.Examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range c.Examples {
			fmt.Fprintf(w, "  %s\n", e.Command)
			if e.Explain != "" {
				fmt.Fprintf(w, "      %s\n", e.Explain)
			}
		}
	}
	if len(c.ExitCodes) > 0 {
		fmt.Fprintf(w, "\nExit status:\n")
		width := 0
		for _, e := range c.ExitCodes {
			width = max(width, len(e.Code))
		}
		for _, e := range c.ExitCodes {
			fmt.Fprintf(w, "  %-*s  %s\n", width, e.Code, e.Meaning)
		}
	}
	if len(c.visible()) > 0 && c.Flags == nil {
		fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's flags.\n", c.Name)
	}
}

func (e FlagEntry) left() string {
	s := strings.Join(e.Names, ", ")
	if strings.HasPrefix(s, "--") {
		s = "    " + s // long names line up under -x, --long
	}
	if e.Arg != "" {
		s += " " + e.Arg
	}
	return s
}

func (c *Command) visible() []*Command {
	var out []*Command
	for _, s := range c.Subcommands {
		if !s.Hidden {
			out = append(out, s)
		}
	}
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Walk calls fn for c and every visible command under it, parents first.
func (c *Command) Walk(fn func(*Command)) {
	fn(c)
	for _, s := range c.visible() {
		s.Walk(fn)
	}
}
