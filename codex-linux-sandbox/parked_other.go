//go:build !linux

package linuxsandbox

import "io"

// runParked is Linux-only.
func runParked(_ string, _, stderr io.Writer) int {
	_, _ = io.WriteString(stderr, ToolName+": "+ParkedArg+" runs only on Linux\n")
	return ExitUsage
}
