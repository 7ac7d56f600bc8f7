package mcpconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	login "github.com/codexgo/codex-login"
	"github.com/codexgo/codex-login/mcpauth"
	"github.com/codexgo/common/atomicfile"
	clidoc "github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
)

// Main runs `codex mcp add|list|get|remove` on $CODEX_HOME/config.toml
// (args start with the subcommand). Texts and --json shapes follow the
// Codex CLI. Exit status: 0 ok (also for removing an unknown server, as
// Codex does), 1 failure, 2 usage.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, openBrowser: login.OpenBrowser}
	err := c.run(args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	}
	_, _ = fmt.Fprintf(stderr, "Error: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

type cli struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// openBrowser opens the authorize URL (nil: print it only).
	openBrowser func(string) error
}

// ToolName is the argv[0] that selects this tool (codex mcp in the fused
// binary).
const ToolName = "codex-mcp"

// mcpFlags are the flags of `codex mcp SUB`, bound to v.
type mcpFlags struct {
	jsonOut       bool
	env           kvFlag
	url, bearerEV string
	// OAuth
	clientID, clientSecret, registration, resource, scopes string
	noBrowser                                              bool
}

// flagSet defines sub's flags; ok is false for an unknown subcommand.
func flagSet(sub string, v *mcpFlags) (*flag.FlagSet, bool) {
	fs := flag.NewFlagSet("codex mcp "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	switch sub {
	case "list", "get":
		fs.BoolVar(&v.jsonOut, "json", false, "output JSON")
	case "add":
		fs.Var(&v.env, "env", "`KEY=VALUE` set when launching the server (repeatable)")
		fs.StringVar(&v.url, "url", "", "`URL` of a streamable HTTP server")
		fs.StringVar(&v.bearerEV, "bearer-token-env-var", "", "environment variable (`VAR`) holding the bearer token")
		fs.StringVar(&v.clientID, "oauth-client-id", "", "OAuth client identifier (`CLIENT_ID`) to use for this server")
		fs.StringVar(&v.clientSecret, "oauth-client-secret", "", "OAuth client secret (`CLIENT_SECRET`) of the pre-registered client")
		fs.StringVar(&v.registration, "oauth-client-registration", "", "client-registration strategy for the immediate login only (`auto|cimd|dcr`)")
		fs.StringVar(&v.resource, "oauth-resource", "", "OAuth resource parameter (`RESOURCE`) to include during MCP login")
	case "login":
		fs.StringVar(&v.scopes, "scopes", "", "comma-separated list of OAuth scopes (`SCOPE,SCOPE`) to request")
		fs.BoolVar(&v.noBrowser, "no-browser", false, "print the authorization URL and accept the callback URL on stdin without opening a browser")
		fs.StringVar(&v.registration, "oauth-client-registration", "", "client-registration strategy for this login only (`auto|cimd|dcr`)")
	case "remove", "logout":
	default:
		return nil, false
	}
	return fs, true
}

// CLI describes codex mcp for --help, man pages and completion.
func CLI() *clidoc.Command {
	exits := func() []clidoc.ExitCode {
		return []clidoc.ExitCode{{Code: "0", Meaning: "ok"}, {Code: "1", Meaning: "config.toml could not be read or written"}, {Code: "2", Meaning: "usage error"}}
	}
	sub := func(name, synopsis, summary, desc string, ex ...clidoc.Example) *clidoc.Command { //nolint:unparam // examples are optional
		return &clidoc.Command{
			Name: ToolName + " " + name, Synopsis: []string{synopsis}, Summary: summary, Description: desc,
			Flags:    func() *flag.FlagSet { fs, _ := flagSet(name, &mcpFlags{}); return fs },
			Examples: ex, ExitCodes: exits(),
		}
	}
	return &clidoc.Command{
		Name:     ToolName,
		Summary:  "manage the MCP servers in config.toml (add, list, get, remove, login, logout)",
		Synopsis: []string{"COMMAND [flags] [ARGS...]"},
		Description: `Manages the [mcp_servers] tables of $CODEX_HOME/config.toml, as
"codex mcp" of the Codex CLI does (same texts, same --json shapes). The
file is rewritten atomically; its comments and other tables are kept.`,
		Examples: []clidoc.Example{
			{Command: "codex mcp add docs -- npx -y @modelcontextprotocol/server-everything", Explain: "add a stdio server"},
			{Command: "codex mcp list", Explain: "the configured servers"},
		},
		ExitCodes: exits(),
		Subcommands: []*clidoc.Command{
			sub("add", "NAME [--env KEY=VALUE]... -- COMMAND [ARG...] | NAME --url URL [--bearer-token-env-var VAR]", "add a server entry",
				"Adds mcp_servers.NAME: a stdio server started as COMMAND, or a streamable\nHTTP server at --url.",
				clidoc.Example{Command: "codex mcp add docs --env API_KEY=x -- docs-server --stdio"},
				clidoc.Example{Command: "codex mcp add search --url https://example.com/mcp --bearer-token-env-var SEARCH_TOKEN"}),
			sub("list", "[--json]", "list the configured servers", "Lists the servers of config.toml as a table, or as JSON.",
				clidoc.Example{Command: "codex mcp list --json"}),
			sub("get", "NAME [--json]", "show one server's entry", "Shows mcp_servers.NAME.",
				clidoc.Example{Command: "codex mcp get docs"}),
			sub("remove", "NAME", "remove a server entry", "Removes mcp_servers.NAME (exit 0 also when there is none, as Codex does).",
				clidoc.Example{Command: "codex mcp remove docs"}),
			sub("login", "NAME [--scopes SCOPE,SCOPE] [--no-browser] [--oauth-client-registration auto|dcr]", "log in to a streamable HTTP server with OAuth",
				"Runs the OAuth authorization code flow with PKCE for mcp_servers.NAME: the\nbrowser opens the authorization server, which redirects to a callback on\n127.0.0.1 (mcp_oauth_callback_port / mcp_oauth_callback_url place it). The\nclient registers itself (RFC 7591) unless [mcp_servers.NAME.oauth] names\none; the resource indicator is oauth_resource or the server's URL. Tokens\ngo to $CODEX_HOME/.credentials.json (0600) and are refreshed as needed.",
				clidoc.Example{Command: "codex mcp login docs --scopes mcp:tools"}),
			sub("logout", "NAME", "remove a server's stored OAuth tokens", "Removes the OAuth tokens `codex mcp login NAME` stored.",
				clidoc.Example{Command: "codex mcp logout docs"}),
		},
	}
}

func (c *cli) run(args []string) error {
	if len(args) == 0 {
		return usagef("a subcommand is required: add, list, get, remove, login or logout (codex mcp --help)")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		cmd := CLI()
		if len(args) > 1 && cmd.Sub(args[1]) != nil {
			cmd = cmd.Sub(args[1])
		}
		cmd.WriteHelp(c.stdout)
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	var v mcpFlags
	fs, ok := flagSet(sub, &v)
	if !ok {
		return usagef("unrecognized subcommand '%s' (want add, list, get, remove, login or logout)", sub)
	}
	jsonOut := &v.jsonOut
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			CLI().Sub(sub).WriteHelp(c.stdout)
			return err
		}
		return usagef("%s", clidoc.FlagError(fs, err))
	}
	path, err := c.configPath()
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		if len(pos) != 0 {
			return usagef("unexpected argument '%s'", pos[0])
		}
		return c.list(path, *jsonOut)
	case "get":
		if len(pos) != 1 {
			return usagef("get takes exactly one server name")
		}
		return c.get(path, pos[0], *jsonOut)
	case "remove":
		if len(pos) != 1 {
			return usagef("remove takes exactly one server name")
		}
		return c.remove(path, pos[0])
	case "login", "logout":
		if len(pos) != 1 {
			return usagef("%s takes exactly one server name", sub)
		}
		if sub == "logout" {
			return c.logout(path, pos[0])
		}
		return c.login(path, pos[0], &v)
	}
	if len(pos) == 0 {
		return usagef("add needs a server name")
	}
	return c.add(path, pos[0], pos[1:], &v)
}

