// Package codexversion answers `codex --version` from the fused codex
// binary's first initialiser (issue 20).
//
// Go runs every linked package's initialiser at every start, and the
// fused binary's come to about 1,800 allocations and 320 KiB (the TUI,
// the MCP SDK, net/http); printing a version needs none of them. Go
// initialises a package as soon as the packages it imports are, taking
// the ready package whose import path sorts first ("Package
// initialization" in the spec). This package imports only os (common/
// version has no initialiser, so it does not count) and its path sorts
// before github.com/, so its initialiser runs after os's and about 20
// others (~50 allocations), prints the version and exits. It is the fused
// binary's main for that one command, so it ends the process with
// os.Exit; codex's main imports it for that alone. The module path is
// never fetched: go.work and replace directives point at this directory
// (as for codexgo.local/teainit).
package codexversion

import (
	"io"
	"os"

	"github.com/codexgo/common/version"
)

func init() {
	if Run(os.Args, os.Stdout) {
		os.Exit(0)
	}
}

// Run prints the version line to stdout and reports true when argv is
// exactly `codex --version` (or -V, or version) and argv[0]'s base name
// is codex; otherwise it does nothing, and the dispatcher in package
// codex, which answers these too, takes argv.
func Run(argv []string, stdout io.Writer) bool {
	if len(argv) != 2 || !isCodex(argv[0]) || !IsVersion(argv[1]) {
		return false
	}
	Write(stdout)
	return true
}

// IsVersion reports whether a first argument asks codex for its version.
func IsVersion(arg string) bool {
	return arg == "--version" || arg == "-V" || arg == "version"
}

// Write prints codex's version line.
func Write(w io.Writer) {
	_, _ = io.WriteString(w, "codex "+version.Version+"\n")
}

// isCodex reports whether argv0's base name is codex (or codex.exe), as
// selfexec.Name would say; by hand, since path/filepath and strings
// would add their imports' initialisers before this one.
func isCodex(argv0 string) bool {
	base := argv0
	for i := len(argv0) - 1; i >= 0; i-- {
		if argv0[i] == '/' {
			base = argv0[i+1:]
			break
		}
	}
	return base == "codex" || base == "codex.exe"
}
