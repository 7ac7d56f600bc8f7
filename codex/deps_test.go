package codex

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pkgInfo is what `go list -json` says of one package.
type pkgInfo struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// listPackages lists the packages of a module of the workspace with
// their direct imports and all their dependencies.
func listPackages(t *testing.T, module string) []pkgInfo {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = filepath.Join("..", module)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list in %s: %v\n%s", module, err, ee.Stderr)
		}
		t.Fatalf("go list in %s: %v", module, err)
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkgInfo
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// boundary is an import rule: no package of Module may import (Direct)
// or link at all (else) a package whose path starts with one of
// Forbidden; Allow lists exceptions.
type boundary struct {
	Module    string
	Direct    bool
	Forbidden []string
	Allow     []string
	Why       string
}

// tuiRenderers are the terminal UI's packages and libraries.
var tuiRenderers = []string{"github.com/codexgo/codex-tui", "github.com/charmbracelet/", "github.com/yuin/goldmark", "github.com/alecthomas/chroma"}

var boundaries = []boundary{
	{Module: "common", Forbidden: []string{"github.com/codexgo/codex-"}, Why: "common is the base every tool builds on"},
	{Module: "codex-execpolicy", Forbidden: append([]string{"github.com/codexgo/codex-agent", "github.com/codexgo/codex-sandbox", "github.com/codexgo/codex-linux-sandbox", "github.com/codexgo/codex-mcp-client", "github.com/codexgo/codex-login"}, tuiRenderers...),
		Why: "the policy engine is a pure function of its rules"},
	{Module: "codex-linux-sandbox", Forbidden: append([]string{"github.com/codexgo/codex-agent", "github.com/codexgo/codex-sandbox", "github.com/codexgo/codex-execpolicy", "github.com/codexgo/codex-mcp-client", "github.com/codexgo/codex-login", "net/http"}, tuiRenderers...),
		Why: "the helper other CLIs ship stays small: no agent, no network client, no TUI"},
	{Module: "codex-sandbox", Forbidden: append([]string{"github.com/codexgo/codex-agent", "github.com/codexgo/codex-mcp-client", "github.com/codexgo/codex-login"}, tuiRenderers...),
		Why: "the sandbox must not link the agent or the TUI's renderers"},
	{Module: "codex-mcp-client", Forbidden: append([]string{"github.com/codexgo/codex-agent", "github.com/codexgo/codex-sandbox"}, tuiRenderers...),
		Why: "the MCP client knows nothing of the agent"},
	{Module: "codex-login", Forbidden: append([]string{"github.com/codexgo/codex-agent", "github.com/codexgo/codex-sandbox"}, tuiRenderers...),
		Why: "login knows nothing of the agent"},
	{Module: "codex-agent", Forbidden: tuiRenderers, Why: "the agent's front ends speak JSON and plain text; the TUI is a client of them"},
	{Module: "codex-agent", Direct: true, Forbidden: []string{"github.com/codexgo/codex-linux-sandbox"},
		Why: "the agent reaches the sandbox through codex-sandbox, never the Linux helper's internals"},
	{Module: "codex-tui", Direct: true, Forbidden: []string{"github.com/codexgo/codex-linux-sandbox", "github.com/codexgo/codex-sandbox/internal"},
		Why: "the TUI drives the agent, not the sandbox's internals"},
}

// violations applies a rule to packages.
func violations(b boundary, pkgs []pkgInfo) []string {
	var out []string
	for _, p := range pkgs {
		list := p.Deps
		if b.Direct {
			list = p.Imports
		}
		for _, imp := range list {
			for _, f := range b.Forbidden {
				if !strings.HasPrefix(imp, f) || allowed(imp, b.Allow) {
					continue
				}
				out = append(out, p.ImportPath+" -> "+imp)
			}
		}
	}
	return out
}

func allowed(imp string, allow []string) bool {
	for _, a := range allow {
		if strings.HasPrefix(imp, a) {
			return true
		}
	}
	return false
}

// TestImportBoundaries: the modules keep to their layers (tailscale's
// deps_test, across the workspace).
func TestImportBoundaries(t *testing.T) {
	if testing.Short() {
		t.Skip("go list of every module")
	}
	cache := map[string][]pkgInfo{}
	for _, b := range boundaries {
		pkgs, ok := cache[b.Module]
		if !ok {
			pkgs = listPackages(t, b.Module)
			cache[b.Module] = pkgs
		}
		if len(pkgs) == 0 {
			t.Errorf("%s: no packages listed", b.Module)
		}
		for _, v := range violations(b, pkgs) {
			t.Errorf("forbidden import %s (%s)", v, b.Why)
		}
	}
	// The rules can fail: the TUI itself links its renderers, and the
	// sandbox links the Linux helper.
	if v := violations(boundary{Forbidden: tuiRenderers}, listPackages(t, "codex-tui")); len(v) == 0 {
		t.Error("the renderer rule finds nothing in codex-tui: it cannot fail")
	}
	if v := violations(boundary{Direct: true, Forbidden: []string{"github.com/codexgo/codex-linux-sandbox"}}, listPackages(t, "codex-sandbox")); len(v) == 0 {
		t.Error("the helper rule finds nothing in codex-sandbox: it cannot fail")
	}
}
