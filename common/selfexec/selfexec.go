// Package selfexec re-executes the running binary as another codex tool
// (the arg0 trick): one file serves every tool, and the tool a process
// acts as is chosen by the base name of its argv[0].
//
// The binary is always reached through /proc/self/exe on Linux (the file
// that is running, even if it was moved or deleted since), never through
// PATH or an alias directory, so a hostile PATH cannot substitute a helper.
package selfexec

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Path returns the path that re-executes the running binary.
func Path() (string, error) {
	if runtime.GOOS == "linux" {
		return "/proc/self/exe", nil
	}
	return os.Executable()
}

// Command returns a command that runs the current binary with argv[0] set
// to tool and the given arguments. The caller sets Stdin, Env and so on.
func Command(ctx context.Context, tool string, args ...string) (*exec.Cmd, error) {
	p, err := Path()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, p, args...)
	cmd.Args[0] = tool
	return cmd, nil
}

// Name returns the tool name an argv[0] asks for: its base name without a
// ".exe" suffix.
func Name(argv0 string) string {
	return strings.TrimSuffix(filepath.Base(argv0), ".exe")
}
