package codex

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

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
