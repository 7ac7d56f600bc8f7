package agent

import (
	"context"
	"io"

	"github.com/codexgo/codex-agent/exec"
)

// ExecEnv is exec.Env (the exec front end moved to package exec).
type ExecEnv = exec.Env

// ExecMain is `codex exec` (exec.Main).
func ExecMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exec.Main(ctx, args, stdin, stdout, stderr)
}

// ReviewMain is `codex review` (exec.ReviewMain): `codex exec review`
// under its own name.
func ReviewMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exec.ReviewMain(ctx, args, stdin, stdout, stderr)
}

// RunExec runs `codex exec` with an injected environment (exec.Run).
func RunExec(ctx context.Context, args []string, env ExecEnv) int { return exec.Run(ctx, args, env) }

// ShellJoin is exec.ShellJoin.
func ShellJoin(argv []string) string { return exec.ShellJoin(argv) }
