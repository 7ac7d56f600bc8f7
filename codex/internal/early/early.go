// Package early runs the fused codex binary's light tools from its first
// initialisers, before the rest of the binary's initialisers run (issue
// 20).
//
// Go runs every linked package's initialisers at every start, and the
// fused binary links the TUI (bubbletea) and the MCP SDK (jsonschema,
// encoding/gob): 1,820 allocations and 317 KiB against a standalone
// codex-execpolicy's 325 and 51 KiB, and some 230 page faults more, most
// of what a start through a link cost more (~1 ms here). Go
// initialises a package once everything it imports is initialised, and
// among the packages that are ready, the one whose import path sorts
// first ("Package initialization" in the spec). So this package's
// initialiser runs as soon as the packages its tools import are
// initialised, well before bubbletea's and jsonschema's, and when argv
// asks for one of those tools it runs it there and exits: the tool sees
// every package it imports initialised, as in its standalone binary.
//
// It is the fused binary's main for these tools, so it ends the process
// with os.Exit; package main imports it for that alone. Only tools whose
// imports leave out the heavy libraries belong here: a tool that imports
// net/http would make this initialiser wait for most of the others. So
// of codex-login only `status` runs here, from codex-login/status, which
// leaves net/http out (and leaves an access token login, which needs the
// network, to the dispatcher).
package early

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	execpolicy "github.com/codexgo/codex-execpolicy"
	"github.com/codexgo/codex-login/status"
	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/selfexec"
)

// loginToolName is login.ToolName, which this package cannot import
// (package login imports net/http); were they to differ,
// TestEarlyMatchesBundle would find none of its codex-login cases run.
const loginToolName = "codex-login"

func init() {
	if code, ok := Run(notifyContext, os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
}

// notifyContext is cancelled by the signals package codex's main
// catches. It is never stopped: the process exits when the tool returns
// (see codex-sandbox's main).
func notifyContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	return ctx
}

// Run runs argv (argv[0] included) if it asks for a light tool: argv[0]
// named codex-sandbox, codex-linux-sandbox or codex-execpolicy, or
// codex-login with arguments status.Command takes (`status [--json]`,
// but not for an access token login); codexgo.local/codexversion
// answers `codex --version` before. It reports false, having printed
// nothing, for anything else, which the dispatcher in package codex then
// runs. signals makes the context of a tool that stops on a signal (the
// sandbox catches its own).
func Run(signals func() context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer) (code int, handled bool) {
	if len(argv) == 0 {
		return 0, false
	}
	// The sandbox and its helper, as in their standalone mains: the
	// helper before any signal set-up, which it must not pay for.
	if code, ok := sandbox.BecomeHelperIfRequested(argv, stdin, stdout, stderr); ok {
		return code, true
	}
	switch selfexec.Name(argv[0]) {
	case execpolicy.ToolName:
		return execpolicy.Main(signals(), argv[1:], stdin, stdout, stderr), true
	case loginToolName:
		// Its other commands are left without a signal handler set up.
		if len(argv) < 2 || argv[1] != "status" {
			return 0, false
		}
		env := status.Env{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
		return status.Command(signals(), argv[1:], env)
	}
	return 0, false
}