// parseInterspersed parses flags anywhere before "--"; everything after
// "--" is positional (the server's command line).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

type kvFlag map[string]string

func (k *kvFlag) String() string { return "" }
func (k *kvFlag) Set(s string) error {
	key, val, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(key) == "" {
		return errors.New("environment entries must be in KEY=VALUE form")
	}
	if *k == nil {
		*k = kvFlag{}
	}
	(*k)[strings.TrimSpace(key)] = val
	return nil
}

func (c *cli) configPath() (string, error) {
	home, err := codexhome.Dir(c.getenv)
	if err != nil {
		return "", err
	}
	return Path(home), nil
}

func validateName(name string) error {
	if !ValidName(name) {
		return usagef("invalid server name '%s' (use letters, numbers, '-', '_')", name)
	}
	return nil
}

func (c *cli) add(path, name string, command []string, v *mcpFlags) error {
	env, url, bearerEV := v.env, v.url, v.bearerEV
	if err := validateName(name); err != nil {
		return err
	}
	if url == "" && (v.clientID != "" || v.clientSecret != "" || v.resource != "" || v.registration != "") {
		return usagef("the --oauth-* flags are only supported with --url")
	}
	var srv Server
	switch {
	case url != "" && len(command) > 0:
		return usagef("use either --url or a command after --, not both")
	case url != "":
		if len(env) > 0 {
			return usagef("--env is only supported for stdio servers")
		}
		srv = Server{URL: url, BearerTokenEnvVar: bearerEV, OAuthResource: v.resource}
		if v.clientID != "" || v.clientSecret != "" {
			srv.OAuth = &config.McpOAuth{ClientID: v.clientID, ClientSecret: v.clientSecret}
			if v.clientID != "" {
				// A pre-registered client needs a fixed redirect URI to
				// register; the port stays free (RFC 8252 §7.3).
				srv.OAuth.CallbackURL = "http://127.0.0.1/callback/" + mcpauth.RandomID(12)
			}
		}
	case len(command) > 0:
		if bearerEV != "" {
			return usagef("--bearer-token-env-var is only supported with --url")
		}
		srv = Server{Command: command[0], Args: command[1:], Env: env}
	default:
		return usagef("exactly one of --url or a command after -- must be provided")
	}
	data, mode, err := readConfig(path)
	if err != nil {
		return err
	}
	out, err := SetServer(data, name, srv)
	if err != nil {
		return err
	}
	if err := checkEdit(out, name, &srv); err != nil {
		return err
	}
	if err := writeConfig(path, out, mode); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(c.stdout, "Added global MCP server '%s'.\n", name)
	if srv.OAuth != nil && srv.OAuth.CallbackURL != "" {
		_, _ = fmt.Fprintf(c.stdout, "OAuth callback URL: %s\n", srv.OAuth.CallbackURL)
	}
	if srv.UsesOAuth() {
		return c.afterAdd(path, name, srv, v)
	}
	return nil
}

