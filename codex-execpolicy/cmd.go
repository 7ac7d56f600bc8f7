package execpolicy

import (
	"flag"
	"io"

	"github.com/codexgo/common/cli"
)

// ToolName is the argv[0] that selects this tool.
const ToolName = "codex-execpolicy"

// checkFlagSet defines check's flags, bound to f. Parsing, --help, the
// man page and completion all use it.
func checkFlagSet(f *checkFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&f.policies, "policy", "policy `FILE` (repeatable), loaded after the default policy")
	fs.Var(&f.rules, "rules", "rules `FILE` (repeatable), as codex execpolicy check --rules: only the files' prefix rules, printed in the codex format unless --format says otherwise")
	fs.Var(&f.rules, "r", "rules `FILE` (alias of --rules)")
	fs.Var(&f.wroots, "writable-root", "`DIR` the command may write in (repeatable)")
	fs.Var(&f.rroots, "readable-root", "`DIR` the command may read (repeatable; none means anywhere)")
	fs.StringVar(&f.cwd, "cwd", "", "working `DIR` of the command (default: current directory)")
	fs.StringVar(&f.format, "format", "json", "output `FORMAT`: json, legacy or codex")
	fs.StringVar(&f.script, "script", "", "judge this shell `SCRIPT` instead of ARGV")
	fs.StringVar(&f.project, "project", "", "trusted project `DIR` whose .codex/rules/*.rules are loaded")
	fs.BoolVar(&f.exitCode, "exit-code", false, "exit 10 for prompt and 11 for forbidden")
	fs.BoolVar(&f.jsonl, "jsonl", false, "read one JSON request per stdin line, write one verdict per line")
	fs.BoolVar(&f.pretty, "pretty", false, "indent the JSON output")
	fs.BoolVar(&f.noDefault, "no-default", false, "do not load the embedded default policy")
	fs.BoolVar(&f.noUserRules, "no-user-rules", false, "do not load $CODEX_HOME/rules/*.rules")
	fs.IntVar(&f.workers, "workers", 0, "--jsonl: goroutines judging requests (0 = one per CPU; output keeps input order)")
	fs.BoolVar(&f.resolveHost, "resolve-host-executables", false, "codex format: match absolute paths against rules for their base name")
	return fs
}

