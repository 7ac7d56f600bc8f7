package session

import (
	"path"
	"strings"

	"github.com/codexgo/common/config"
)

// coreEnv are the variables "inherit = core" keeps.
var coreEnv = []string{"HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL", "TERM"}

// ShellEnv applies shell_environment_policy to environ (KEY=VALUE
// strings) and returns the command's complete environment.
func ShellEnv(p config.ShellEnvironmentPolicy, environ []string) map[string]string {
	out := map[string]string{}
	switch strings.ToLower(p.Inherit) {
	case "none":
	case "core":
		for _, kv := range environ {
			k, v, _ := strings.Cut(kv, "=")
			for _, c := range coreEnv {
				if k == c {
					out[k] = v
				}
			}
		}
	default:
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
				out[k] = v
			}
		}
	}
	if !p.IgnoreDefaultExcludes {
		for k := range out {
			u := strings.ToUpper(k)
			if strings.Contains(u, "KEY") || strings.Contains(u, "SECRET") || strings.Contains(u, "TOKEN") {
				delete(out, k)
			}
		}
	}
	for k := range out {
		if matchAny(p.Exclude, k) {
			delete(out, k)
		}
	}
	for k, v := range p.Set {
		out[k] = v
	}
	if len(p.IncludeOnly) > 0 {
		for k := range out {
			if !matchAny(p.IncludeOnly, k) {
				delete(out, k)
			}
		}
	}
	return out
}

// matchAny reports whether name matches one of the case-insensitive globs.
func matchAny(globs []string, name string) bool {
	u := strings.ToUpper(name)
	for _, g := range globs {
		if ok, _ := path.Match(strings.ToUpper(g), u); ok {
			return true
		}
	}
	return false
}
