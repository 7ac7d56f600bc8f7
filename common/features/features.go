// Package features is the table of feature flags codex-go honours
// ([features] in config.toml, --enable/--disable on the command line):
// each flag's stage and default, and the one function that says whether
// a flag is on. Flag names are the Codex CLI 0.169's.
package features

import (
	"fmt"
	"sort"
)

// Stage is a flag's maturity, as `codex features list` prints it.
type Stage string

// The stages.
const (
	Stable     Stage = "stable"
	Deprecated Stage = "deprecated"
)

// Feature is one flag.
type Feature struct {
	Name    string
	Stage   Stage
	Default bool
	// Effect says in one line what turning it on does here.
	Effect string
}

// All returns every flag codex-go honours, by name.
func All() []Feature {
	fs := []Feature{
		{"unified_exec", Stable, true, "exec_command and write_stdin (commands that keep running); off: the classic shell tool"},
		{"apply_patch_freeform", Stable, true, "apply_patch as a freeform (grammar) tool; off: a JSON function tool"},
		{"view_image", Stable, true, "the view_image tool"},
		{"hooks", Stable, true, "run the commands of [hooks] at lifecycle events"},
		{"web_search_request", Deprecated, false, "live web search; use web_search = \"live\""},
		{"web_search_cached", Deprecated, false, "cached web search; use web_search = \"cached\""},
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	return fs
}

// Lookup returns the flag named name.
func Lookup(name string) (Feature, error) {
	for _, f := range All() {
		if f.Name == name {
			return f, nil
		}
	}
	return Feature{}, fmt.Errorf("unknown feature flag: %s (codex features list shows the flags codex-go has)", name)
}

// Enabled says whether name is on given config.toml's [features] and the
// command line's --enable/--disable (applied in that order, the last
// word winning).
func Enabled(name string, config map[string]bool, enable, disable []string) bool {
	on := false
	if f, err := Lookup(name); err == nil {
		on = f.Default
	}
	if v, ok := config[name]; ok {
		on = v
	}
	for _, e := range enable {
		if e == name {
			on = true
		}
	}
	for _, d := range disable {
		if d == name {
			on = false
		}
	}
	return on
}
