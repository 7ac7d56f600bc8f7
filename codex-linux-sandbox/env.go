package linuxsandbox

import "strings"

// Getenv returns a getenv for env, a list of KEY=VALUE in which a key
// may be set more than once: the first setting counts, as getenv(3) and
// Go's own os.Getenv and os.Environ take it. Every reader of a command's
// environment (the plan's $TMPDIR and $HOME, in codex-sandbox and in
// this helper) goes through it, and CommandEnv leaves the command that
// one setting only, so the sandbox and the command agree on what
// $TMPDIR is, whichever way the command reads it.
func Getenv(env []string) func(string) string {
	return func(k string) string {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}
}

// withEnv returns env with one setting per key (the first, see Getenv),
// the KEY=VALUE settings of set replacing the keys' own. env is not
// modified.
func withEnv(env []string, set ...string) []string {
	seen := make(map[string]bool, len(env)+len(set))
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		seen[k] = true
	}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !seen[k] {
			seen[k] = true
			out = append(out, kv)
		}
	}
	return append(out, set...)
}
