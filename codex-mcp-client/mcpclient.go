// Package mcpclient is the codex-mcp-client tool: it starts (or connects
// to) any MCP server and prints what it offers, calls a tool, reads a
// resource or gets a prompt, all as JSON on stdout; with --jsonl it
// serves one request per stdin line. The server is always stopped and
// reaped, even when the context is cancelled (Ctrl-C).
package mcpclient

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/version"
	"github.com/peterbourgon/ff/v3"
)

// Main runs codex-mcp-client with args (without the program name) and
// returns the exit status: 0 ok, 1 runtime failure, 2 usage.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if cli.IsVersion(args) {
		cli.PrintVersion(stdout, ToolName, version.Version)
		return 0
	}
	r := &runner{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, environ: os.Environ()}
	err := r.run(ctx, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	_, _ = fmt.Fprintf(stderr, "codex-mcp-client: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError marks bad invocations (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// runner holds the injected process environment.
type runner struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	environ        []string
}

// invocation is a parsed command line.
type invocation struct {
	sub      string   // "" describes the server
	operand  string   // TOOL, URI or NAME
	command  []string // server command line after --
	argsJSON string
	argsFile string
	toolArgs map[string]any // call's arguments, parsed before the server starts
	// promptArgs are get-prompt's arguments.
	promptArgs map[string]string
}

// operand names the subcommand's one operand ("" for none); ok is false
// for names that are not subcommands.
func operand(sub string) (name string, ok bool) {
	switch sub {
	case "call":
		return "TOOL", true
	case "read-resource":
		return "URI", true
	case "get-prompt":
		return "NAME", true
	case "list-tools", "list-resources", "list-resource-templates", "list-prompts":
		return "", true
	}
	return "", false
}

func (r *runner) run(ctx context.Context, args []string) error {
	var sf serverFlags
	inv, err := r.parse(args, &sf)
	if err != nil {
		return err
	}
	name, srv, err := r.resolveServer(&sf, inv.command)
	if err != nil {
		return err
	}
	closeLog, opts, err := r.connOptions(&sf, name, inv.command)
	if err != nil {
		return err
	}
	defer closeLog()

	startCtx, cancel := context.WithTimeout(ctx, startupTimeout(&sf, srv))
	conn, err := mcpconn.Dial(startCtx, name, srv, opts)
	cancel()
	if err != nil {
		return startErr(ctx, err, name, &sf, startupTimeout(&sf, srv))
	}
	defer func() { _ = conn.Close() }()

	op := &operation{conn: conn, timeout: callTimeout(&sf, srv), stdout: r.stdout, stdin: r.stdin}
	if sf.jsonl {
		return op.serveJSONL(ctx)
	}
	return op.run(ctx, inv)
}

// parse reads root flags, the subcommand and its flags, and the server
// command after "--".
func (r *runner) parse(args []string, sf *serverFlags) (*invocation, error) {
	inv := &invocation{}
	root := newFlagSet("codex-mcp-client")
	sf.register(root)
	if err := ff.Parse(root, args, ff.WithEnvVarPrefix("CODEX_MCP_CLIENT")); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			CLI().WriteHelp(r.stdout)
			return nil, err
		}
		return nil, usagef("%s", flagError(root, err))
	}
	sf.set = map[string]bool{}
	root.Visit(func(f *flag.Flag) { sf.set[f.Name] = true })
	rest := root.Args()
	var pos []string
	if dashConsumed(args, rest) || len(rest) == 0 {
		inv.command = rest
	} else if opName, ok := operand(rest[0]); ok {
		inv.sub = rest[0]
		rootVals := map[string]string{}
		root.Visit(func(f *flag.Flag) {
			if f.Name != "env" && f.Name != "header" {
				rootVals[f.Name] = f.Value.String()
			}
		})
		sub := subFlagSet(inv.sub, sf, inv)
		// register re-applies defaults to scalar flags; restore what the
		// root parse set (repeatable flags keep their values).
		for name, val := range rootVals {
			_ = sub.Set(name, val)
		}
		if err := sub.Parse(rest[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				CLI().Sub(inv.sub).WriteHelp(r.stdout)
				return nil, err
			}
			return nil, usagef("%s: %s", inv.sub, flagError(sub, err))
		}
		sub.Visit(func(f *flag.Flag) { sf.set[f.Name] = true })
		left := sub.Args()
		pos, inv.command = splitCommand(left, dashConsumed(rest[1:], left))
		switch {
		case opName != "" && len(pos) == 0:
			return nil, usagef("%s: missing %s (flags go before it, the server command after --)", inv.sub, opName)
		case opName != "" && len(pos) > 1, opName == "" && len(pos) > 0:
			return nil, usagef("%s: unexpected argument %q (the server command goes after --)", inv.sub, pos[len(pos)-1])
		case opName != "":
			inv.operand = pos[0]
		}
	} else {
		pos, inv.command = splitCommand(rest, false)
		return nil, usagef("unknown command %q (flags go before the subcommand; the server command goes after --)", pos[0])
	}
	if sf.jsonl && inv.sub != "" {
		return nil, usagef("--jsonl takes no subcommand")
	}
	if inv.argsJSON != "" && inv.argsFile != "" {
		return nil, usagef("call: --args and --args-file are exclusive")
	}
	if inv.sub == "get-prompt" && inv.argsJSON != "" {
		if err := json.Unmarshal([]byte(inv.argsJSON), &inv.promptArgs); err != nil {
			return nil, usagef("get-prompt --args: want a JSON object of strings: %v", err)
		}
	}
	if inv.sub == "call" {
		args, err := toolArgs(inv, r.stdin)
		if err != nil {
			return nil, err
		}
		inv.toolArgs = args
	}
	return inv, nil
}

