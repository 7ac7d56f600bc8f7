package codex

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/common/codexhome"
)

// forkCommand is `codex fork [--last [--all] | SESSION_ID] [FLAGS] [PROMPT]`:
// the session is copied into a new one (agent.ForkRollout) and the
// terminal UI resumes the copy; the original stays as it was.
func forkCommand(tui MainFunc) MainFunc {
	return func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		if slices.Contains(args, "-h") || slices.Contains(args, "--help") {
			forkDoc().Rename("codex fork").WriteHelp(stdout)
			return exitOK
		}
		home, err := codexhome.Dir(os.Getenv)
		if err != nil {
			fmt.Fprintf(stderr, "codex fork: %v\n", err)
			return exitError
		}
		last, all := slices.Contains(args, "--last"), slices.Contains(args, "--all")
		args = slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "--last" || a == "--all" })
		var path string
		switch {
		case last:
			cwd, err := os.Getwd()
			if err == nil {
				path, err = agent.LatestRollout(home, cwd, all)
			}
			if err != nil {
				fmt.Fprintf(stderr, "codex fork: %v\n", err)
				return exitError
			}
		case len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-':
			if path, err = agent.FindRollout(home, args[0]); err != nil {
				fmt.Fprintf(stderr, "codex fork: %v\n", err)
				return exitError
			}
			args = args[1:]
		default:
			fmt.Fprintln(stderr, "codex fork: give the SESSION_ID to fork, or --last")
			return exitUsage
		}
		_, id, err := agent.ForkRollout(home, path, time.Now)
		if err != nil {
			fmt.Fprintf(stderr, "codex fork: %v\n", err)
			return exitError
		}
		return tui(ctx, append([]string{"resume", id}, args...), stdin, stdout, stderr)
	}
}
