package exec

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/config"
	"github.com/mattn/go-isatty"
)

type execFlags struct {
	json, skipGit, bypass, oss, ephemeral, fullAuto, last, all, help bool
	uncommitted                                                      bool
	bypassHookTrust, strictConfig                                    bool
	base, commit, title                                              string
	ignoreUserConfig, ignoreRules, trust                             bool
	outputLast, outputSchema, sandbox, model, localProvider, profile string
	cd, color, execpolicyCmd, sandboxCmd, logLevel                   string
	overrides                                                        config.OverrideFlag
	addDirs, images, enable, disable                                 cli.StringList
}

func newExecFlagSet(f *execFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("codex exec", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	both := func(short, long string, p *string, usage string) {
		fs.StringVar(p, long, "", usage)
		if short != "" {
			fs.StringVar(p, short, "", usage)
		}
	}
	fs.BoolVar(&f.json, "json", false, "print events to stdout as JSONL")
	fs.BoolVar(&f.json, "experimental-json", false, "alias of --json")
	both("o", "output-last-message", &f.outputLast, "write the last agent message to `FILE`")
	fs.StringVar(&f.outputSchema, "output-schema", "", "JSON Schema `FILE` the final answer must follow")
	fs.BoolVar(&f.skipGit, "skip-git-repo-check", false, "allow running outside a git repository")
	both("s", "sandbox", &f.sandbox, "sandbox `MODE`: read-only, workspace-write or danger-full-access")
	fs.BoolVar(&f.bypass, "dangerously-bypass-approvals-and-sandbox", false, "run every command without sandbox or approval")
	fs.BoolVar(&f.strictConfig, "strict-config", false, "fail when config.toml has keys codex-go does not know")
	fs.BoolVar(&f.bypassHookTrust, "dangerously-bypass-hook-trust", false, "run enabled hooks nobody trusted yet, for this run")
	fs.BoolVar(&f.bypass, "yolo", false, "alias of --dangerously-bypass-approvals-and-sandbox")
	fs.BoolVar(&f.fullAuto, "full-auto", false, "deprecated: --sandbox workspace-write")
	both("m", "model", &f.model, "`MODEL` to use")
	fs.BoolVar(&f.oss, "oss", false, "use a local open-source model server (Ollama)")
	fs.StringVar(&f.localProvider, "local-provider", "", "`PROVIDER` for --oss: ollama or lmstudio")
	both("p", "profile", &f.profile, "config `PROFILE`")
	fs.Var(&f.overrides, "c", "override a config value: `key=value` (TOML value, repeatable)")
	fs.Var(&f.overrides, "config", "override a config value: `key=value` (TOML value, repeatable)")
	both("C", "cd", &f.cd, "working `DIR`")
	fs.Var(&f.addDirs, "add-dir", "extra writable `DIR` (repeatable; needs --sandbox workspace-write)")
	fs.Var(&f.images, "i", "attach an image `FILE` (repeatable)")
	fs.Var(&f.images, "image", "attach an image `FILE` (repeatable)")
	fs.BoolVar(&f.ephemeral, "ephemeral", false, "do not record the session")
	fs.BoolVar(&f.ignoreUserConfig, "ignore-user-config", false, "do not read $CODEX_HOME/config.toml")
	fs.BoolVar(&f.ignoreRules, "ignore-rules", false, "do not load the user's execpolicy rules")
	fs.BoolVar(&f.trust, "trust", false, "treat the working directory as trusted (no git check)")
	fs.StringVar(&f.color, "color", "auto", "`WHEN` to color the output: always, never or auto")
	fs.Var(&f.enable, "enable", "enable a `FEATURE` (repeatable)")
	fs.Var(&f.disable, "disable", "disable a `FEATURE` (repeatable)")
	fs.StringVar(&f.logLevel, "log-level", "", "log at `LEVEL` (debug, info, warn, error) to $CODEX_HOME/log/codex-exec.log (default: $CODEX_LOG, else off)")
	fs.StringVar(&f.execpolicyCmd, "execpolicy-cmd", "", "`PROGRAM` answering PolicyRequest JSON with PolicyVerdict JSON")
	fs.StringVar(&f.sandboxCmd, "sandbox-cmd", "", "`PROGRAM` running ExecRequest JSON and answering ExecResult JSON")
	fs.BoolVar(&f.last, "last", false, "resume: the most recent session in this directory")
	fs.BoolVar(&f.all, "all", false, "resume: do not filter --last by directory")
	fs.BoolVar(&f.uncommitted, "uncommitted", false, "review: the working tree's uncommitted changes")
	fs.StringVar(&f.base, "base", "", "review: the current branch against `BRANCH`")
	fs.StringVar(&f.commit, "commit", "", "review: the changes of commit `SHA`")
	fs.StringVar(&f.title, "title", "", "review --commit: the commit's `TITLE`, shown in the review")
	// Accepted for the SDK's sake; they change nothing here.
	fs.String("thread-source", "", "accepted and ignored")
	fs.String("cyber-access-program", "", "accepted and ignored")
	fs.BoolVar(&f.help, "h", false, "show help")
	fs.BoolVar(&f.help, "help", false, "show help")
	return fs
}

// parseInterspersed parses flags anywhere among the positionals, as the
// Codex CLI's parser does; "--" ends the flags.
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

// usageErr is a bad command line (exit 2).
type usageErr struct{ msg string }

func (e usageErr) Error() string { return e.msg }

// readPrompt takes the prompt from the argument and/or stdin.
func readPrompt(pos []string, env Env) (string, error) {
	arg := ""
	if len(pos) == 1 {
		arg = pos[0]
	}
	if arg == "" || arg == "-" {
		if arg == "" && env.Stdin == nil {
			return "", nil
		}
		b, err := io.ReadAll(env.Stdin)
		if err != nil {
			return "", fmt.Errorf("read prompt from stdin: %w", err)
		}
		return strings.TrimRight(string(b), "\n"), nil
	}
	piped := false
	if env.StdinIsPipe != nil {
		piped = env.StdinIsPipe()
	} else if f, ok := env.Stdin.(*os.File); ok {
		// Anything but a terminal, as 0.169 reads it: a pipe, a file,
		// /dev/null (which then adds nothing).
		piped = !isatty.IsTerminal(f.Fd())
	}
	if piped {
		fmt.Fprintln(env.Stderr, "Reading additional input from stdin...")
		b, err := io.ReadAll(env.Stdin)
		if err != nil {
			return "", fmt.Errorf("read stdin: %w", err)
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			return arg + "\n\n<stdin>\n" + s + "\n</stdin>", nil
		}
	}
	return arg, nil
}

// envFlags sets every flag not given on the command line from
// PREFIX_<NAME> (upper case, '-' as '_'), read through the injected
// getenv (ff.Parse would read the process environment, which tests and
// embedding front ends must be able to replace). Aliases share their
// value, so a flag given under one name is not overridden through another.
func envFlags(fs *flag.FlagSet, prefix string, getenv func(string) string) error {
	given := map[flag.Value]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Value] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Value] || len(f.Name) == 1 {
			return
		}
		key := prefix + "_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(key); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", key, e)
			}
			given[f.Value] = true
		}
	})
	return err
}
