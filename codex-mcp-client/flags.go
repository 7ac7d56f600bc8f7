package mcpclient

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

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

// printHelp writes usage and the flag defaults to w.
func printHelp(w io.Writer, fs *flag.FlagSet, usage string) {
	_, _ = fmt.Fprint(w, usage)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// flagError shortens ff's wrapped parse errors to the flag package's line.
func flagError(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing commandline arguments: ")
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

const usageText = `usage:
  codex-mcp-client [flags] -- SERVER_CMD [ARG...]              initialize; print server info and tools as JSON
  codex-mcp-client [flags] --url URL                           the same for a streamable HTTP server
  codex-mcp-client [flags] --server NAME                       a server from config.toml's mcp_servers
  codex-mcp-client [flags] call [--args JSON | --args-file F] TOOL [-- SERVER_CMD...]
  codex-mcp-client [flags] list-tools|list-resources|list-resource-templates|list-prompts [-- SERVER_CMD...]
  codex-mcp-client [flags] read-resource URI [-- SERVER_CMD...]
  codex-mcp-client [flags] get-prompt [--args JSON] NAME [-- SERVER_CMD...]
  codex-mcp-client --jsonl [flags] -- SERVER_CMD...            one JSON-RPC request per stdin line

Flags come before the subcommand's operand; everything after -- is the
server's command line. Every flag can also be set as CODEX_MCP_CLIENT_<FLAG>.
Exit status: 0 ok, 1 failure (server failed, timed out, protocol error, tool
returned isError), 2 usage.

flags:
`
