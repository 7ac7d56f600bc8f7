package execpolicy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// dialect is the lenient Starlark dialect Codex's .rules files are
// written in: top-level for/if, sets, while, recursion and reassignment.
// (f-strings are not supported by go.starlark.net.)
func dialect() *syntax.FileOptions {
	return &syntax.FileOptions{
		Set:             true,
		While:           true,
		TopLevelControl: true,
		GlobalReassign:  true,
		Recursion:       true,
	}
}

// builder accumulates the rules of one or more policy files.
type builder struct {
	p    *Policy
	file string // file being evaluated
	user bool   // file is a user policy (not the embedded default)
	home string // for ~/ in host_executable paths
	stat func(string) bool
	// fastPos is the call position while the literal fast path runs.
	fastPos string
}

// evalFile evaluates one policy file into b. Errors carry file:line:col.
func (b *builder) evalFile(name string, src []byte) error {
	b.file = name
	if ok, err := b.fastPath(name, src); ok || err != nil {
		return err
	}
	thread := &starlark.Thread{
		Name: name,
		Load: func(*starlark.Thread, string) (starlark.StringDict, error) {
			return nil, errors.New("load() is not supported: no imports are available")
		},
		Print: func(*starlark.Thread, string) {},
	}
	_, err := starlark.ExecFileOptions(dialect(), thread, name, src, b.predeclared())
	return positioned(name, err)
}

// positioned renders a Starlark error as "file:line:col: message".
func positioned(name string, err error) error {
	if err == nil {
		return nil
	}
	var se syntax.Error
	if errors.As(err, &se) {
		return &LoadError{Pos: se.Pos.String(), Msg: se.Msg}
	}
	var rl resolve.ErrorList
	if errors.As(err, &rl) && len(rl) > 0 {
		return &LoadError{Pos: rl[0].Pos.String(), Msg: rl[0].Msg}
	}
	var le *LoadError
	if errors.As(err, &le) {
		return le
	}
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		for i := len(ee.CallStack) - 1; i >= 0; i-- {
			if ee.CallStack[i].Pos.Filename() == name {
				return &LoadError{Pos: ee.CallStack[i].Pos.String(), Msg: ee.Msg}
			}
		}
		return &LoadError{Pos: name, Msg: ee.Msg}
	}
	return &LoadError{Pos: name, Msg: err.Error()}
}

// LoadError is a policy that failed to load, located as file:line:col.
type LoadError struct {
	Pos string
	Msg string
}

func (e *LoadError) Error() string { return e.Pos + ": " + e.Msg }

// starlark values for flag()/opt() and the ARG_* constants.

type optValue struct{ o *optSpec }

func (v optValue) String() string        { return "opt(" + v.o.name + ")" }
func (v optValue) Type() string          { return "option" }
func (v optValue) Freeze()               {}
func (v optValue) Truth() starlark.Bool  { return true }
func (v optValue) Hash() (uint32, error) { return starlark.String(v.o.name).Hash() }

type matcherValue struct{ m matcher }

func (v matcherValue) String() string        { return v.m.String() }
func (v matcherValue) Type() string          { return "arg_matcher" }
func (v matcherValue) Freeze()               {}
func (v matcherValue) Truth() starlark.Bool  { return true }
func (v matcherValue) Hash() (uint32, error) { return starlark.String(v.m.String()).Hash() }

func (b *builder) predeclared() starlark.StringDict {
	d := starlark.StringDict{
		"define_program":       starlark.NewBuiltin("define_program", b.defineProgram),
		"flag":                 starlark.NewBuiltin("flag", builtinFlag),
		"opt":                  starlark.NewBuiltin("opt", builtinOpt),
		"forbid_substrings":    starlark.NewBuiltin("forbid_substrings", b.forbidSubstrings),
		"forbid_program_regex": starlark.NewBuiltin("forbid_program_regex", b.forbidProgramRegex),
		"prefix_rule":          starlark.NewBuiltin("prefix_rule", b.prefixRule),
		"host_executable":      starlark.NewBuiltin("host_executable", b.hostExecutable),
		"network_rule":         starlark.NewBuiltin("network_rule", b.networkRule),
	}
	for name, k := range map[string]matcherKind{
		"ARG_RFILE": mRFile, "ARG_WFILE": mWFile, "ARG_RFILES": mRFiles,
		"ARG_RFILES_OR_CWD": mRFilesOrCwd, "ARG_OPAQUE_VALUE": mOpaque,
		"ARG_POS_INT": mPosInt, "ARG_SED_COMMAND": mSedCommand,
		"ARG_UNVERIFIED_VARARGS": mUnverifiedVarargs,
		"ARG_OPAQUE_VALUES":      mOpaqueValues, "ARG_WFILES": mWFiles, "ARG_AWK_PROGRAM": mAwkProgram,
	} {
		d[name] = matcherValue{matcher{kind: k}}
	}
	return d
}

