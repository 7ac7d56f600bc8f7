package mcpclient

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/codexgo/common/cli"
)

// ToolName is the argv[0] that selects this tool.
const ToolName = "codex-mcp-client"

// serverFlags say which server to talk to and how; they are accepted
// before the subcommand and again after it.
type serverFlags struct {
	timeout        time.Duration
	startupTimeout time.Duration
	env            kvList
	headers        kvList
	url            string
	bearerEnvVar   string
	server         string
	config         string
	stderrMode     string
	stderrFile     string
	protocol       string
	grace          time.Duration
	jsonl          bool
	set            map[string]bool // flags given explicitly
}

// kvList is a repeatable K=V flag.
type kvList []string

func (l *kvList) String() string { return strings.Join(*l, ",") }
func (l *kvList) Set(s string) error {
	if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	*l = append(*l, s)
	return nil
}

func (l kvList) asMap() map[string]string {
	if len(l) == 0 {
		return nil
	}
	m := make(map[string]string, len(l))
	for _, kv := range l {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func (f *serverFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&f.timeout, "timeout", 60*time.Second, "time allowed for each request (tools/call, resources/read, ...)")
	fs.DurationVar(&f.startupTimeout, "startup-timeout", 10*time.Second, "time allowed for the server to start and answer initialize")
	fs.Var(&f.env, "env", "K=V set in the server's environment (repeatable)")
	fs.Var(&f.headers, "header", "K=V HTTP header sent to a --url server (repeatable)")
	fs.StringVar(&f.url, "url", "", "streamable HTTP endpoint of the server")
	fs.StringVar(&f.bearerEnvVar, "bearer-token-env-var", "", "environment variable holding a bearer token for --url")
	fs.StringVar(&f.server, "server", "", "use mcp_servers.NAME from config.toml")
	fs.StringVar(&f.config, "config", "", "config.toml for --server (default $CODEX_HOME/config.toml)")
	fs.StringVar(&f.stderrMode, "server-stderr", "prefix", "server stderr: prefix (lines as \"[name] ...\"), plain, or discard")
	fs.StringVar(&f.stderrFile, "server-stderr-file", "", "append the server's stderr to this file instead")
	fs.StringVar(&f.protocol, "protocol-version", "", "MCP protocol version offered in initialize (default 2025-11-25)")
	fs.DurationVar(&f.grace, "shutdown-grace", 500*time.Millisecond, "wait this long for the server to exit after its stdin is closed, then SIGTERM (and SIGKILL 2s later)")
	fs.BoolVar(&f.jsonl, "jsonl", false, "read one JSON-RPC request per stdin line, write one response per line")
}

// newFlagSet returns a quiet flag set: errors become one line from
// Main, and help is printed only when asked for (printHelp).
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// flagError rewrites ff's wrapped parse errors in the words a user
// reads (--flags as typed, a duration's unit).
func flagError(fs *flag.FlagSet, err error) string {
	return cli.FlagError(fs, err)
}

// splitCommand separates the arguments left after flag parsing into
// positionals and the server command after "--". consumedDash reports
// whether flag parsing itself ate the "--" (then all of rest is the command).
func splitCommand(rest []string, consumedDash bool) (pos, command []string) {
	if consumedDash {
		return nil, rest
	}
	for i, a := range rest {
		if a == "--" {
			return rest[:i], rest[i+1:]
		}
	}
	return rest, nil
}

// dashConsumed reports whether parsing args stopped at a "--" that the
// flag package swallowed.
func dashConsumed(args, rest []string) bool {
	n := len(args) - len(rest)
	return n > 0 && args[n-1] == "--"
}

func stderrPrefix(name string) string { return "[" + name + "] " }

// subFlagSet is the flag set of subcommand sub: the server flags and
// the subcommand's own, bound to sf and inv.
func subFlagSet(sub string, sf *serverFlags, inv *invocation) *flag.FlagSet {
	fs := newFlagSet(sub)
	sf.register(fs)
	if sub == "call" || sub == "get-prompt" {
		fs.StringVar(&inv.argsJSON, "args", "", "arguments as a `JSON` object")
	}
	if sub == "call" {
		fs.StringVar(&inv.argsFile, "args-file", "", "read the arguments JSON from `FILE` (- for stdin)")
	}
	return fs
}

const exitText = "the server failed, timed out or broke the protocol, or the tool returned isError"

// CLI describes codex-mcp-client for --help, man pages and completion.
func CLI() *cli.Command {
	exits := func() []cli.ExitCode {
		return []cli.ExitCode{{Code: "0", Meaning: "ok"}, {Code: "1", Meaning: exitText}, {Code: "2", Meaning: "usage error"}}
	}
	sub := func(name, synopsis, summary, desc string, ex ...cli.Example) *cli.Command {
		return &cli.Command{
			Name: ToolName + " " + name, Synopsis: []string{synopsis}, Summary: summary, Description: desc,
			Flags:    func() *flag.FlagSet { return subFlagSet(name, &serverFlags{}, &invocation{}) },
			Examples: ex, ExitCodes: exits(),
		}
	}
	return &cli.Command{
		Name:    ToolName,
		Summary: "talk to any MCP server: list what it offers, call a tool, read a resource, get a prompt",
		Synopsis: []string{
			"[flags] -- SERVER_CMD [ARG...]",
			"[flags] --url URL",
			"[flags] --server NAME",
			"[flags] COMMAND [flags] [OPERAND] [-- SERVER_CMD [ARG...]]",
			"--jsonl [flags] -- SERVER_CMD [ARG...]",
		},
		Description: `Starts an MCP server (stdio: the command after --), connects to one
(--url, streamable HTTP) or takes one from config.toml (--server NAME),
and prints what it offers as JSON: server info and tools, or the result of
one command. The server is always stopped and reaped, also on Ctrl-C.

Flags come before the command's operand; everything after -- is the
server's command line. The server's stderr is shown as "[name] line" on
stderr (--server-stderr). Every flag can also be set as
CODEX_MCP_CLIENT_<FLAG> (e.g. CODEX_MCP_CLIENT_TIMEOUT=5s).`,
		Flags: func() *flag.FlagSet { fs := newFlagSet(ToolName); (&serverFlags{}).register(fs); return fs },
		Examples: []cli.Example{
			{Command: "codex-mcp-client --startup-timeout 60s -- npx -y @modelcontextprotocol/server-everything", Explain: "server info and tools; the first npx run downloads the package, hence the longer start limit"},
			{Command: "codex-mcp-client --server-stderr discard -- mcp-server-everything", Explain: "the same without the server's stderr"},
			{Command: `codex-mcp-client call --args '{"message":"hi"}' echo -- mcp-server-everything`, Explain: "call the tool echo"},
			{Command: "codex-mcp-client --server docs list-tools", Explain: "the tools of mcp_servers.docs in config.toml"},
		},
		ExitCodes: exits(),
		Subcommands: []*cli.Command{
			sub("call", "[--args JSON | --args-file FILE] TOOL [-- SERVER_CMD...]", "call a tool and print its result",
				"Calls TOOL with the arguments (a JSON object) and prints the result as JSON.\nExit 1 when the tool returns isError.",
				cli.Example{Command: `codex-mcp-client call --args '{"a":2,"b":3}' get-sum -- mcp-server-everything`, Explain: `{"content":[{"type":"text","text":"The sum of 2 and 3 is 5."}]}`}),
			sub("list-tools", "[-- SERVER_CMD...]", "list the server's tools", "Prints the server's tools (every page) as JSON.",
				cli.Example{Command: "codex-mcp-client list-tools -- mcp-server-everything"}),
			sub("list-resources", "[-- SERVER_CMD...]", "list the server's resources", "Prints the server's resources (every page) as JSON.",
				cli.Example{Command: "codex-mcp-client list-resources -- mcp-server-everything"}),
			sub("list-resource-templates", "[-- SERVER_CMD...]", "list the server's resource templates", "Prints the server's resource templates as JSON.",
				cli.Example{Command: "codex-mcp-client list-resource-templates -- mcp-server-everything"}),
			sub("list-prompts", "[-- SERVER_CMD...]", "list the server's prompts", "Prints the server's prompts as JSON.",
				cli.Example{Command: "codex-mcp-client list-prompts -- mcp-server-everything"}),
			sub("read-resource", "URI [-- SERVER_CMD...]", "read one resource", "Reads the resource URI and prints its contents as JSON.",
				cli.Example{Command: "codex-mcp-client read-resource demo://resource/static/document/architecture.md -- mcp-server-everything"}),
			sub("get-prompt", "[--args JSON] NAME [-- SERVER_CMD...]", "get one prompt", "Gets the prompt NAME with its arguments (a JSON object of strings).",
				cli.Example{Command: "codex-mcp-client get-prompt simple-prompt -- mcp-server-everything"}),
		},
	}
}
