package codex

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strings"

	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
)

// sandboxArgs turns the Codex CLI's `codex sandbox` forms into
// codex-sandbox arguments, so that what works with the Codex CLI works
// here:
//
//	codex sandbox [linux|landlock|macos|seatbelt] [--full-auto]
//	              [-c key=value]... [-p PROFILE] [codex-sandbox flags] -- COMMAND
//
// (also `codex debug landlock|seatbelt …`). As in the Codex CLI the policy
// is config.toml's (sandbox_mode, sandbox_workspace_write.*) with the -c
// overrides; --full-auto means workspace-write. It goes first, as
// codex-sandbox flags, so the user's own flags (--sandbox, --network,
// --add-dir …) come after it and win. With --sandbox-policy or --json the
// user gives the whole policy and config is not read.
func sandboxArgs(args []string, getenv func(string) string) ([]string, error) {
	if len(args) > 0 {
		switch p := args[0]; p {
		case "linux", "landlock":
			if runtime.GOOS != "linux" {
				return nil, fmt.Errorf("%s: Landlock needs Linux (this is %s)", p, runtime.GOOS)
			}
			args = args[1:]
		case "macos", "seatbelt":
			if runtime.GOOS != "darwin" {
				return nil, fmt.Errorf("%s: Seatbelt needs macOS (this is %s)", p, runtime.GOOS)
			}
			args = args[1:]
		}
	}
	var (
		rest      []string
		overrides []string
		profile   string
		fullAuto  bool
		explicit  bool
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch {
		case a == "--full-auto" || a == "-full-auto":
			fullAuto = true
		case a == "-c" || a == "--config" || a == "-config":
			v, err := value()
			if err != nil {
				return nil, err
			}
			overrides = append(overrides, v)
		case strings.HasPrefix(a, "-c=") || strings.HasPrefix(a, "--config="):
			overrides = append(overrides, a[strings.IndexByte(a, '=')+1:])
		case a == "-p" || a == "--profile":
			v, err := value()
			if err != nil {
				return nil, err
			}
			profile = v
		case strings.HasPrefix(a, "--profile="):
			profile = strings.TrimPrefix(a, "--profile=")
		default:
			name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
			if strings.HasPrefix(a, "-") && slices.Contains([]string{"sandbox-policy", "json"}, name) {
				explicit = true
			}
			rest = append(rest, a)
		}
	}
	if explicit {
		return rest, nil
	}
	home, err := codexhome.Dir(getenv)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(home, config.Options{Profile: profile, Overrides: overrides})
	if err != nil {
		return nil, err
	}
	mode := ""
	if fullAuto {
		mode = string(protocol.SandboxWorkspaceWrite)
	}
	// sandboxpolicy decides what config means; here it only becomes
	// codex-sandbox's flags.
	sp, err := sandboxpolicy.FromConfig(cfg.SandboxMode, cfg.SandboxWorkspaceWrite, mode)
	if err != nil {
		return nil, err
	}
	pre := []string{"--sandbox", string(sp.Mode)}
	if sp.NetworkAccess {
		pre = append(pre, "--network")
	}
	for _, r := range sp.WritableRoots {
		pre = append(pre, "--add-dir", r)
	}
	if sp.ExcludeSlashTmp {
		pre = append(pre, "--exclude-slash-tmp")
	}
	if sp.ExcludeTmpdirEnvVar {
		pre = append(pre, "--exclude-tmpdir-env-var")
	}
	return append(pre, rest...), nil
}

// codexSandboxFlags are the flags `codex sandbox` takes besides
// codex-sandbox's own: the Codex CLI's. sandboxArgs consumes them (a test
// holds it to this list).
func codexSandboxFlags(fs *flag.FlagSet) {
	var s string
	var b bool
	fs.BoolVar(&b, "full-auto", false, "workspace-write: the command may write in the working directory, /tmp and $TMPDIR")
	fs.StringVar(&s, "c", "", "override config.toml: `key=value` (TOML value, repeatable), e.g. sandbox_workspace_write.network_access=true")
	fs.StringVar(&s, "config", "", "override config.toml: `key=value` (TOML value, repeatable), e.g. sandbox_workspace_write.network_access=true")
	fs.StringVar(&s, "p", "", "config `PROFILE` to read sandbox_mode from")
	fs.StringVar(&s, "profile", "", "config `PROFILE` to read sandbox_mode from")
}

// sandboxDoc describes `codex sandbox`: codex-sandbox's flags and the
// Codex CLI's forms.
func sandboxDoc() *cli.Command {
	base := sandbox.CLI()
	flags := func() *flag.FlagSet {
		fs := base.Flags()
		codexSandboxFlags(fs)
		return fs
	}
	platform := func(name, summary string) *cli.Command {
		return &cli.Command{Name: "codex-sandbox " + name, Summary: summary, Hidden: true, Flags: flags,
			Synopsis: []string{"[--full-auto] [-c key=value]... [-p PROFILE] [flags] -- COMMAND [ARG...]"}, ExitCodes: base.ExitCodes}
	}
	return &cli.Command{
		Name:    "codex-sandbox",
		Summary: "run a command under the sandbox config.toml chooses",
		Synopsis: []string{
			"[linux|macos] [--full-auto] [-c key=value]... [-p PROFILE] [flags] -- COMMAND [ARG...]",
			"--json < REQUEST.json",
		},
		Description: `Runs COMMAND under the sandbox policy config.toml chooses, as the Codex
CLI's "codex sandbox" does: sandbox_mode and sandbox_workspace_write.* with
the -c overrides and the -p profile; --full-auto means workspace-write.
"linux" (or "landlock") and "macos" (or "seatbelt") name the platform's
mechanism and may be left out. codex-sandbox's own flags (--sandbox,
--network, --add-dir, --timeout, …) come after and win; with
--sandbox-policy or --json config.toml is not read.

` + base.Description,
		Flags: flags,
		Examples: []cli.Example{
			{Command: "codex sandbox linux --full-auto -- make test", Explain: "workspace-write, whatever config.toml says"},
			{Command: "codex sandbox -c sandbox_workspace_write.network_access=true --full-auto -- npm ci", Explain: "workspace-write with the network"},
			{Command: "codex sandbox -p ci -- ./run-checks.sh", Explain: "the sandbox of profile ci"},
			{Command: "codex sandbox --sandbox read-only --timeout 30s -- ./slow.sh", Explain: "codex-sandbox's flags win over config.toml"},
		},
		ExitCodes: base.ExitCodes,
		Subcommands: []*cli.Command{
			platform("linux", "Landlock and seccomp (Linux)"), platform("landlock", "alias of linux"),
			platform("macos", "Seatbelt (macOS)"), platform("seatbelt", "alias of macos"),
		},
	}
}

// debugDoc describes `codex debug landlock|seatbelt`.
func debugDoc() *cli.Command {
	d := sandboxDoc()
	d.Summary = "the Codex CLI's older spelling of codex sandbox linux|macos"
	d.Synopsis = []string{"landlock|seatbelt [--full-auto] [-c key=value]... [-p PROFILE] [flags] -- COMMAND [ARG...]"}
	return d
}
