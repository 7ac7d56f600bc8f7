package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Options selects what Load layers on top of config.toml.
type Options struct {
	// Profile overrides the file's `profile` key ("" keeps it).
	Profile string
	// Overrides are -c key=value strings: a dotted key path, then a value
	// parsed as TOML, or taken as a raw string when it is not valid TOML.
	Overrides []string
	// Strict makes keys nothing reads an error (--strict-config).
	Strict bool
}

// FileName is the config file's name inside CODEX_HOME.
const FileName = "config.toml"

// errNoProfile reports a selected profile that config.toml lacks.
type errNoProfile struct{ name string }

func (e errNoProfile) Error() string { return fmt.Sprintf("config profile %q not found", e.name) }

// Load reads codexHome/config.toml (a missing file is not an error) and
// returns the effective configuration. A profile missing from the file's
// [profiles] is looked for as codexHome/<profile>.config.toml, the layout
// of the Codex CLI 0.169.
func Load(codexHome string, opts Options) (*Config, error) {
	path := filepath.Join(codexHome, FileName)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		path, data = "", nil
	case err != nil:
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(path, data, opts)
	var np errNoProfile
	if errors.As(err, &np) {
		extra := filepath.Join(codexHome, np.name+".config.toml")
		b, rerr := os.ReadFile(extra)
		if rerr != nil {
			return nil, err
		}
		return parse(path, data, &layer{extra, b}, opts)
	}
	return cfg, err
}

// Parse builds the effective configuration from one config document;
// name is used in error messages.
func Parse(name string, data []byte, opts Options) (*Config, error) {
	return parse(name, data, nil, opts)
}

// layer is a profile kept in a file of its own.
type layer struct {
	name string
	data []byte
}

func parse(name string, data []byte, prof *layer, opts Options) (*Config, error) {
	doc, err := decodeDoc(name, data)
	if err != nil {
		return nil, err
	}
	profile := opts.Profile
	if profile == "" {
		profile, _ = doc["profile"].(string)
	}
	switch {
	case prof != nil:
		l, err := decodeDoc(prof.name, prof.data)
		if err != nil {
			return nil, err
		}
		mergeProfile(doc, l)
	case profile != "":
		profs, _ := doc["profiles"].(map[string]any)
		p, ok := profs[profile].(map[string]any)
		if !ok {
			return nil, errNoProfile{profile}
		}
		mergeProfile(doc, deepCopy(p))
	}
	for _, o := range opts.Overrides {
		if err := applyOverride(doc, o); err != nil {
			return nil, err
		}
	}
	// The files' own values were checked where they were read: what is
	// wrong now came from an override.
	policy, hasPolicy := "", false
	if v, ok := doc[approvalKey]; ok {
		p, verr := approvalFrom(v)
		if verr != nil {
			return nil, fmt.Errorf("-c override %s: %s", strings.Join(append([]string{approvalKey}, verr.path...), "."), verr.msg)
		}
		policy, hasPolicy = p, true
	}
	if profile != "" {
		doc["profile"] = profile
	}
	cfg := Defaults()
	b, err := toml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := toml.Unmarshal(b, &cfg); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			return nil, fmt.Errorf("-c override %s", humanize(de.Key(), de.Error()))
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	if hasPolicy {
		cfg.ApprovalPolicy = policy
	}
	cfg.Raw = doc
	cfg.Path = name
	if opts.Strict {
		if unknown := cfg.Unknown(); len(unknown) > 0 {
			return nil, strictError(&cfg, unknown)
		}
	}
	return &cfg, nil
}

// decodeDoc parses a TOML document into a generic tree, type-checking it
// against Config so that a wrong type is reported at its own line.
func decodeDoc(name string, data []byte) (map[string]any, error) {
	doc := map[string]any{}
	if len(data) == 0 {
		return doc, nil
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, describe(name, data, err)
	}
	var typed Config
	if err := toml.Unmarshal(data, &typed); err != nil {
		return nil, describe(name, data, err)
	}
	if err := checkApproval(name, data, doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// describe turns a go-toml error into "file:line:col: message".
func describe(name string, data []byte, err error) error {
	return Describe(name, err)
}

// Describe turns a go-toml error about the file name into
// "file:line:col: key: expected a string, got an integer": where, which
// key, what was expected, never the Go types behind it.
func Describe(name string, err error) error {
	if name == "" {
		name = FileName
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return fmt.Errorf("%s:%d:%d: %s", name, row, col, humanize(de.Key(), de.Error()))
	}
	return fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "toml: "))
}

