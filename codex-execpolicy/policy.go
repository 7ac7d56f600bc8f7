// Package execpolicy decides whether a proposed command may run: allow,
// prompt (ask the user) or forbidden. It understands shell scripts
// (mvdan.cc/sh), flags as programs parse them, wrappers such as sudo, env
// and xargs, and Starlark policy files in two vocabularies: the typed
// define_program of the original Codex engine and the prefix_rule of
// Codex .rules files.
package execpolicy

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

//go:embed default.policy
var defaultPolicy []byte

// DefaultPolicySource is the embedded default policy, for display.
func DefaultPolicySource() []byte { return append([]byte(nil), defaultPolicy...) }

// Policy is a loaded, immutable set of rules. Load it once; Check is safe
// for concurrent use.
type Policy struct {
	specs       map[string][]*programSpec
	prefix      map[string][]*prefixRule
	nPrefix     int
	hostExec    map[string][]string
	network     []NetworkRule
	forbidSubs  []sourced
	forbidRegex []programRegex
	files       []string
	home        string
	// defaults holds the compiled default policy's specs, built per
	// program on first use (nil with NoDefault).
	defaults *defaultCache
	// parsers reuses shell parsers (large buffers) across checks.
	parsers sync.Pool
}

// defaultCache builds default specs lazily so a process that checks one
// command only pays for the programs it meets.
type defaultCache struct {
	m    sync.Map // program -> []*programSpec
	stat func(string) bool
}

func (c *defaultCache) get(program string) []*programSpec {
	if v, ok := c.m.Load(program); ok {
		return v.([]*programSpec)
	}
	specs := defaultSpecsFor(program)
	for _, s := range specs {
		s.finish()
		for _, sp := range s.systemPath {
			if c.stat(sp) {
				s.exe = sp
				break
			}
		}
	}
	v, _ := c.m.LoadOrStore(program, specs)
	return v.([]*programSpec)
}

// specsFor returns the user specs for program, then the default ones.
func (p *Policy) specsFor(program string) []*programSpec {
	user := p.specs[program]
	if p.defaults == nil {
		return user
	}
	def := p.defaults.get(program)
	if len(user) == 0 {
		return def
	}
	return append(append([]*programSpec(nil), user...), def...)
}

type sourced struct{ s, source string }

type programRegex struct {
	re     *regexp.Regexp
	reason string
	source string
}

// NetworkRule is a network_rule() from a .rules file. It is reported, not
// enforced: the network proxy is another tool's job.
type NetworkRule struct {
	Host          string `json:"host"`
	Protocol      string `json:"protocol"`
	Decision      string `json:"decision"`
	Justification string `json:"justification,omitempty"`
	Source        string `json:"source"`
}

// NetworkRules returns the network rules the policy declared.
func (p *Policy) NetworkRules() []NetworkRule { return append([]NetworkRule(nil), p.network...) }

// Files lists the policy files loaded, in load order ("default.policy"
// first unless disabled).
func (p *Policy) Files() []string { return append([]string(nil), p.files...) }

func newPolicy() *Policy {
	return &Policy{
		specs:    map[string][]*programSpec{},
		prefix:   map[string][]*prefixRule{},
		hostExec: map[string][]string{},
	}
}

func (p *Policy) addSpec(s *programSpec, user bool) {
	s.user = user
	p.specs[s.program] = append(p.specs[s.program], s)
}

// Source is one policy file's name and contents.
type Source struct {
	Name string
	Data []byte
}

// Options say which policies Load reads.
type Options struct {
	// NoDefault skips the embedded default policy.
	NoDefault bool
	// CodexHome, when set, adds CodexHome/rules/*.rules (sorted).
	CodexHome string
	// ProjectDir, when set, adds ProjectDir/.codex/rules/*.rules (sorted).
	ProjectDir string
	// Files are extra policy files (--policy), loaded last.
	Files []string
	// Home expands ~/ in host_executable paths and ~ in arguments.
	Home string
	// Exists reports whether a system_path entry exists (to pick the
	// trusted executable); nil means os.Stat.
	Exists func(path string) bool
}

// PolicyFiles lists the user policy files opts selects, in load order.
func PolicyFiles(opts Options) ([]string, error) {
	var out []string
	for _, dir := range []string{opts.CodexHome, opts.ProjectDir} {
		if dir == "" {
			continue
		}
		rules := filepath.Join(dir, "rules")
		if dir == opts.ProjectDir {
			rules = filepath.Join(dir, ".codex", "rules")
		}
		m, err := filepath.Glob(filepath.Join(rules, "*.rules"))
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", rules, err)
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	return append(out, opts.Files...), nil
}

// Load reads the default policy and the user policies opts names. Any
// error in any file fails the whole load (a broken policy must never
// silently weaken a forbid); the error reads file:line:col: message.
func Load(opts Options) (*Policy, error) {
	files, err := PolicyFiles(opts)
	if err != nil {
		return nil, err
	}
	srcs := make([]Source, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("load policy %s: %w", f, err)
		}
		srcs = append(srcs, Source{Name: f, Data: data})
	}
	return LoadSources(srcs, opts)
}

// LoadSources is Load with the user policy contents given directly.
func LoadSources(srcs []Source, opts Options) (*Policy, error) {
	p := newPolicy()
	p.home = opts.Home
	b := &builder{p: p, home: opts.Home, stat: opts.Exists}
	if b.stat == nil {
		b.stat = func(path string) bool {
			_, err := os.Stat(path)
			return err == nil
		}
	}
	if !opts.NoDefault {
		// The compiled form of default.policy (default_gen.go, kept in
		// step by TestDefaultPolicyGenerated).
		p.defaults = &defaultCache{stat: b.stat}
		p.files = append(p.files, "default.policy")
	}
	b.user = true
	for _, s := range srcs {
		if err := b.evalFile(s.Name, s.Data); err != nil {
			return nil, err
		}
		p.files = append(p.files, s.Name)
	}
	return p, nil
}

// shellSplit splits s into words the POSIX shell way (quotes and
// backslashes), for string examples in policy files.
func shellSplit(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated double quote in %q", s)
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}