func (c *cli) remove(path, name string) error {
	if err := validateName(name); err != nil {
		return err
	}
	data, mode, err := readConfig(path)
	if err != nil {
		return err
	}
	out, found, err := RemoveServer(data, name)
	if err != nil {
		return err
	}
	if !found {
		_, _ = fmt.Fprintf(c.stdout, "No MCP server named '%s' found.\n", name)
		return nil
	}
	if err := checkEdit(out, name, nil); err != nil {
		return err
	}
	if err := writeConfig(path, out, mode); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(c.stdout, "Removed global MCP server '%s'.\n", name)
	return nil
}

// checkEdit re-reads the edited document: it must parse, and hold want
// for name (or no such server when want is nil). A user's layout that the
// editor cannot handle is refused rather than written broken.
func checkEdit(out []byte, name string, want *Server) error {
	servers, err := Parse(out)
	if err != nil {
		return fmt.Errorf("refusing to write config.toml: the edit would not parse: %w", err)
	}
	got, ok := servers[name]
	switch {
	case want == nil && ok:
		return errors.New("refusing to write config.toml: the server is still defined after the edit")
	case want != nil && (!ok || !sameServer(got, *want)):
		return errors.New("refusing to write config.toml: the edit did not produce the requested server")
	}
	return nil
}

func sameServer(a, b Server) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func readConfig(path string) ([]byte, os.FileMode, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0o600, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	mode := os.FileMode(0o600)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	return data, mode, nil
}

func writeConfig(path string, data []byte, mode os.FileMode) error {
	if err := codexhome.Ensure(dirOf(path)); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, mode)
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i > 0 {
		return path[:i]
	}
	return "."
}

// formatSeconds prints a timeout as Rust's f64 Display does (10 -> "10",
// 1.5 -> "1.5").
func formatSeconds(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
