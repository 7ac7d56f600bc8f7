// Package selfexec re-executes the running binary as another codex tool
// (the arg0 trick): one file serves every tool, and the tool a process
// acts as is chosen by the base name of its argv[0].
//
// The running binary is reached through /proc/self/exe on Linux (the file
// that is running, even if it was moved or deleted since), never through
// PATH or an alias directory, so a hostile PATH cannot substitute a helper.
// One exception: when a standalone binary of the tool's own name sits
// next to the running executable as a regular file (the layout `make
// install` produces), that one is run instead. It starts a little faster
// than the fused codex binary (whose light tools run from an early
// initialiser, within 1.25x of their standalone start: codex/bench.sh),
// and the agent may start a sandbox helper for a command. A release
// (`make dist`) ships the fused file alone, which then re-executes
// itself.
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

// Command returns a command that runs tool with the given arguments: the
// standalone binary next to the running executable if there is one (see
// the package comment), else the running binary with argv[0] set to tool.
// The caller sets Stdin, Env and so on.
func Command(ctx context.Context, tool string, args ...string) (*exec.Cmd, error) {
	p, err := Resolve(tool)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, p, args...)
	cmd.Args[0] = tool
	return cmd, nil
}

// Resolve returns the file Command runs for tool.
func Resolve(tool string) (string, error) {
	if exe, err := os.Executable(); err == nil {
		real := exe
		if runtime.GOOS != "linux" {
			// On Linux os.Executable reads /proc/self/exe, which the
			// kernel already gives without symlinks (one lstat per
			// component saved on every sandboxed command).
			real, err = filepath.EvalSymlinks(exe)
		}
		if err == nil {
			if p, ok := sibling(filepath.Dir(real), tool); ok {
				return p, nil
			}
		}
	}
	return Path()
}

// sibling reports dir/tool when it is an executable regular file; a
// symlink (such as `codex install-links` writes) does not count.
func sibling(dir, tool string) (string, bool) {
	if tool == "" || strings.ContainsRune(tool, filepath.Separator) {
		return "", false
	}
	p := filepath.Join(dir, tool)
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", false
	}
	return p, true
}

// Name returns the tool name an argv[0] asks for: its base name without a
// ".exe" suffix.
func Name(argv0 string) string {
	return strings.TrimSuffix(filepath.Base(argv0), ".exe")
}