// resolveServer picks the server from --server, --url or the command.
func (r *runner) resolveServer(sf *serverFlags, command []string) (string, mcpconfig.Server, error) {
	n := 0
	for _, b := range []bool{sf.server != "", sf.url != "", len(command) > 0} {
		if b {
			n++
		}
	}
	if n != 1 {
		return "", mcpconfig.Server{}, usagef("name exactly one server: -- SERVER_CMD..., --url URL or --server NAME")
	}
	switch {
	case sf.server != "":
		path := sf.config
		if path == "" {
			home, err := codexhome.Dir(r.getenv)
			if err != nil {
				return "", mcpconfig.Server{}, err
			}
			path = mcpconfig.Path(home)
		}
		servers, err := mcpconfig.Load(path)
		if err != nil {
			return "", mcpconfig.Server{}, err
		}
		srv, ok := servers[sf.server]
		if !ok {
			return "", mcpconfig.Server{}, usagef("no MCP server named %q in %s", sf.server, path)
		}
		srv.Env = merge(srv.Env, sf.env.asMap())
		srv.HTTPHeaders = merge(srv.HTTPHeaders, sf.headers.asMap())
		if sf.bearerEnvVar != "" {
			srv.BearerTokenEnvVar = sf.bearerEnvVar
		}
		return sf.server, srv, nil
	case sf.url != "":
		if len(sf.env) > 0 {
			return "", mcpconfig.Server{}, usagef("--env applies to stdio servers, not --url")
		}
		name := sf.url
		if u, err := url.Parse(sf.url); err == nil && u.Host != "" {
			name = u.Host
		}
		return name, mcpconfig.Server{URL: sf.url, BearerTokenEnvVar: sf.bearerEnvVar, HTTPHeaders: sf.headers.asMap()}, nil
	}
	if len(sf.headers) > 0 || sf.bearerEnvVar != "" {
		return "", mcpconfig.Server{}, usagef("--header and --bearer-token-env-var apply to --url servers")
	}
	return filepath.Base(command[0]), mcpconfig.Server{Command: command[0], Args: command[1:], Env: sf.env.asMap()}, nil
}

func merge(a, b map[string]string) map[string]string {
	if len(b) == 0 {
		return a
	}
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// connOptions wires the server's stderr and environment. An ad-hoc
// command inherits our whole environment, as any Unix tool's child
// would; a configured server gets Codex's whitelist.
func (r *runner) connOptions(sf *serverFlags, name string, command []string) (func(), mcpconn.Options, error) {
	opts := mcpconn.Options{Getenv: r.getenv, ProtocolVersion: sf.protocol, Grace: sf.grace}
	if sf.grace <= 0 {
		opts.Grace = -1 // SIGTERM as soon as stdin is closed
	}
	if len(command) > 0 {
		opts.Environ = r.environ
	}
	closeLog := func() {}
	switch {
	case sf.stderrFile != "":
		f, err := os.OpenFile(sf.stderrFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, opts, fmt.Errorf("open server stderr file: %w", err)
		}
		opts.Stderr = f
		closeLog = func() { _ = f.Close() }
	case sf.stderrMode == "prefix":
		opts.Stderr, opts.StderrPrefix = r.stderr, stderrPrefix(name)
	case sf.stderrMode == "plain":
		opts.Stderr = r.stderr
	case sf.stderrMode == "discard":
	default:
		return nil, opts, usagef("--server-stderr: want prefix, plain or discard, got %q", sf.stderrMode)
	}
	return closeLog, opts, nil
}

func startupTimeout(sf *serverFlags, srv mcpconfig.Server) time.Duration {
	if sf.set["startup-timeout"] || sf.server == "" {
		return sf.startupTimeout
	}
	return srv.StartupTimeout()
}

func callTimeout(sf *serverFlags, srv mcpconfig.Server) time.Duration {
	if sf.set["timeout"] || sf.server == "" {
		return sf.timeout
	}
	return srv.ToolTimeout()
}

// startErr says which server did not start, how to give it longer and
// what it last wrote to stderr.
func startErr(parent context.Context, err error, name string, sf *serverFlags, limit time.Duration) error {
	var se *mcpconn.StartError
	if parent.Err() != nil || !errors.As(err, &se) || !errors.Is(err, context.DeadlineExceeded) {
		return describeErr(parent, err, "start", limit)
	}
	hint := "raise the limit with --startup-timeout " + shortDuration(max(4*limit, time.Minute))
	if sf.server != "" {
		hint += " or startup_timeout_sec in config.toml"
	}
	msg := fmt.Sprintf("start: MCP server %s did not answer initialize within %s; %s", name, limit, hint)
	if name == "npx" || name == "uvx" || name == "bunx" {
		msg += " (a first " + name + " run may still be downloading the package)"
	}
	if se.StderrTail != "" {
		msg += "; its last stderr lines: " + se.StderrTail
	} else {
		msg += "; it wrote nothing to stderr"
	}
	return errors.New(msg)
}

// shortDuration prints d as a user types it: 1m, 90s, 2m30s.
func shortDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// describeErr turns context errors into plain words.
func describeErr(parent context.Context, err error, what string, limit time.Duration) error {
	switch {
	case parent.Err() != nil:
		return fmt.Errorf("%s: interrupted", what)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: timed out after %s", what, limit)
	}
	return err
}

// writeJSON prints raw when the server's own bytes are known, else v.
func writeJSON(w io.Writer, raw json.RawMessage, v any) error {
	if raw == nil {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode result: %w", err)
		}
		raw = b
	}
	if _, err := w.Write(append(append([]byte(nil), raw...), '\n')); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