// humanize rewrites go-toml's type errors ("cannot decode TOML integer
// into struct field config.Config.Model of type string") in the words of
// the file's author.
func humanize(key []string, msg string) string {
	msg = strings.TrimPrefix(msg, "toml: ")
	k := strings.Join(key, ".")
	if rest, ok := strings.CutPrefix(msg, "cannot decode TOML "); ok {
		got, target, _ := strings.Cut(rest, " into ")
		if i := strings.LastIndex(target, " of type "); i >= 0 {
			target = target[i+len(" of type "):]
		}
		return fmt.Sprintf("%s: expected %s, got %s", k, goTypeWord(target), tomlWord(got))
	}
	if rest, ok := strings.CutPrefix(msg, "cannot store a table in a "); ok {
		return fmt.Sprintf("%s: expected %s, got a table", k, goTypeWord(rest))
	}
	if rest, ok := strings.CutPrefix(msg, "cannot store an array table in a "); ok {
		return fmt.Sprintf("%s: expected %s, got an array of tables", k, goTypeWord(rest))
	}
	if k != "" && !strings.Contains(msg, k) {
		return k + ": " + msg
	}
	return msg
}

// tomlWord names a TOML value kind with its article.
func tomlWord(kind string) string {
	switch kind {
	case "integer", "array", "inline table", "array table":
		return "an " + kind
	case "":
		return "another type"
	}
	return "a " + kind
}

// goTypeWord says what TOML value a Go type takes.
func goTypeWord(t string) string {
	switch {
	case t == "string":
		return `a string (in quotes: "…")`
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "[]string":
		return `an array of strings (["a", "b"])`
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map[") || strings.Contains(t, "."), t == "struct":
		return "a table"
	}
	return "a " + t
}

// applyOverride sets one -c key=value in doc.
func applyOverride(doc map[string]any, o string) error {
	key, val, ok := strings.Cut(o, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return fmt.Errorf("invalid override %q: want key=value", o)
	}
	path, err := keyPath(key)
	if err != nil {
		return fmt.Errorf("invalid override %q: %w", o, err)
	}
	var v any
	var probe map[string]any
	if err := toml.Unmarshal([]byte("v = "+val), &probe); err == nil {
		v = probe["v"]
	} else {
		v = strings.TrimSpace(val)
	}
	m := doc
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
	return nil
}

// keyPath splits a TOML dotted key (quoted parts allowed) into its parts.
func keyPath(key string) ([]string, error) {
	var probe map[string]any
	if err := toml.Unmarshal([]byte(key+" = 0"), &probe); err != nil {
		return nil, fmt.Errorf("bad key %q", key)
	}
	var path []string
	cur := any(probe)
	for {
		m, ok := cur.(map[string]any)
		if !ok || len(m) != 1 {
			break
		}
		for k, v := range m {
			path = append(path, k)
			cur = v
		}
	}
	if len(path) == 0 {
		// Nothing but a comment, say ("#x"): no key at all.
		return nil, fmt.Errorf("bad key %q", key)
	}
	return path, nil
}

// mergeProfile overlays a profile onto the document: as merge, but a
// profile's approval_policy replaces the file's whole (a granular table
// is one value, as in the Codex CLI, not flags to mix).
func mergeProfile(doc, prof map[string]any) {
	if _, ok := prof[approvalKey]; ok {
		delete(doc, approvalKey)
	}
	merge(doc, prof)
}

// merge overlays src onto dst, recursing into tables.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sm, ok := v.(map[string]any); ok {
			v = deepCopy(sm)
		}
		out[k] = v
	}
	return out
}

// Marshal renders a Config as TOML (used by tools that print effective
// settings); Raw is not included.
func Marshal(c *Config) ([]byte, error) {
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// OverrideFlag collects repeatable -c/--config key=value flags; it
// implements flag.Value.
type OverrideFlag []string

// String returns the collected overrides joined by commas.
func (o *OverrideFlag) String() string { return strings.Join(*o, ",") }

// Set appends one override.
func (o *OverrideFlag) Set(s string) error {
	if !strings.Contains(s, "=") {
		return fmt.Errorf("want key=value, got %q", s)
	}
	*o = append(*o, s)
	return nil
}
