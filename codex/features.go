package codex

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/codexgo/common/atomicfile"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/features"
)

// featuresMain is `codex features list|enable NAME|disable NAME`: the
// flags codex-go honours, with their stage and effective state (after
// config.toml, -c, --enable and --disable), and edits of [features] in
// config.toml that keep the rest of the file as written.
func featuresMain(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("codex features", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var overrides config.OverrideFlag
	var enable, disable listFlag
	fs.Var(&overrides, "c", "override a config value (key=value, value as TOML)")
	fs.Var(&overrides, "config", "override a config value (key=value, value as TOML)")
	fs.Var(&enable, "enable", "enable a feature for this run (repeatable)")
	fs.Var(&disable, "disable", "disable a feature for this run (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: codex features [-c key=value] [--enable F] [--disable F] COMMAND\n\nCommands:\n"+
			"  list             list known features with their stage and effective state\n"+
			"  enable FEATURE   enable a feature in config.toml\n"+
			"  disable FEATURE  disable a feature in config.toml\n\nFlags:\n")
		fs.PrintDefaults()
	}
	rest, err := parseAnywhere(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	if len(rest) == 0 {
		fs.Usage()
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
