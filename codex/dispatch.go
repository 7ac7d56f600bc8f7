// Package codex is the fused codex binary: one file that acts as every
// tool. It dispatches first on the base name of argv[0] (so a symlink or a
// re-exec named codex-sandbox runs the sandbox), then on a subcommand
// (`codex sandbox ...`), and a bare `codex [PROMPT]` starts the TUI. Tool
// flags pass through untouched: the subcommand switch runs before any flag
// parsing.
package codex

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"codexgo.local/codexversion"
	"github.com/codexgo/common/selfexec"
)

// MainFunc is the entry point every tool package exports.
type MainFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// Subcommand maps `codex NAME ...` to a tool, with arguments put before the
// user's (e.g. `codex logout` is `codex-login logout`).
type Subcommand struct {
	Tool    string
	Prefix  []string
	Summary string
	// Args, if set, rewrites the user's arguments first (the Codex CLI's
	// forms of a command into the tool's); an error is a usage error.
	Args func(args []string, getenv func(string) string) ([]string, error)
	// Builtin, if set, runs the command itself (no tool behind it).
	Builtin MainFunc
	// Doc, if set, describes the command (when Args accepts more than
	// the tool); otherwise the tool's own description is used.
	Doc DocFunc
	// Hidden keeps an alias out of help and completion.
	Hidden bool
}

// Bundle is the set of tools linked into the binary.
type Bundle struct {
	// Tools maps tool names (codex-sandbox, ...) to their Main.
	Tools map[string]MainFunc
	// Subcommands maps `codex` subcommands to tools.
	Subcommands map[string]Subcommand
	// Docs describe the tools (help, man pages, completion).
	Docs map[string]DocFunc
	// Default is the subcommand run by a bare `codex [PROMPT]`.
	Default string
	// Getenv reads the environment for Subcommand.Args; nil means none.
	Getenv func(string) string
}

// Exit codes of the dispatcher itself.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// Run dispatches argv (argv[0] included) to a tool and returns the exit
// code.
func (b *Bundle) Run(ctx context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) == 0 {
		argv = []string{"codex"}
	}
	if main, ok := b.Tools[selfexec.Name(argv[0])]; ok {
		return main(ctx, argv[1:], stdin, stdout, stderr)
	}
	args := argv[1:]
	// The Codex CLI's global -c/--config (`codex --config K=V app-server`,
	// as its Python SDK launches it) goes to the command that follows.
	globals, args, err := globalConfig(args)
	if err != nil {
		fmt.Fprintf(stderr, "codex: %v\n", err)
		return exitUsage
	}
	if len(args) == 0 {
		return b.runSub(ctx, b.Default, globals, stdin, stdout, stderr)
	}
	if len(globals) > 0 {
		if _, ok := b.Subcommands[args[0]]; ok {
			return b.runSub(ctx, args[0], append(globals, args[1:]...), stdin, stdout, stderr)
		}
	}
	if codexversion.IsVersion(args[0]) {
		codexversion.Write(stdout)
		return exitOK
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 && args[1] == "--help" || len(args) > 1 && args[1] == "-h" {
			builtinDoc("help", "").WriteHelp(stdout)
			return exitOK
		}
		if len(args) > 1 {
			if c := helpFor(b.Tree(), append(args[1:], "--help")); c != nil && c.Name != "codex" && (b.subDoc(args[1]) != nil || !b.hasSub(args[1])) {
				c.WriteHelp(stdout)
				return exitOK
			}
			if _, ok := b.Subcommands[args[1]]; ok {
				return b.runSub(ctx, args[1], []string{"--help"}, stdin, stdout, stderr)
			}
			fmt.Fprintf(stderr, "codex: unknown command %q (see codex --help)\n", args[1])
			return exitUsage
		}
		b.writeHelp(stdout)
		return exitOK
	case "install-links":
		return b.installLinks(args[1:], stdout, stderr)
	case "completion":
		return b.completion(args[1:], stdout, stderr)
	case "man":
		return b.man(args[1:], stdout, stderr)
	}
	if _, ok := b.Subcommands[args[0]]; ok {
		return b.runSub(ctx, args[0], args[1:], stdin, stdout, stderr)
	}
	if what, ok := unimplemented[args[0]]; ok {
		return notImplemented(args[0], what)(ctx, args[1:], stdin, stdout, stderr)
	}
	// A word that looks like a command but is none is an error, not a
	// prompt for the TUI (a one-word prompt goes after --).
	if commandLike(args[0]) {
		fmt.Fprintf(stderr, "codex: unknown command %q (see codex help; to start the TUI with it as the prompt: codex -- %s)\n", args[0], args[0])
		return exitUsage
	}
	// Anything else belongs to the default front end: its flags
	// (`codex -m o3`) or a prompt (`codex "fix the tests"`), as in the
	// Codex CLI.
	if args[0] == "--" {
		args = args[1:]
	}
	return b.runSub(ctx, b.Default, append(globals, args...), stdin, stdout, stderr)
}

