package codex

import (
	"flag"
	"io"

	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/config"
)

// doctorFlagSet defines codex doctor's flags (parsing, help, completion).
func doctorFlagSet(asJSON *bool, overrides *config.OverrideFlag) *flag.FlagSet {
	fs := flag.NewFlagSet("codex doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(asJSON, "json", false, "print the report as JSON")
	fs.Var(overrides, "c", "override a config value (`key=value`, the value as TOML)")
	fs.Var(overrides, "config", "override a config value (`key=value`, the value as TOML)")
	for _, f := range []string{"summary", "all", "no-color", "ascii", "network-only"} {
		fs.Bool(f, false, "accepted as the Codex CLI's doctor does; the report is the same")
	}
	return fs
}

func doctorDoc() *cli.Command {
	return &cli.Command{
		Name:     "codex-doctor",
		Summary:  "check what works here: config, auth, the sandbox's kernel features, MCP servers",
		Synopsis: []string{"[--json] [-c key=value]..."},
		Description: `Checks that CODEX_HOME is writable, config.toml loads (and names keys
nothing reads), credentials exist, the sandbox has its kernel features
(what codex-sandbox --explain reports for workspace-write), every enabled
MCP server's command is found or its URL answers.`,
		Flags: func() *flag.FlagSet { var j bool; var o config.OverrideFlag; return doctorFlagSet(&j, &o) },
		Examples: []cli.Example{{Command: "codex doctor", Explain: "one line per check"},
			{Command: "codex doctor --json | jq '.checks[] | select(.status != \"ok\")'", Explain: "what needs attention"}},
		ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "no check failed (warnings allowed)"}, {Code: "1", Meaning: "a check failed"}, {Code: "2", Meaning: "usage error"}},
	}
}

func forkDoc() *cli.Command {
	return &cli.Command{
		Name:     "codex-fork",
		Summary:  "copy a recorded session (ID or --last) into a new one and continue it in the TUI",
		Synopsis: []string{"SESSION_ID [TUI FLAGS] [PROMPT]", "--last [--all] [TUI FLAGS] [PROMPT]"},
		Description: `Copies a recorded session into a new one (a new id and rollout file with
the same history) and resumes the copy in the terminal UI; the original
is left as it was. codex exec fork does the same without the UI.`,
		Examples: []cli.Example{{Command: "codex fork --last", Explain: "try another direction from the latest session here"},
			{Command: "codex exec fork 01a2… \"now the other approach\"", Explain: "the same, non-interactively"}},
		ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "the UI ended normally"}, {Code: "1", Meaning: "the session could not be found or copied"}, {Code: "2", Meaning: "usage error"}},
	}
}

func hooksDoc() *cli.Command {
	return &cli.Command{
		Name:     "codex-hooks",
		Summary:  "list config.toml's hooks with their trust; trust them",
		Synopsis: []string{"[list [--json]]", "trust KEY...", "trust --all"},
		Description: `Hooks ([[hooks.<Event>]] in config.toml) run outside the sandbox, so they
run only once trusted. list shows every hook's key, event, trust
(trusted, untrusted, modified) and command; trust records the hooks'
current hashes as hooks.state."KEY".trusted_hash, as the Codex CLI does.`,
		Examples:  []cli.Example{{Command: "codex hooks list"}, {Command: "codex hooks trust --all", Explain: "after reading them"}},
		ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "ok"}, {Code: "1", Meaning: "config.toml could not be read or written"}, {Code: "2", Meaning: "usage error or unknown key"}},
	}
}