func builtinFlag(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	required := false
	var optional starlark.Value
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "required?", &required, "optional_value?", &optional); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(name, "-") {
		return nil, fmt.Errorf("flag: name %q must start with -", name)
	}
	o := &optSpec{name: name, required: required}
	if optional != nil && optional != starlark.None {
		mv, ok := optional.(matcherValue)
		if !ok || mv.m.vararg() || mv.m.kind == mLiteral {
			return nil, fmt.Errorf("flag: optional_value must be a single-value ARG_* matcher, got %s", optional)
		}
		t := mv.m.argType()
		o.optional = &t
	}
	return optValue{o}, nil
}

func builtinOpt(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var typ starlark.Value
	required := false
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "type", &typ, "required?", &required); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(name, "-") {
		return nil, fmt.Errorf("opt: name %q must start with -", name)
	}
	mv, ok := typ.(matcherValue)
	if !ok || mv.m.vararg() || mv.m.kind == mLiteral {
		return nil, fmt.Errorf("opt: type must be a single-value ARG_* matcher, got %s", typ)
	}
	return optValue{&optSpec{name: name, takes: true, typ: mv.m.argType(), required: required}}, nil
}

func (b *builder) defineProgram(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		program                      string
		systemPath, options, argList *starlark.List
		forbidden                    starlark.Value = starlark.None
		shouldMatch, shouldNotMatch  *starlark.List
		bundling                     = true
		noOptions                    = false
		combinedFormat               starlark.Value
	)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs,
		"program", &program, "system_path?", &systemPath, "options?", &options,
		"args?", &argList, "forbidden?", &forbidden, "should_match?", &shouldMatch,
		"should_not_match?", &shouldNotMatch, "option_bundling?", &bundling,
		"combined_format?", &combinedFormat, "no_options?", &noOptions); err != nil {
		return nil, err
	}
	if program == "" {
		return nil, errors.New("define_program: program must not be empty")
	}
	s := &programSpec{program: program, opts: map[string]*optSpec{}, pos: b.source(thread), bundling: bundling, noOptions: noOptions}
	var err error
	if s.systemPath, err = stringList("system_path", systemPath); err != nil {
		return nil, err
	}
	if options != nil {
		for i := 0; i < options.Len(); i++ {
			ov, ok := options.Index(i).(optValue)
			if !ok {
				return nil, fmt.Errorf("define_program: options[%d] must be flag() or opt(), got %s", i, options.Index(i).Type())
			}
			if ov.o.name == "-NUM" {
				s.numericFlag = true
				continue
			}
			s.opts[ov.o.name] = ov.o
		}
	}
	if argList != nil {
		for i := 0; i < argList.Len(); i++ {
			switch v := argList.Index(i).(type) {
			case starlark.String:
				s.args = append(s.args, matcher{kind: mLiteral, literal: string(v)})
			case matcherValue:
				s.args = append(s.args, v.m)
			default:
				return nil, fmt.Errorf("define_program: args[%d] must be a string or ARG_* matcher, got %s", i, v.Type())
			}
		}
	}
	if err := s.validateArgs(); err != nil {
		return nil, fmt.Errorf("define_program: %w", err)
	}
	if fs, ok := forbidden.(starlark.String); ok {
		if fs == "" {
			return nil, errors.New("define_program: forbidden reason must not be empty")
		}
		s.forbidden = string(fs)
	} else if forbidden != starlark.None {
		return nil, fmt.Errorf("define_program: forbidden must be a string, got %s", forbidden.Type())
	}
	good, err := exampleList("should_match", shouldMatch)
	if err != nil {
		return nil, err
	}
	bad, err := exampleList("should_not_match", shouldNotMatch)
	if err != nil {
		return nil, err
	}
	s.finish()
	for _, ex := range good {
		if _, merr := matchSpec(s, ex); merr != nil {
			return nil, fmt.Errorf("define_program(%s): should_match example %s does not match: %s", program, joinQuoted(ex), merr.msg)
		}
	}
	for _, ex := range bad {
		if _, merr := matchSpec(s, ex); merr == nil {
			return nil, fmt.Errorf("define_program(%s): should_not_match example %s matches", program, joinQuoted(ex))
		}
	}
	for _, sp := range s.systemPath {
		if b.stat(sp) {
			s.exe = sp
			break
		}
	}
	s.finish()
	b.p.addSpec(s, b.user)
	return starlark.None, nil
}

