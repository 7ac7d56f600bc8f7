package codex

import (
	"flag"
	"io"
	"slices"
	"strings"

	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/version"
)

// DocFunc describes a tool for help, man pages and completion.
type DocFunc func() *cli.Command

// subDoc describes `codex NAME` from the tool's own description (the
// subcommand Prefix selects within it), or nil when the bundle has none.
func (b *Bundle) subDoc(name string) *cli.Command {
	sub, ok := b.Subcommands[name]
	if !ok {
		return nil
	}
	if sub.Doc != nil {
		return sub.Doc().Rename("codex " + name)
	}
	doc, ok := b.Docs[sub.Tool]
	if !ok {
		return nil
	}
	c := doc()
	for _, p := range sub.Prefix {
		if c = c.Sub(p); c == nil {
			return nil
		}
	}
	d := c.Rename("codex " + name)
	if d.Summary == "" || sub.Summary != "" {
		d.Summary = sub.Summary
	}
	return d
}

// Tree describes the codex binary: the front end's flags and every
// command, each from its tool's own description.
func (b *Bundle) Tree() *cli.Command {
	root := &cli.Command{
		Name:     "codex",
		Summary:  "a coding agent made of small tools",
		Synopsis: []string{"[flags] [PROMPT]", "COMMAND [ARGS...]"},
		Description: `Without a command, codex starts the terminal UI (codex tui); flags and a
prompt go to it. Each command runs one of the tools linked into this
binary; run as a link named after a tool (codex install-links DIR), the
binary is that tool: ` + strings.Join(b.toolNames(), ", ") + `.`,
		Examples: []cli.Example{
			{Command: "codex", Explain: "the terminal UI"},
			{Command: `codex exec "fix the failing test"`, Explain: "one task, non-interactively"},
			{Command: "codex sandbox --full-auto -- make test", Explain: "run a command under the sandbox config.toml chooses"},
			{Command: "codex install-links ~/.local/bin", Explain: "codex-sandbox, codex-execpolicy, … as links to this binary"},
		},
		ExitCodes: []cli.ExitCode{
			{Code: "N", Meaning: "the command's own exit status (see codex COMMAND --help)"},
			{Code: "2", Meaning: "usage error (unknown command)"},
		},
	}
	if d := b.subDoc(b.Default); d != nil {
		root.Flags = d.Flags
	}
	names := make([]string, 0, len(b.Subcommands))
	for n := range b.Subcommands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		d := b.subDoc(n)
		if d == nil {
			d = &cli.Command{Name: "codex " + n, Summary: b.Subcommands[n].Summary}
		}
		d.Hidden = b.Subcommands[n].Hidden
		root.Subcommands = append(root.Subcommands, d)
	}
	for _, c := range builtins {
		root.Subcommands = append(root.Subcommands, builtinDoc(c.name, c.summary))
	}
	return root
}

// builtinDoc describes the dispatcher's own commands.
func builtinDoc(name, summary string) *cli.Command {
	for _, b := range builtins {
		if b.name == name && summary == "" {
			summary = b.summary
		}
	}
	c := &cli.Command{Name: "codex " + name, Summary: summary, Flags: func() *flag.FlagSet { return flag.NewFlagSet(name, flag.ContinueOnError) }}
	switch name {
	case "install-links":
		c.Synopsis = []string{"DIR"}
		c.Description = "Writes DIR/NAME -> this binary for every tool linked in, so that each\ntool can be run by its own name (codex-sandbox, codex-execpolicy, …).\nLinks already there are replaced; any other file in the way is an error."
		c.Examples = []cli.Example{{Command: "codex install-links ~/.local/bin"}}
		c.ExitCodes = []cli.ExitCode{{Code: "0", Meaning: "linked"}, {Code: "1", Meaning: "a file that is not a link is in the way"}, {Code: "2", Meaning: "usage error"}}
	case "completion":
		c.Synopsis = []string{"[bash|zsh|fish] [TOOL]"}
		c.Description = "Prints a completion script for codex (or for TOOL, e.g. codex-sandbox):\ncommands, each command's flags, commands after --, files elsewhere."
		c.Examples = []cli.Example{
			{Command: "source <(codex completion bash)", Explain: "in ~/.bashrc"},
			{Command: "codex completion fish | source", Explain: "in ~/.config/fish/config.fish"},
			{Command: "codex completion zsh codex-sandbox > ~/.zfunc/_codex-sandbox"},
		}
		c.ExitCodes = []cli.ExitCode{{Code: "0", Meaning: "printed"}, {Code: "2", Meaning: "unknown shell or tool"}}
	case "man":
		c.Synopsis = []string{"DIR"}
		c.Description = "Writes a man page (section 1) for codex, every tool and every command into DIR."
		c.Examples = []cli.Example{{Command: "codex man /usr/local/share/man/man1"}}
		c.ExitCodes = []cli.ExitCode{{Code: "0", Meaning: "written"}, {Code: "1", Meaning: "DIR could not be written"}, {Code: "2", Meaning: "usage error"}}
	case "help":
		c.Synopsis = []string{"[COMMAND]"}
		c.Description = "Shows the help of codex, or of COMMAND (the same as codex COMMAND --help)."
		c.Examples = []cli.Example{{Command: "codex help sandbox"}}
		c.ExitCodes = []cli.ExitCode{{Code: "0", Meaning: "shown"}, {Code: "2", Meaning: "unknown command"}}
	}
	return c
}

// helpFor returns the description of what args ask help for: the
// deepest command named before a -h/--help (and before any "--"), or nil
// when args ask for none.
func helpFor(c *cli.Command, args []string) *cli.Command {
	for _, a := range args {
		switch {
		case a == "--":
			return nil
		case a == "-h" || a == "--help" || a == "-help":
			return c
		case strings.HasPrefix(a, "-"):
		default:
			if s := c.Sub(a); s != nil {
				c = s
			}
		}
	}
	return nil
}

// writeHelp writes the dispatcher's help.
func (b *Bundle) writeHelp(w io.Writer) {
	t := b.Tree()
	t.Description = "codex " + version.Version + ". " + t.Description
	t.WriteHelp(w)
}
