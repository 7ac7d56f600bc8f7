package agent

import (
	"flag"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/cli"
)

// ToolName is the argv[0] that selects this tool.
const ToolName = "codex-agent"

// The commands of codex-agent described once, from the flag sets they
// parse with, for --help, man pages and completion.

func execCommand() *cli.Command {
	flags := func() *flag.FlagSet { return newExecFlagSet(&execFlags{}) }
	exits := func() []cli.ExitCode {
		return []cli.ExitCode{
			{Code: "0", Meaning: "the turn completed"},
			{Code: "1", Meaning: "the turn failed (model error, config error, not a trusted directory)"},
			{Code: "2", Meaning: "usage error"},
		}
	}
	return &cli.Command{
		Name:    ToolName + " exec",
		Summary: "run the agent non-interactively on one task",
		Synopsis: []string{
			"[flags] [PROMPT]",
			"[flags] resume [--last [--all] | SESSION_ID] [PROMPT]",
			"[flags] review [--uncommitted | --base BRANCH | --commit SHA] [PROMPT]",
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
			{Name: ToolName + " exec resume", Summary: "continue a recorded session (--last or SESSION_ID)", Synopsis: []string{"[--last [--all] | SESSION_ID] [PROMPT]"}, Flags: flags, ExitCodes: exits(),
				Description: "Continues a session recorded under $CODEX_HOME/sessions: the one with\nSESSION_ID, or with --last the newest one started in this directory (--all:\nin any directory), with PROMPT as the next message.",
				Examples:    []cli.Example{{Command: `codex exec resume --last "and the docs too"`}}},
			{Name: ToolName + " exec review", Summary: "a read-only code review of changes", Synopsis: []string{"[--uncommitted | --base BRANCH | --commit SHA] [PROMPT]"}, Flags: flags, ExitCodes: exits(),
				Description: "Asks for a read-only code review of the working tree's uncommitted changes\n(the default), of the current branch against --base BRANCH, or of one\n--commit SHA; PROMPT adds what to focus on.",
				Examples:    []cli.Example{{Command: "codex exec review --base main"}}},
		},
	}
}

func protoCommand() *cli.Command {
	return &cli.Command{
		Name:     ToolName + " proto",
		Summary:  "the agent as a JSONL service on stdin/stdout (front-end protocol)",
		Synopsis: []string{"[flags]"},
		Description: `Runs one agent session speaking the Codex front-end protocol: submissions
{"id","op":{"type":…}} as JSONL on stdin, events {"id","msg":{"type":…}} as
JSONL on stdout (schema: codex-agent/protoserver/PROTOCOL.md). The session
ends on a shutdown op, or when stdin ends and the submitted turns are done.
To continue a recorded session: -c experimental_resume="<rollout path>".
Every flag can also be set as CODEX_PROTO_<FLAG> (e.g. CODEX_PROTO_MODEL).`,
		Flags: func() *flag.FlagSet { return serviceFlagSet("codex proto", &serviceFlags{}, protoExtra) },
		Examples: []cli.Example{
			{Command: `echo '{"id":"1","op":{"type":"user_input","items":[{"type":"text","text":"hi"}]}}' | codex proto`, Explain: "one turn; events as JSONL on stdout"},
		},
		ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "after shutdown"}, {Code: "1", Meaning: "runtime failure"}, {Code: "2", Meaning: "usage error"}},
	}
}

func mcpServerCommand() *cli.Command {
	return &cli.Command{
		Name:     ToolName + " mcp-server",
		Summary:  "the agent as an MCP server (tools codex and codex-reply) on stdio",
		Synopsis: []string{"[flags]"},
		Description: `Serves the agent over MCP (JSON-RPC on stdin/stdout) as two tools: codex
(start a thread with a prompt) and codex-reply (continue it). Events stream
as codex/event and progress notifications, approvals as elicitation/create.
Every flag can also be set as CODEX_MCP_SERVER_<FLAG>.`,
		Flags: func() *flag.FlagSet { return serviceFlagSet("codex mcp-server", &serviceFlags{}, nil) },
		Examples: []cli.Example{
			{Command: "codex-mcp-client list-tools -- codex mcp-server", Explain: "the tools it offers, seen from an MCP client"},
		},
		ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "the client disconnected"}, {Code: "1", Meaning: "runtime failure"}, {Code: "2", Meaning: "usage error"}},
	}
}

func appServerCommand() *cli.Command {
	return &cli.Command{
		Name:     ToolName + " app-server",
		Summary:  "the Codex app-server protocol (JSON-RPC over stdio) for the Codex SDKs and IDE clients",
		Synopsis: []string{"[flags]"},
		Description: `Serves the Codex app-server protocol (v2) on stdin/stdout: JSON-RPC 2.0
messages, one JSON object per line, as the Codex CLI 0.169's clients speak it
(its Python SDK, IDE extensions). Threads are the agent's sessions, recorded
as rollouts, so they resume in codex exec resume and the TUI and the other
way round. The server ends, with everything it started, when stdin ends.
The methods and what is not implemented: codex-agent/appserver/README.md.
Every flag can also be set as CODEX_APP_SERVER_<FLAG>.`,
		Flags: func() *flag.FlagSet {
			listen := ""
			return serviceFlagSet("codex app-server", &serviceFlags{}, func(fs *flag.FlagSet, _ *ServiceOptions) { appServerExtra(fs, &listen) })
		},
		Examples: []cli.Example{
			{Command: `codex --config model="gpt-5" app-server --listen stdio://`, Explain: "as the Codex Python SDK starts it"},
			{Command: `codex app-server -c sandbox_mode="workspace-write"`, Explain: "as IDE clients start it"},
		},
		ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "stdin ended"}, {Code: "1", Meaning: "runtime failure"}, {Code: "2", Meaning: "usage error"}},
	}
}

// appServerExtra adds the flags only `codex app-server` has.
func appServerExtra(fs *flag.FlagSet, listen *string) {
	fs.StringVar(listen, "listen", "stdio://", "transport `URL`: only stdio://")
}

// CLI describes codex-agent for --help, man pages and completion.
func CLI() *cli.Command {
	ms := modelserver.CLI()
	return &cli.Command{
		Name:     ToolName,
		Summary:  "the Codex agent: exec, proto, mcp-server, app-server and the local model server",
		Synopsis: []string{"COMMAND [flags] [ARGS...]"},
		Description: `The agent loop of codex-go: a session that sends the conversation to a
model, runs its tool calls (shell commands through the execution policy and
the sandbox, patches, plan updates) and reports the work as protocol events.`,
		Examples: []cli.Example{
			{Command: `codex-agent exec "summarise the README"`, Explain: "same as codex exec"},
			{Command: "codex-agent model-server --script demo-script.json", Explain: "serve scripted model turns on 127.0.0.1 (tests and demos)"},
		},
		ExitCodes:   []cli.ExitCode{{Code: "0", Meaning: "success"}, {Code: "1", Meaning: "failure"}, {Code: "2", Meaning: "usage error"}},
		Subcommands: []*cli.Command{execCommand(), protoCommand(), mcpServerCommand(), appServerCommand(), ms.Rename(ToolName + " model-server")},
	}
}
