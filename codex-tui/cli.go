package tui

import (
	"flag"
	"io"

	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/config"
)

// ToolName is the argv[0] that selects this tool.
const ToolName = "codex-tui"

// flagSet defines the TUI's flags, bound to o: parsing, --help, the man
// page and completion all use it.
func flagSet(o *Options, fullAuto, last *bool) *flag.FlagSet {
	fs := flag.NewFlagSet(ToolName, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.Model, "m", "", "`MODEL` to use")
	fs.StringVar(&o.Model, "model", "", "`MODEL` to use")
	fs.StringVar(&o.Approval, "a", "", "when to ask (`POLICY`): untrusted, on-failure, on-request or never")
	fs.StringVar(&o.Approval, "ask-for-approval", "", "when to ask (`POLICY`): untrusted, on-failure, on-request or never")
	fs.StringVar(&o.Sandbox, "s", "", "sandbox `MODE`: read-only, workspace-write or danger-full-access")
	fs.StringVar(&o.Sandbox, "sandbox", "", "sandbox `MODE`: read-only, workspace-write or danger-full-access")
	fs.BoolVar(&o.Search, "search", false, "let the model search the web (the web_search tool)")
	fs.StringVar(&o.Cwd, "C", "", "working `DIR` of the session")
	fs.StringVar(&o.Cwd, "cd", "", "working `DIR` of the session")
	addImage := func(v string) error { o.Images = append(o.Images, v); return nil }
	fs.Func("i", "attach an image `FILE` to the first message (repeatable)", addImage)
	fs.Func("image", "attach an image `FILE` to the first message (repeatable)", addImage)
	fs.StringVar(&o.AgentProgram, "agent", "", "agent `PROGRAM` (default: this binary as codex-agent)")
	fs.BoolVar(fullAuto, "full-auto", false, "workspace-write sandbox, approval on request")
	fs.Var((*config.OverrideFlag)(&o.Config), "c", "config override `key=value` (repeatable), passed to the agent")
	fs.Var((*config.OverrideFlag)(&o.Config), "config", "config override `key=value` (repeatable), passed to the agent")
	fs.StringVar(&o.Profile, "p", "", "config `PROFILE` (profiles.NAME in config.toml)")
	fs.StringVar(&o.Profile, "profile", "", "config `PROFILE` (profiles.NAME in config.toml)")
	fs.BoolVar(&o.OSS, "oss", false, "use a local open-source model server (Ollama)")
	list := func(dst *[]string) func(string) error {
		return func(v string) error { *dst = append(*dst, v); return nil }
	}
	fs.Func("add-dir", "extra writable `DIR` (repeatable; workspace-write)", list(&o.AddDirs))
	fs.Func("enable", "enable a `FEATURE` (repeatable)", list(&o.Enable))
	fs.Func("disable", "disable a `FEATURE` (repeatable)", list(&o.Disable))
	fs.BoolVar(&o.Bypass, "dangerously-bypass-approvals-and-sandbox", false, "run everything without sandbox or approval (use with care)")
	fs.BoolVar(&o.Bypass, "yolo", false, "alias of --dangerously-bypass-approvals-and-sandbox")
	fs.BoolVar(&o.StrictConfig, "strict-config", false, "refuse a config.toml with keys nothing reads")
	fs.BoolVar(last, "last", false, "with resume: the newest session")
	return fs
}

// CLI describes codex-tui for --help, man pages and completion.
func CLI() *cli.Command {
	flags := func() *flag.FlagSet { var a, b bool; return flagSet(&Options{}, &a, &b) }
	exits := func() []cli.ExitCode {
		return []cli.ExitCode{{Code: "0", Meaning: "you quit"}, {Code: "1", Meaning: "the session could not start (not a terminal, config error)"}, {Code: "2", Meaning: "usage error"}}
	}
	return &cli.Command{
		Name:     ToolName,
		Summary:  "the interactive Codex terminal UI",
		Synopsis: []string{"[flags] [PROMPT]", "resume [--last | SESSION_ID] [PROMPT]"},
		Description: `The interactive Codex front end: a conversation with the agent in the
terminal, with approvals, diffs and the transcript in the scrollback. Every
flag can also be set as CODEX_TUI_<FLAG>.

Keys: Enter sends, Ctrl+J or Alt+Enter inserts a newline, Esc interrupts,
Ctrl+C twice (or Ctrl+D on an empty prompt) quits, / opens commands, @ files.`,
		Flags: flags,
		Examples: []cli.Example{
			{Command: "codex", Explain: "start the terminal UI in the current directory"},
			{Command: `codex "explain this codebase"`, Explain: "start with a first prompt"},
			{Command: "codex --full-auto", Explain: "let the agent edit the workspace, asking only when it wants more"},
			{Command: "codex resume --last", Explain: "continue the newest session"},
		},
		ExitCodes: exits(),
		Subcommands: []*cli.Command{{
			Name: ToolName + " resume", Summary: "resume a recorded session (picker, --last or SESSION_ID)",
			Synopsis: []string{"[--last | SESSION_ID] [PROMPT]"}, Flags: flags, ExitCodes: exits(),
			Description: "Resumes a session recorded under $CODEX_HOME/sessions in the terminal UI:\na picker of the recent ones, the newest with --last, or SESSION_ID.",
			Examples:    []cli.Example{{Command: "codex resume", Explain: "pick a session"}, {Command: "codex resume --last"}},
		}},
	}
}

// parseInterspersed parses flags anywhere among the words, as the Codex
// CLI's parser does; "--" ends the flags. It returns the words.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
