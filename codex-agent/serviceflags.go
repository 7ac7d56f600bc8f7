package agent

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
	"github.com/peterbourgon/ff/v3"
)

// serviceFlags are the values the service flags set.
type serviceFlags struct {
	o         ServiceOptions
	overrides config.OverrideFlag
	help      bool
}

// serviceFlagSet defines the flags the long-lived front ends (`codex
// proto`, `codex mcp-server`) share: -c/--config, -p/--profile,
// --execpolicy-cmd, --sandbox-cmd, --ephemeral and -h/--help, plus any that
// extra adds. Parsing, --help, the man page and completion all use it.
func serviceFlagSet(name string, sf *serviceFlags, extra func(*flag.FlagSet, *ServiceOptions)) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&sf.overrides, "c", "override a config value: `key=value` (TOML value, repeatable)")
	fs.Var(&sf.overrides, "config", "override a config value: `key=value` (TOML value, repeatable)")
	fs.StringVar(&sf.o.Profile, "p", "", "config `PROFILE`")
	fs.StringVar(&sf.o.Profile, "profile", "", "config `PROFILE`")
	fs.StringVar(&sf.o.ExecpolicyCmd, "execpolicy-cmd", "", "external policy `PROGRAM` (PolicyRequest/PolicyVerdict JSON)")
	fs.StringVar(&sf.o.SandboxCmd, "sandbox-cmd", "", "external sandbox `PROGRAM` (ExecRequest/ExecResult JSON)")
	fs.BoolVar(&sf.o.Ephemeral, "ephemeral", false, "do not record session files")
	fs.StringVar(&sf.o.LogLevel, "log-level", "", "log at `LEVEL` (debug, info, warn, error) to $CODEX_HOME/log/ (default: $CODEX_LOG, else off)")
	fs.BoolVar(&sf.help, "h", false, "help")
	fs.BoolVar(&sf.help, "help", false, "help")
	if extra != nil {
		extra(fs, &sf.o)
	}
	return fs
}

// protoExtra adds the flags only `codex proto` has.
func protoExtra(fs *flag.FlagSet, o *ServiceOptions) {
	both := func(short, long string, p *string, usage string) {
		fs.StringVar(p, long, "", usage)
		fs.StringVar(p, short, "", usage)
	}
	both("m", "model", &o.Model, "`MODEL` to use")
	both("a", "ask-for-approval", &o.ApprovalPolicy, "approval `POLICY`: untrusted, on-failure, on-request or never")
	both("s", "sandbox", &o.Sandbox, "sandbox `MODE`: read-only, workspace-write or danger-full-access")
	both("C", "cd", &o.Cwd, "working `DIR`")
	// The Codex CLI's root flags the TUI passes on.
	fs.BoolVar(&o.OSS, "oss", false, "use a local open-source model server (Ollama)")
	fs.Var((*cli.StringList)(&o.WritableRoots), "add-dir", "extra writable `DIR` (repeatable; needs --sandbox workspace-write)")
	fs.Var((*cli.StringList)(&o.Enable), "enable", "enable a `FEATURE` (repeatable)")
	fs.Var((*cli.StringList)(&o.Disable), "disable", "disable a `FEATURE` (repeatable)")
}

// approvalFlag checks the value of -a/--ask-for-approval: one of the
// user-facing names, or none. The string a granular policy is held in
// ("granular:rules,…", protocol.GranularApproval) is internal: a granular
// policy is set in config.toml (or -c) as a table, never on the flag, so
// that spelling is refused as any other unknown name is (the exit status
// of a bad -a value, 1).
func approvalFlag(v string) error {
	switch protocol.AskForApproval(v) {
	case "", protocol.ApprovalUntrusted, protocol.ApprovalOnFailure, protocol.ApprovalOnRequest, protocol.ApprovalNever:
		return nil
	}
	return fmt.Errorf("-a/--ask-for-approval: unknown approval policy %q (want untrusted, on-failure, on-request or never; "+
		"a granular policy is set in config.toml: approval_policy = { granular = { sandbox_approval = …, rules = …, mcp_elicitations = … } })", v)
}

// parseServiceFlags parses the service flags (serviceFlagSet) with
// environment variables under envPrefix. It fills the options from env.
// done reports that Run should return code at once (help printed, or a
// usage error reported on one line).
func parseServiceFlags(doc func() *cli.Command, envPrefix string, args []string, env ServiceEnv, extra func(*flag.FlagSet, *ServiceOptions)) (o ServiceOptions, code int, done bool) {
	var sf serviceFlags
	c := doc()
	name := c.Name
	fs := serviceFlagSet(name, &sf, extra)
	if err := ff.Parse(fs, args, ff.WithEnvVarPrefix(envPrefix)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.WriteHelp(env.Stdout)
			return sf.o, 0, true
		}
		fmt.Fprintf(env.Stderr, "%s: %s\n", name, cli.FlagError(fs, err))
		return sf.o, 2, true
	}
	o = sf.o
	if sf.help {
		c.WriteHelp(env.Stdout)
		return o, 0, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "%s: unexpected argument %q\n", name, fs.Arg(0))
		return o, 2, true
	}
	o.Overrides = sf.overrides
	o.Getenv, o.Environ, o.Now, o.Sleep = env.Getenv, env.Environ, env.Now, env.Sleep
	return o, 0, false
}
