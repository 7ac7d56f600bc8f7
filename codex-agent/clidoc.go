package agent

import (
	"flag"

	"github.com/codexgo/codex-agent/exec"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/cli"
)

// ToolName is the argv[0] that selects this tool.
const ToolName = "codex-agent"

// The commands of codex-agent described once, from the flag sets they
// parse with, for --help, man pages and completion.

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
			return serviceFlagSet("codex app-server", &serviceFlags{}, func(fs *flag.FlagSet, o *ServiceOptions) { appServerExtra(fs, o, &listen) })
		},
		Examples: []cli.Example{
			{Command: `codex --config model="gpt-5" app-server --listen stdio://`, Explain: "as the Codex Python SDK starts it"},
			{Command: `codex app-server -c sandbox_mode="workspace-write"`, Explain: "as IDE clients start it"},
		},
		ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "stdin ended"}, {Code: "1", Meaning: "runtime failure"}, {Code: "2", Meaning: "usage error"}},
	}
}

// appServerExtra adds the flags only `codex app-server` has.
func appServerExtra(fs *flag.FlagSet, o *ServiceOptions, listen *string) {
	fs.StringVar(listen, "listen", "stdio://", "transport `URL`: only stdio://")
	// The Codex CLI's root flags our TUI passes on (it runs on this
	// server), as `codex proto` takes them.
	fs.BoolVar(&o.OSS, "oss", false, "use a local open-source model server (Ollama)")
	fs.Var((*cli.StringList)(&o.WritableRoots), "add-dir", "extra writable `DIR` (repeatable; needs --sandbox workspace-write)")
	fs.Var((*cli.StringList)(&o.Enable), "enable", "enable a `FEATURE` (repeatable)")
	fs.Var((*cli.StringList)(&o.Disable), "disable", "disable a `FEATURE` (repeatable)")
}

// CLI describes codex-agent for --help, man pages and completion.
func CLI() *cli.Command {
	ms := modelserver.CLI()
	return &cli.Command{
		Name:     ToolName,
		Summary:  "the Codex agent: exec, review, proto, mcp-server, app-server and the local model server",
		Synopsis: []string{"COMMAND [flags] [ARGS...]"},
		Description: `The agent loop of codex-go: a session that sends the conversation to a
model, runs its tool calls (shell commands through the execution policy and
the sandbox, patches, plan updates) and reports the work as protocol events.`,
		Examples: []cli.Example{
			{Command: `codex-agent exec "summarise the README"`, Explain: "same as codex exec"},
			{Command: "codex-agent model-server --script demo-script.json", Explain: "serve scripted model turns on 127.0.0.1 (tests and demos)"},
		},
		ExitCodes:   []cli.ExitCode{{Code: "0", Meaning: "success"}, {Code: "1", Meaning: "failure"}, {Code: "2", Meaning: "usage error"}},
		Subcommands: []*cli.Command{exec.Command(), exec.ReviewCommand(), protoCommand(), mcpServerCommand(), appServerCommand(), ms.Rename(ToolName + " model-server")},
	}
}
