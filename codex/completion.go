package codex

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// completion writes a shell completion script for the bundle's
// subcommands (`codex completion bash|zsh|fish`): subcommand names after
// `codex`, files elsewhere. Flags are each tool's own and documented by
// its --help.
func (b *Bundle) completion(args []string, stdout, stderr io.Writer) int {
	shell := "bash"
	if len(args) > 0 {
		shell = args[0]
	}
	if len(args) > 1 || strings.HasPrefix(shell, "-") {
		fmt.Fprintln(stderr, "usage: codex completion [bash|zsh|fish]")
		if shell == "-h" || shell == "--help" {
			return exitOK
		}
		return exitUsage
	}
	summaries := map[string]string{}
	for n, sub := range b.Subcommands {
		summaries[n] = sub.Summary
	}
	for _, c := range builtins {
		summaries[c.name] = c.summary
	}
	names := slices.Sorted(maps.Keys(summaries))
	words := strings.Join(names, " ")
	switch shell {
	case "bash":
		fmt.Fprintf(stdout, `# bash completion for codex; load with: source <(codex completion bash)
_codex() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W %q -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o default -F _codex codex
`, words)
	case "zsh":
		fmt.Fprintf(stdout, `#compdef codex
# zsh completion for codex; load with: source <(codex completion zsh)
_codex() {
	if (( CURRENT == 2 )); then
		compadd -- %s
	else
		_files
	fi
}
if (( $+functions[compdef] )); then compdef _codex codex; fi
`, words)
	case "fish":
		fmt.Fprintln(stdout, "# fish completion for codex; load with: codex completion fish | source")
		for _, n := range names {
			fmt.Fprintf(stdout, "complete -c codex -n __fish_use_subcommand -a %s -d %s\n", fishQuote(n), fishQuote(summaries[n]))
		}
	default:
		fmt.Fprintf(stderr, "codex completion: unknown shell %q (bash, zsh or fish)\n", shell)
		return exitUsage
	}
	return exitOK
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