// source is "file:line" of the current call, used to cite rules.
func (b *builder) source(thread *starlark.Thread) string {
	if b.fastPos != "" {
		return b.fastPos
	}
	p := thread.CallFrame(1).Pos
	return fmt.Sprintf("%s:%d", p.Filename(), p.Line)
}

func stringList(what string, l *starlark.List) ([]string, error) {
	if l == nil {
		return nil, nil
	}
	out := make([]string, 0, l.Len())
	for i := 0; i < l.Len(); i++ {
		s, ok := l.Index(i).(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s[%d] must be a string, got %s", what, i, l.Index(i).Type())
		}
		out = append(out, string(s))
	}
	return out, nil
}

// exampleList reads a list of examples: each a list of strings, or one
// string split the shell way.
func exampleList(what string, l *starlark.List) ([][]string, error) {
	if l == nil {
		return nil, nil
	}
	var out [][]string
	for i := 0; i < l.Len(); i++ {
		switch v := l.Index(i).(type) {
		case starlark.String:
			toks, err := shellSplit(string(v))
			if err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", what, i, err)
			}
			out = append(out, toks)
		case *starlark.List:
			toks, err := stringList(fmt.Sprintf("%s[%d]", what, i), v)
			if err != nil {
				return nil, err
			}
			out = append(out, toks)
		default:
			return nil, fmt.Errorf("%s[%d] must be a list of strings or a string, got %s", what, i, v.Type())
		}
	}
	return out, nil
}

func (b *builder) forbidSubstrings(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var l *starlark.List
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "substrings", &l); err != nil {
		return nil, err
	}
	subs, err := stringList("substrings", l)
	if err != nil {
		return nil, err
	}
	src := b.source(thread)
	for _, s := range subs {
		if s == "" {
			return nil, errors.New("forbid_substrings: empty substring would forbid everything")
		}
		b.p.forbidSubs = append(b.p.forbidSubs, sourced{s, src})
	}
	return starlark.None, nil
}

func (b *builder) forbidProgramRegex(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var re, reason string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "regex", &re, "reason", &reason); err != nil {
		return nil, err
	}
	c, err := regexp.Compile(re)
	if err != nil {
		return nil, fmt.Errorf("forbid_program_regex: %w", err)
	}
	b.p.forbidRegex = append(b.p.forbidRegex, programRegex{c, reason, b.source(thread)})
	return starlark.None, nil
}

func (b *builder) networkRule(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var host, protocol, decision, justification string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "host", &host, "protocol", &protocol, "decision", &decision, "justification?", &justification); err != nil {
		return nil, err
	}
	switch protocol {
	case "http", "https", "socks5_tcp", "socks5_udp":
	default:
		return nil, fmt.Errorf("invalid protocol: %s", protocol)
	}
	switch decision {
	case "allow", "prompt", "forbidden", "deny":
	default:
		return nil, fmt.Errorf("invalid decision: %s", decision)
	}
	b.p.network = append(b.p.network, NetworkRule{Host: host, Protocol: protocol, Decision: decision, Justification: justification, Source: b.source(thread)})
	return starlark.None, nil
}

func (b *builder) hostExecutable(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var paths *starlark.List
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "paths", &paths); err != nil {
		return nil, err
	}
	ps, err := stringList("paths", paths)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		full := p
		if strings.HasPrefix(p, "~/") && b.home != "" {
			full = b.home + p[1:]
		} else if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("host_executable: path %q must be absolute", p)
		}
		if baseName(p) != name {
			return nil, fmt.Errorf("host_executable: path %q does not end in %q", p, name)
		}
		b.p.hostExec[name] = append(b.p.hostExec[name], full)
	}
	if _, ok := b.p.hostExec[name]; !ok {
		b.p.hostExec[name] = nil // declared with no paths: nothing resolves
	}
	return starlark.None, nil
}
