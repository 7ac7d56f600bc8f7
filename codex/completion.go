package codex

import (
	"fmt"
	"io"
	"strings"
)

// completion writes a shell completion script (`codex completion
// bash|zsh|fish [TOOL]`) for codex, or for one of the tools linked in,
// from the same descriptions as the help: commands, each command's flags,
// commands after "--", files elsewhere.
func (b *Bundle) completion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		builtinDoc("completion", "").WriteHelp(stdout)
		return exitOK
	}
	shell, tool := "bash", "codex"
	if len(args) > 0 {
		shell = args[0]
	}
	if len(args) > 1 {
		tool = args[1]
	}
	if len(args) > 2 || strings.HasPrefix(shell, "-") {
		fmt.Fprintln(stderr, "codex completion: usage: codex completion [bash|zsh|fish] [TOOL]")
		return exitUsage
	}
	doc, ok := b.docs()[tool]
	if !ok {
		fmt.Fprintf(stderr, "codex completion: unknown tool %q (codex or one of %s)\n", tool, strings.Join(b.toolNames(), ", "))
		return exitUsage
	}
	if err := doc.WriteCompletion(stdout, shell); err != nil {
		fmt.Fprintf(stderr, "codex completion: %v\n", err)
		return exitUsage
	}
	return exitOK
}
