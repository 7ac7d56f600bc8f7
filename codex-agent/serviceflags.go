package agent

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/codexgo/common/config"
	"github.com/peterbourgon/ff/v3"
)

// parseServiceFlags parses the flags the long-lived front ends (`codex
// proto`, `codex mcp-server`) share: -c/--config, -p/--profile,
// --execpolicy-cmd, --sandbox-cmd, --ephemeral and -h/--help, plus any that
// extra adds, with environment variables under envPrefix. It fills the
// options from env. done reports that Run should return code at once
// (help printed, or a usage error reported on one line).
func parseServiceFlags(name, envPrefix, usage string, args []string, env ServiceEnv, extra func(*flag.FlagSet, *ServiceOptions)) (o ServiceOptions, code int, done bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		overrides config.OverrideFlag
		help      bool
	)
	fs.Var(&overrides, "c", "override a config value")
	fs.Var(&overrides, "config", "override a config value")
	fs.StringVar(&o.Profile, "p", "", "config profile")
	fs.StringVar(&o.Profile, "profile", "", "config profile")
	fs.StringVar(&o.ExecpolicyCmd, "execpolicy-cmd", "", "external policy")
	fs.StringVar(&o.SandboxCmd, "sandbox-cmd", "", "external sandbox")
	fs.BoolVar(&o.Ephemeral, "ephemeral", false, "do not record session files")
	fs.BoolVar(&help, "h", false, "help")
	fs.BoolVar(&help, "help", false, "help")
	if extra != nil {
		extra(fs, &o)
	}
	if err := ff.Parse(fs, args, ff.WithEnvVarPrefix(envPrefix)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stdout, usage)
			return o, 0, true
		}
		fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
		return o, 2, true
	}
	if help {
		fmt.Fprint(env.Stdout, usage)
		return o, 0, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "%s: unexpected argument %q\n", name, fs.Arg(0))
		return o, 2, true
	}
	o.Overrides = overrides
	o.Getenv, o.Environ, o.Now, o.Sleep = env.Getenv, env.Environ, env.Now, env.Sleep
	return o, 0, false
}
