// Package early runs the fused codex binary's light tools from package
// initialisers, before the rest of the binary's initialisers run (issue
// 20). It has no initialiser of its own: package main imports it for the
// three packages below, one per tool, whose initialisers do the work.
//
// Go runs every linked package's initialisers at every start, and the
// fused binary links the TUI (bubbletea) and the MCP SDK (jsonschema,
// encoding/gob): ~1,820 allocations and 317 KiB, against a standalone
// codex-execpolicy's 325 and 51 KiB, and some 230 page faults more. Go
// initialises a package once everything it imports is initialised, and
// among the packages that are ready, the one whose import path sorts
// first ("Package initialization" in the spec). So a package that
// imports one tool is initialised as soon as that tool's imports are,
// well before bubbletea, jsonschema, the MCP SDK and net/http; when argv
// asks for that tool, its initialiser runs it there and exits, and the
// tool sees every package it imports initialised, as in its standalone
// binary.
//
// One package per tool, because a package waits for the last of its
// imports, and one import path that sorts late lets every ready package
// that sorts before it go first: the sandbox's package, importing the
// sandbox alone, runs after 89 initialisers (581 allocations); with the
// policy checker's Starlark and mvdan.cc/sh beside it, it waited for 97
// (866).
//   - early/sandbox: codex-sandbox and its helper, codex-linux-sandbox;
//   - early/policy: codex-execpolicy;
//   - early/login: `codex-login status [--json]`, from codex-login/status,
//     which leaves net/http out (an access token login, which needs the
//     network, goes to the dispatcher).
//
// codexgo.local/codexversion answers `codex --version` before all three.
// Each initialiser ends the process with os.Exit: it is the fused binary's
// main for its tool. Only tools whose imports leave out the heavy
// libraries belong here: a tool that imports net/http or bubbletea would
// wait for most of the others and save nothing.
package early

import (
	"context"
	"io"

	"github.com/codexgo/codex/internal/early/login"
	"github.com/codexgo/codex/internal/early/policy"
	"github.com/codexgo/codex/internal/early/sandbox"
)

// Run runs argv (argv[0] included) as the fused binary's initialisers
// would: if it asks for a light tool (argv[0] named codex-sandbox,
// codex-linux-sandbox or codex-execpolicy, or `codex-login status`
// that status can answer alone). It reports false, having printed
// nothing, for anything else, which the dispatcher in package codex then
// runs. signals makes the context of a tool that stops on a signal (the
// sandbox catches its own).
func Run(signals func() context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer) (code int, handled bool) {
	if code, ok := sandbox.Run(argv, stdin, stdout, stderr); ok {
		return code, true
	}
	if code, ok := policy.Run(signals, argv, stdin, stdout, stderr); ok {
		return code, true
	}
	return login.Run(signals, argv, stdout, stderr)
}