// rememberFlagSet defines remember's flags.
func rememberFlagSet(decision, justification *string) *flag.FlagSet {
	fs := flag.NewFlagSet("remember", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(decision, "decision", "allow", "`DECISION` of the rule: allow, prompt or forbidden")
	fs.StringVar(justification, "justification", "", "why, shown in prompts (`TEXT`)")
	return fs
}

// checkExit is check's exit status (also the tool's).
func checkExit() []cli.ExitCode {
	return []cli.ExitCode{
		{Code: "0", Meaning: "a verdict was written (any decision, unless --exit-code)"},
		{Code: "10", Meaning: "--exit-code: prompt (for --jsonl: the strictest line)"},
		{Code: "11", Meaning: "--exit-code: forbidden"},
		{Code: "1", Meaning: "a policy file did not load, or a runtime failure"},
		{Code: "2", Meaning: "usage error or bad input (an empty ARGV included)"},
	}
}

// CLI describes codex-execpolicy for --help, man pages and completion.
func CLI() *cli.Command {
	noFlags := func(name string) func() *flag.FlagSet {
		return func() *flag.FlagSet { return flag.NewFlagSet(name, flag.ContinueOnError) }
	}
	return &cli.Command{
		Name:     ToolName,
		Summary:  "decide allow, prompt or forbidden for a command, with its parsed form",
		Synopsis: []string{"COMMAND [flags] [ARGS...]"},
		Description: `Decides whether a proposed command may run: allow, prompt (ask the user)
or forbidden, with the command's parsed form (the files it reads and writes,
its flags and options) and the rule that decided. Shell scripts are parsed
and every command in them judged; wrappers (env, sudo, xargs, find -exec,
nested shells) are looked through. Policies are Starlark files: the
embedded default policy, $CODEX_HOME/rules/*.rules, a trusted project's
.codex/rules/*.rules and each --policy FILE.`,
		Examples: []cli.Example{
			{Command: "codex-execpolicy check -- git status", Explain: "allow: a read-only git command"},
			{Command: "codex-execpolicy check --exit-code -- npm install", Explain: "exit 10: npm install needs approval (the reason says why)"},
			{Command: "codex-execpolicy check --script 'ls | tee out.txt'", Explain: "judge every command of a shell script"},
			{Command: "codex-execpolicy test my.rules", Explain: "load a policy file and run its examples"},
		},
		ExitCodes: checkExit(),
		Subcommands: []*cli.Command{
			{
				Name:    ToolName + " check",
				Summary: "judge one command, a shell script or a JSONL stream of requests",
				Synopsis: []string{
					"[flags] [--] ARGV...",
					"[flags] --script 'SCRIPT'",
					"[flags] --jsonl < REQUESTS.jsonl",
				},
				Description: `Prints one JSON verdict: "decision" (allow, prompt or forbidden), "reason",
each command with its parsed form and the rule that decided, and on a
prompt "suggested_prefix" (what to remember when the user approves for
good). With --jsonl, one request per stdin line ({"id":…,"argv":[…]} or
{"id":…,"script":"…"}), one verdict per line, in order.

--format legacy prints the original engine's {"result":…} object;
--format codex prints exactly what "codex execpolicy check" prints for the
same .rules files.

Every flag can also be set as CODEX_EXECPOLICY_<FLAG> (e.g.
CODEX_EXECPOLICY_WRITABLE_ROOT).`,
				Flags: func() *flag.FlagSet { return checkFlagSet(&checkFlags{}) },
				Examples: []cli.Example{
					{Command: "codex-execpolicy check -- rm -rf /", Explain: "forbidden, with the reason"},
					{Command: "codex-execpolicy check --cwd /w --writable-root /w --script 'make > build.log'", Explain: "a write inside the writable root is fine; outside it would prompt"},
					{Command: `echo '{"id":1,"argv":["ls"]}' | codex-execpolicy check --jsonl`, Explain: "stream mode, as a co-process"},
					{Command: "codex-execpolicy check --format legacy -- git push --force", Explain: `{"result":"forbidden","reason":"git push --force rewrites remote history",…}`},
					{Command: "codex-execpolicy check --format codex -r my.rules -- git push", Explain: "what codex execpolicy check prints for my.rules"},
				},
				ExitCodes: checkExit(),
			},
			{
				Name:        ToolName + " test",
				Summary:     "load policy files and run their should_match examples",
				Synopsis:    []string{"FILE..."},
				Description: "Loads each FILE on its own and checks every should_match and\nshould_not_match example in it; prints one \"ok\" line per file.",
				Flags:       noFlags("test"),
				Examples: []cli.Example{
					{Command: "codex-execpolicy test ~/.codex/rules/default.rules", Explain: "check the rules codex remembered for you"},
				},
				ExitCodes: []cli.ExitCode{
					{Code: "0", Meaning: "every file loaded and its examples pass"},
					{Code: "1", Meaning: "a file did not load or an example failed (file:line in the message)"},
					{Code: "2", Meaning: "usage error (no FILE)"},
				},
			},
			{
				Name:     ToolName + " remember",
				Summary:  "append a prefix_rule to $CODEX_HOME/rules/default.rules",
				Synopsis: []string{"[--decision allow|prompt|forbidden] [--justification TEXT] -- PREFIX..."},
				Description: `Appends prefix_rule(pattern=[PREFIX…], decision=…) to
$CODEX_HOME/rules/default.rules (created 0600), under a lock, skipping an
exact duplicate, after checking that the line loads.`,
				Flags: func() *flag.FlagSet { var d, j string; return rememberFlagSet(&d, &j) },
				Examples: []cli.Example{
					{Command: "codex-execpolicy remember -- npm test", Explain: "never ask again for npm test …"},
					{Command: "codex-execpolicy remember --decision forbidden --justification 'use the staging db' -- psql prod", Explain: "forbid a prefix, with the reason shown"},
				},
				ExitCodes: []cli.ExitCode{
					{Code: "0", Meaning: "the rule is in the file (added or already there)"},
					{Code: "1", Meaning: "the file could not be written"},
					{Code: "2", Meaning: "usage error"},
				},
			},
			{
				Name:        ToolName + " default-policy",
				Summary:     "print the embedded default policy",
				Synopsis:    []string{""},
				Description: "Prints the Starlark source of the default policy compiled into the binary.",
				Flags:       noFlags("default-policy"),
				Examples: []cli.Example{
					{Command: "codex-execpolicy default-policy | grep -n 'program = \"git\"'", Explain: "find the git specs"},
				},
				ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "printed"}},
			},
		},
	}
}
