package exec

import (
	"flag"

	"github.com/codexgo/common/cli"
)

// Command describes `codex-agent exec` (its flags, synopsis and exit
// codes) for --help, man pages and completion.
func Command() *cli.Command {
	flags := func() *flag.FlagSet { return newExecFlagSet(&execFlags{}) }
	exits := func() []cli.ExitCode {
		return []cli.ExitCode{
			{Code: "0", Meaning: "the turn completed"},
			{Code: "1", Meaning: "the turn failed (model error, config error, not a trusted directory)"},
			{Code: "2", Meaning: "usage error"},
		}
	}
	return &cli.Command{
		Name:    toolName + " exec",
		Summary: "run the agent non-interactively on one task",
		Synopsis: []string{
			"[flags] [PROMPT]",
			"[flags] resume [--last [--all] | SESSION_ID] [PROMPT]",
			"[flags] review --uncommitted | --base BRANCH | --commit SHA [--title TITLE] | PROMPT",
		},
		Description: `Runs the agent on one task without asking for approval: commands run in the
sandbox (--sandbox, or sandbox_mode from config.toml; read-only by default).
The prompt comes from the argument, or from stdin when it is "-" or absent
(piped stdin is appended to a given prompt). Progress goes to stderr and the
final message alone to stdout; --json prints the run as JSONL events instead.

resume continues a recorded session; review asks for a read-only code review
of the working tree's changes, a branch or a commit.

Every flag can also be set as CODEX_EXEC_<FLAG> (e.g. CODEX_EXEC_MODEL).`,
		Flags: flags,
		Examples: []cli.Example{
			{Command: `codex exec "explain this repository"`, Explain: "read-only: the agent may read and run read-only commands"},
			{Command: `codex exec -s workspace-write "fix the failing test"`, Explain: "the agent may edit files in the working directory"},
			{Command: `codex exec --json "list the TODOs" | jq -c .`, Explain: "the run as JSONL events"},
			{Command: `git diff | codex exec "review this patch" > review.md`, Explain: "stdin appended to the prompt; the final answer alone on stdout"},
			{Command: `codex exec resume --last "now add a test"`, Explain: "continue the most recent session in this directory"},
		},
		ExitCodes: exits(),
		Subcommands: []*cli.Command{
			{Name: toolName + " exec resume", Summary: "continue a recorded session (--last or SESSION_ID)", Synopsis: []string{"[--last [--all] | SESSION_ID] [PROMPT]"}, Flags: flags, ExitCodes: exits(),
				Description: "Continues a session recorded under $CODEX_HOME/sessions: the one with\nSESSION_ID, or with --last the newest one started in this directory (--all:\nin any directory), with PROMPT as the next message.",
				Examples:    []cli.Example{{Command: `codex exec resume --last "and the docs too"`}}},
			{Name: toolName + " exec review", Summary: "a read-only code review of changes", Synopsis: []string{"--uncommitted | --base BRANCH | --commit SHA [--title TITLE] | PROMPT"}, Flags: flags, ExitCodes: exits(),
				Description: "Asks for a code review, as the app-server's review/start does: of the\nworking tree's uncommitted changes, of the current branch against --base\nBRANCH, of one --commit SHA, or, with PROMPT alone (\"-\": from stdin), as\nPROMPT asks. Exactly one of them. Prints the review (the reviewer's\nexplanation, then its findings), not the reviewer's raw answer.",
				Examples:    []cli.Example{{Command: "codex exec review --base main"}}},
		},
	}
}

// ReviewCommand describes `codex-agent review`: `exec review` under a
// name of its own, as the Codex CLI has `codex review` beside `codex exec
// review` (ReviewMain).
func ReviewCommand() *cli.Command {
	return Command().Sub("review").Rename(toolName + " review")
}

// toolName is the binary the commands are described under.
const toolName = "codex-agent"
