package execpolicy

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/version"
	"github.com/peterbourgon/ff/v3"
)

// Exit codes.
const (
	ExitOK        = 0
	ExitFailure   = 1 // policy load error or other runtime failure
	ExitUsage     = 2 // usage or bad input
	ExitPrompt    = 10
	ExitForbidden = 11
)

// Env is what Main takes from the process, injected for tests.
type Env struct {
	Getenv func(string) string
	Getwd  func() (string, error)
}

// Main is the codex-execpolicy command.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return MainEnv(ctx, args, stdin, stdout, stderr, Env{Getenv: os.Getenv, Getwd: os.Getwd})
}

// usageError is a bad command line or bad input: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// MainEnv is Main with the environment injected.
func MainEnv(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env Env) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "%s: a command is needed: check, test, remember or default-policy (see %s --help)\n", ToolName, ToolName)
		return ExitUsage
	}
	if cli.IsVersion(args) {
		cli.PrintVersion(stdout, ToolName, version.Version)
		return ExitOK
	}
	var code int
	var err error
	switch args[0] {
	case "-h", "--help", "-help", "help":
		c := CLI()
		if len(args) > 1 && c.Sub(args[1]) != nil {
			c = c.Sub(args[1])
		}
		c.WriteHelp(stdout)
		return ExitOK
	case "check":
		code, err = runCheck(ctx, args[1:], stdin, stdout, stderr, env)
	case "test":
		code, err = runTest(args[1:], stdout, stderr, env)
	case "remember":
		code, err = runRemember(args[1:], stdout, stderr, env)
	case "default-policy":
		if err = parseFlags(CLI().Sub("default-policy"), flag.NewFlagSet("default-policy", flag.ContinueOnError), args[1:], stdout); err == nil {
			_, err = stdout.Write(defaultPolicy)
		}
	default:
		err = &usageError{fmt.Sprintf("unknown command %q (want check, test, remember or default-policy)", args[0])}
	}
	if err == nil {
		return code
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintf(stderr, "codex-execpolicy: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFailure
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

type checkFlags struct {
	policies, wroots, rroots multi
	rules                    multi
	cwd, format, script      string
	project                  string
	exitCode, jsonl, pretty  bool
	noDefault, noUserRules   bool
	resolveHost              bool
	workers                  int
}

// parseFlags parses args for the command c; -h writes c's help to
// stdout (and returns flag.ErrHelp, exit 0).
func parseFlags(c *cli.Command, fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := ff.Parse(fs, args, ff.WithEnvVarPrefix("CODEX_EXECPOLICY"))
	if errors.Is(err, flag.ErrHelp) {
		c.WriteHelp(stdout)
		return err
	}
	if err != nil {
		return &usageError{cli.FlagError(fs, err)}
	}
	return nil
}

func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env Env) (int, error) {
	var f checkFlags
	fs := checkFlagSet(&f)
	if err := parseFlags(CLI().Sub("check"), fs, args, stdout); err != nil {
		return 0, err
	}
	argv := fs.Args()
	if len(f.rules) > 0 {
		// The Codex CLI's spelling: `check --rules FILE CMD...` prints
		// what it prints.
		formatSet := false
		fs.Visit(func(fl *flag.Flag) { formatSet = formatSet || fl.Name == "format" })
		if !formatSet {
			f.format = "codex"
		}
		f.policies = append(f.policies, f.rules...)
	}
	switch f.format {
	case "json", "legacy", "codex":
	default:
		return 0, &usageError{fmt.Sprintf("--format %q: want json, legacy or codex", f.format)}
	}
	modes := 0
	for _, on := range []bool{len(argv) > 0, f.script != "", f.jsonl} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return 0, &usageError{"give exactly one of ARGV, --script or --jsonl"}
	}
	if f.format != "json" && len(argv) == 0 {
		return 0, &usageError{"--format " + f.format + " needs ARGV"}
	}
	if f.format == "codex" {
		// Same usage errors (exit 2) as `codex execpolicy check`.
		if len(f.policies) == 0 {
			return 0, &usageError{"--format codex needs at least one --rules/--policy FILE"}
		}
		for _, a := range argv {
			if !utf8.ValidString(a) {
				return 0, &usageError{"invalid UTF-8 was detected in one or more arguments"}
			}
		}
	}
	if f.cwd == "" && env.Getwd != nil {
		if wd, err := env.Getwd(); err == nil {
			f.cwd = wd
		}
	}
	opts := Options{Files: f.policies, NoDefault: f.noDefault || f.format == "codex", Home: env.Getenv("HOME"), ProjectDir: f.project}
	if !f.noUserRules && f.format != "codex" {
		if home, err := codexhome.Dir(env.Getenv); err == nil {
			opts.CodexHome = home
		}
	}
	pol, err := Load(opts)
	if err != nil {
		return 0, err
	}
	enc := func(w io.Writer, v any) error {
		e := json.NewEncoder(w)
		e.SetEscapeHTML(false)
		if f.pretty {
			e.SetIndent("", "  ")
		}
		return e.Encode(v)
	}
	switch {
	case f.format == "codex":
		return 0, enc(stdout, pol.CodexCheck(argv, f.resolveHost))
	case f.format == "legacy":
		res, code := pol.Legacy(argv)
		if err := enc(stdout, res); err != nil {
			return 0, err
		}
		return exitFor(f.exitCode, code), nil
	case f.jsonl:
		worst, err := pol.Stream(ctx, stdin, stdout, StreamOptions{Cwd: f.cwd, WritableRoots: f.wroots, ReadableRoots: f.rroots, Workers: f.workers})
		if err != nil {
			return 0, err
		}
		return exitFor(f.exitCode, worst), nil
	}
	req := protocol.PolicyRequest{Argv: argv, Script: f.script, Cwd: f.cwd, WritableRoots: f.wroots, ReadableRoots: f.rroots}
	v := pol.Check(req)
	v.ProtocolVersion = protocol.PolicyProtocolVersion
	if err := enc(stdout, v); err != nil {
		return 0, err
	}
	if v.Error != "" {
		return ExitUsage, nil
	}
	return exitFor(f.exitCode, v.Decision), nil
}

