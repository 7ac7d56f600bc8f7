package config

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// usedRaw are keys read from Config.Raw rather than a typed field.
var usedRaw = map[string]bool{
	"experimental_resume": true, // the TUI's resume hand-over
	"hooks":               true, // common/hooks reads and checks them
}

// Unknown lists the keys of the merged configuration (file, profile,
// overrides) that no part of codex-go reads, dotted and sorted:
// misspellings, and keys of Codex CLI versions we do not follow.
func (c *Config) Unknown() []string {
	var out []string
	walk(c.Raw, reflect.TypeOf(Config{}), "", &out)
	sort.Strings(out)
	return out
}

func walk(doc map[string]any, t reflect.Type, prefix string, out *[]string) {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name != "" && name != "-" {
			fields[name] = f.Type
		}
	}
	for k, v := range doc {
		key := prefix + k
		ft, ok := fields[k]
		if !ok && k == approvalKey && t == reflect.TypeOf(Config{}) {
			unknownGranular(v, key, out)
			continue
		}
		if !ok {
			if prefix == "" && usedRaw[k] {
				continue
			}
			*out = append(*out, key)
			continue
		}
		m, isMap := v.(map[string]any)
		if !isMap {
			continue
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			walk(m, ft, key+".", out)
		case ft.Kind() == reflect.Map && k == "profiles":
			for name, p := range m {
				if pm, ok := p.(map[string]any); ok {
					walk(pm, reflect.TypeOf(Config{}), key+"."+name+".", out)
				}
			}
		case ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Struct:
			for name, e := range m {
				if em, ok := e.(map[string]any); ok {
					walk(em, ft.Elem(), key+"."+name+".", out)
				}
			}
		}
	}
}

// unknownGranular lists the keys of a granular approval_policy table
// that are not flags (the value itself is checked when it is read).
func unknownGranular(v any, key string, out *[]string) {
	m, _ := v.(map[string]any)
	g, _ := m["granular"].(map[string]any)
	for k := range g {
		if !slices.Contains(granularFlags, k) {
			*out = append(*out, key+".granular."+k)
		}
	}
}

// strictError reports unknown keys, one line each, with where they are.
func strictError(c *Config, unknown []string) error {
	lines := make([]string, 0, len(unknown))
	for _, k := range unknown {
		last := k[strings.LastIndexByte(k, '.')+1:]
		lines = append(lines, fmt.Sprintf("%s: unknown configuration field `%s`", Where(c, last), k))
	}
	return fmt.Errorf("%s (--strict-config: remove them, or run without --strict-config)", strings.Join(lines, "\n"))
}
