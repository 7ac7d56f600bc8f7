package codex

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/codexgo/common/atomicfile"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/features"
)

// featuresMain is `codex features list|enable NAME|disable NAME`: the
// flags codex-go honours, with their stage and effective state (after
// config.toml, -c, --enable and --disable), and edits of [features] in
// config.toml that keep the rest of the file as written.
func featuresMain(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var overrides config.OverrideFlag
	var enable, disable listFlag
	fs := featuresFlagSet(&overrides, &enable, &disable)
	rest, err := parseAnywhere(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		featuresDoc().Rename("codex features").WriteHelp(stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "codex features: %s\n", cli.FlagError(fs, err))
		return exitUsage
	}
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "codex features: a command is needed: list, enable FEATURE or disable FEATURE (see codex features --help)")
		return exitUsage
	}
	home, err := codexhome.Dir(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "codex features: %v\n", err)
		return exitError
	}
	switch rest[0] {
	case "list":
		if len(rest) != 1 {
			fmt.Fprintln(stderr, "codex features list: takes no arguments")
			return exitUsage
		}
		cfg, err := config.Load(home, config.Options{Overrides: overrides})
		if err != nil {
			fmt.Fprintf(stderr, "codex features: %v\n", err)
			return exitError
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, f := range features.All() {
			fmt.Fprintf(tw, "%s\t%s\t%v\n", f.Name, f.Stage, features.Enabled(f.Name, cfg.Features, enable, disable))
		}
		if err := tw.Flush(); err != nil {
			return exitError
		}
		return exitOK
	case "enable", "disable":
		if len(rest) != 2 {
			fmt.Fprintf(stderr, "usage: codex features %s FEATURE\n", rest[0])
			return exitUsage
		}
		name := rest[1]
		if _, err := features.Lookup(name); err != nil {
			fmt.Fprintf(stderr, "codex features: %v\n", err)
			return exitUsage
		}
		on := rest[0] == "enable"
		if err := setFeature(home, name, on); err != nil {
			fmt.Fprintf(stderr, "codex features: %v\n", err)
			return exitError
		}
		word := "Enabled"
		if !on {
			word = "Disabled"
		}
		fmt.Fprintf(stdout, "%s feature `%s` in config.toml.\n", word, name)
		return exitOK
	}
	fmt.Fprintf(stderr, "codex features: unknown command %q (list, enable or disable)\n", rest[0])
	return exitUsage
}

// featuresFlagSet defines the flags of codex features.
func featuresFlagSet(overrides *config.OverrideFlag, enable, disable *listFlag) *flag.FlagSet {
	fs := flag.NewFlagSet("codex features", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(overrides, "c", "override a config value (`key=value`, value as TOML)")
	fs.Var(overrides, "config", "override a config value (`key=value`, value as TOML)")
	fs.Var(enable, "enable", "enable a `FEATURE` for this run (repeatable)")
	fs.Var(disable, "disable", "disable a `FEATURE` for this run (repeatable)")
	return fs
}

// featuresDoc describes codex features for help, man pages and completion.
func featuresDoc() *cli.Command {
	flags := func() *flag.FlagSet { var o config.OverrideFlag; var e, d listFlag; return featuresFlagSet(&o, &e, &d) }
	exits := []cli.ExitCode{{Code: "0", Meaning: "ok"}, {Code: "1", Meaning: "config.toml could not be read or written"}, {Code: "2", Meaning: "usage error or unknown feature"}}
	sub := func(name, syn, summary string, ex string) *cli.Command {
		return &cli.Command{Name: "codex-features " + name, Synopsis: []string{syn}, Summary: summary, Flags: flags,
			Description: strings.ToUpper(summary[:1]) + summary[1:] + ".",
			Examples:    []cli.Example{{Command: ex}}, ExitCodes: exits}
	}
	return &cli.Command{
		Name:     "codex-features",
		Summary:  "list feature flags with their stage and state; enable or disable one in config.toml",
		Synopsis: []string{"[-c key=value] [--enable FEATURE] [--disable FEATURE] COMMAND"},
		Description: `Lists the feature flags codex-go honours with their stage and effective
state (after config.toml, -c, --enable and --disable), and sets one in the
[features] table of config.toml, keeping the rest of the file as written.`,
		Flags:     flags,
		Examples:  []cli.Example{{Command: "codex features list"}, {Command: "codex features enable web_search_request"}},
		ExitCodes: exits,
		Subcommands: []*cli.Command{
			sub("list", "", "list known features with their stage and effective state", "codex features list --enable web_search_request"),
			sub("enable", "FEATURE", "enable a feature in config.toml", "codex features enable web_search_request"),
			sub("disable", "FEATURE", "disable a feature in config.toml", "codex features disable web_search_request"),
		},
	}
}

// setFeature writes features.<name> = on into home/config.toml.
func setFeature(home, name string, on bool) error {
	path := filepath.Join(home, config.FileName)
	data, err := os.ReadFile(path)
	mode := os.FileMode(0o600)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
	}
	out, err := config.SetValue(data, []string{"features"}, name, fmt.Sprint(on))
	if err != nil {
		return err
	}
	if err := codexhome.Ensure(home); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, out, mode)
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// parseAnywhere parses flags before and after the positional arguments.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}