func exitFor(enabled bool, d protocol.Decision) int {
	if !enabled {
		return ExitOK
	}
	switch d {
	case protocol.DecisionAllow:
		return ExitOK
	case protocol.DecisionForbidden:
		return ExitForbidden
	}
	return ExitPrompt
}

func runTest(args []string, stdout, stderr io.Writer, env Env) (int, error) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	if err := parseFlags(CLI().Sub("test"), fs, args, stdout); err != nil {
		return 0, err
	}
	if fs.NArg() == 0 {
		return 0, &usageError{"test needs at least one policy FILE"}
	}
	for _, file := range fs.Args() {
		p, err := Load(Options{Files: []string{file}, Home: env.Getenv("HOME")})
		if err != nil {
			return 0, err
		}
		progs, rules := p.counts()
		fmt.Fprintf(stdout, "ok %s: %d program specs, %d prefix rules, %d network rules (not enforced here), examples pass\n", file, progs, rules, len(p.network))
		for _, n := range p.network {
			fmt.Fprintf(stdout, "  network_rule %s %s %s (%s)\n", n.Protocol, n.Host, n.Decision, n.Source)
		}
	}
	return ExitOK, nil
}

func (p *Policy) counts() (int, int) {
	n := 0
	for _, ss := range p.specs {
		for _, s := range ss {
			if s.user {
				n++
			}
		}
	}
	return n, p.nPrefix
}

func runRemember(args []string, stdout, stderr io.Writer, env Env) (int, error) {
	var decision, justification string
	fs := rememberFlagSet(&decision, &justification)
	if err := parseFlags(CLI().Sub("remember"), fs, args, stdout); err != nil {
		return 0, err
	}
	if fs.NArg() == 0 {
		return 0, &usageError{"remember needs a PREFIX"}
	}
	d, err := parseDecision(decision)
	if err != nil {
		return 0, &usageError{err.Error()}
	}
	home, err := codexhome.Dir(env.Getenv)
	if err != nil {
		return 0, err
	}
	path, added, err := AppendPrefixRule(home, fs.Args(), d, justification)
	if err != nil {
		return 0, err
	}
	state := "added to"
	if !added {
		state = "already in"
	}
	fmt.Fprintf(stdout, "%s %s\n", state, path)
	return ExitOK, nil
}
