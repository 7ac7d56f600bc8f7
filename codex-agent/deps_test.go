package agent

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The module's layers, from the bottom: runner (runs one command),
// approval (decides whether it may), tools (what a call does), session
// (the conversation), and the front ends over it (exec; proto, mcp-server
// and app-server), with the root package tying the front ends into the
// binary. A package may import only what its layer lists, so the
// dependencies point one way: the core never imports a front end, tools
// never import the session or a front end.

// modulePath is the module's import path.
const modulePath = "github.com/codexgo/codex-agent"

// layer is the rule of the module's packages under one path (relative to
// the module; "" is the root package): Only, when not nil, lists the only
// module packages it may import directly; Never lists module packages it
// must not import at all, directly or through another.
type layer struct {
	Only  []string
	Never []string
}

// frontEnds are the packages that drive a session for a client.
var frontEnds = []string{"", "exec", "appserver", "mcpserver", "protoserver", "cmd/codex-agent"}

// layers maps a package path (relative to the module) to its rule; a
// package takes the rule of the longest path that is it or a parent.
var layers = map[string]layer{
	"sse":         {Only: []string{}},
	"patch":       {Only: []string{}},
	"model":       {Only: []string{"sse"}},
	"modelserver": {Only: []string{"sse"}},
	"runner":      {Only: []string{}},
	"approval":    {Only: []string{}},
	"tools":       {Only: []string{"runner", "approval", "model", "patch"}},
	"session":     {Only: []string{"tools", "runner", "approval", "model", "patch"}},
	// codex exec drives a session; it is no server's and no core's.
	"exec": {Only: []string{"session", "tools", "runner", "model"}, Never: []string{"", "appserver", "mcpserver", "protoserver", "cmd/codex-agent"}},
	// The servers get the core through interfaces the root fills in.
	"appserver":       {Never: frontEnds},
	"mcpserver":       {Never: frontEnds},
	"protoserver":     {Never: frontEnds},
	"":                {},
	"cmd/codex-agent": {Only: []string{""}},
}

// modPkg is what `go list -json` says of one package of the module.
type modPkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// rel is a module package's path relative to the module ("" for the
// root); ok is false for a package outside it.
func rel(p string) (string, bool) {
	if p == modulePath {
		return "", true
	}
	r, ok := strings.CutPrefix(p, modulePath+"/")
	return r, ok
}

// layerOf finds the rule of a package.
func layerOf(p string) (layer, bool) {
	for {
		if l, ok := layers[p]; ok {
			return l, true
		}
		i := strings.LastIndex(p, "/")
		if i < 0 {
			return layer{}, false
		}
		p = p[:i]
	}
}

// layerViolations applies layers to pkgs.
func layerViolations(pkgs []modPkg) []string {
	var out []string
	for _, p := range pkgs {
		name, _ := rel(p.ImportPath)
		l, ok := layerOf(name)
		if !ok {
			out = append(out, p.ImportPath+" has no layer: add it to layers in deps_test.go")
			continue
		}
		for _, imp := range p.Imports {
			r, in := rel(imp)
			if in && l.Only != nil && !slices.Contains(l.Only, r) {
				out = append(out, p.ImportPath+" -> "+imp+" (not among what its layer may import)")
			}
		}
		for _, dep := range p.Deps {
			r, in := rel(dep)
			if in && slices.Contains(l.Never, r) {
				out = append(out, p.ImportPath+" -> "+dep+" (its layer must not reach it)")
			}
		}
	}
	return out
}

// TestLayers: the module's packages keep to their layers.
func TestLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("go list of the module")
	}
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []modPkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p modPkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < len(layers) {
		t.Errorf("go list found %d packages, fewer than the %d layers", len(pkgs), len(layers))
	}
	for _, v := range layerViolations(pkgs) {
		t.Errorf("forbidden import %s", v)
	}
}

// TestLayersCanFail: the rules catch a core package importing a front end
// and a package no layer covers.
func TestLayersCanFail(t *testing.T) {
	bad := []modPkg{
		{ImportPath: modulePath + "/runner", Imports: []string{modulePath + "/approval"}},
		{ImportPath: modulePath + "/mcpserver", Deps: []string{modulePath}},
		{ImportPath: modulePath + "/nowhere"},
	}
	if v := layerViolations(bad); len(v) != 3 {
		t.Errorf("violations of a bad graph: %q, want 3", v)
	}
}