// commandLike reports a lone word of lower-case letters, digits and
// dashes: a subcommand's shape, not a prompt's.
func commandLike(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for _, r := range s {
		lower, digit := r >= 'a' && r <= 'z', r >= '0' && r <= '9'
		if !lower && !digit && r != '-' {
			return false
		}
	}
	return true
}

// globalConfig takes the leading -c/--config K=V options off args and
// returns them as -c K=V pairs for the command.
func globalConfig(args []string) (globals, rest []string, err error) {
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "-c" || a == "--config":
			if len(args) < 2 {
				return nil, nil, fmt.Errorf("%s needs a key=value", a)
			}
			globals = append(globals, "-c", args[1])
			args = args[2:]
		case strings.HasPrefix(a, "--config="):
			globals = append(globals, "-c", strings.TrimPrefix(a, "--config="))
			args = args[1:]
		default:
			return globals, args, nil
		}
	}
	return globals, args, nil
}

func (b *Bundle) hasSub(name string) bool {
	_, ok := b.Subcommands[name]
	return ok
}

func (b *Bundle) runSub(ctx context.Context, name string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	sub, ok := b.Subcommands[name]
	if !ok {
		fmt.Fprintf(stderr, "codex: unknown command %q\n", name)
		return exitUsage
	}
	main, ok := b.Tools[sub.Tool]
	if sub.Builtin != nil {
		main, ok = sub.Builtin, true
	}
	if !ok {
		fmt.Fprintf(stderr, "codex: %s is not linked into this binary\n", sub.Tool)
		return exitError
	}
	// Help is answered here, from the command's description under its
	// codex name, before Args could read config.toml.
	if d := b.subDoc(name); d != nil {
		if c := helpFor(d, args); c != nil {
			c.WriteHelp(stdout)
			return exitOK
		}
	}
	if sub.Args != nil {
		getenv := b.Getenv
		if getenv == nil {
			getenv = func(string) string { return "" }
		}
		var err error
		if args, err = sub.Args(args, getenv); err != nil {
			fmt.Fprintf(stderr, "codex %s: %v\n", name, err)
			return exitUsage
		}
	}
	full := append(append([]string{}, sub.Prefix...), args...)
	return main(ctx, full, stdin, stdout, stderr)
}

// builtins are the commands the dispatcher itself answers, after the
// subcommands in the help and in completion scripts.
var builtins = []struct{ name, summary string }{
	{"install-links", "write one symlink per tool name into DIR"},
	{"completion", "print a shell completion script (bash, zsh, fish)"},
	{"man", "write the man pages of codex and every tool into DIR"},
	{"help", "show this help, or a command's (codex help COMMAND)"},
}

func (b *Bundle) toolNames() []string {
	names := make([]string, 0, len(b.Tools))
	for n := range b.Tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// installLinks writes DIR/<tool> -> this binary for every tool, replacing
// links (but never other files) already there.
func (b *Bundle) installLinks(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		builtinDoc("install-links", "").WriteHelp(stdout)
		return exitOK
	}
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "codex install-links: want one DIR to write the links into (see codex install-links --help)")
		return exitUsage
	}
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		fmt.Fprintf(stderr, "codex: install-links: find own executable: %v\n", err)
		return exitError
	}
	if err := installLinks(args[0], self, b.toolNames()); err != nil {
		fmt.Fprintf(stderr, "codex: install-links: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "linked %d tools in %s to %s\n", len(b.Tools), args[0], self)
	return exitOK
}

func installLinks(dir, target string, names []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		p := filepath.Join(dir, n)
		if fi, err := os.Lstat(p); err == nil {
			if fi.Mode()&os.ModeSymlink == 0 {
				return fmt.Errorf("%s exists and is not a symlink", p)
			}
			if err := os.Remove(p); err != nil {
				return err
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := os.Symlink(target, p); err != nil {
			return err
		}
	}
	return nil
}
