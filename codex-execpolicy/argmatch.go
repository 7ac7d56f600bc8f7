package execpolicy

import (
	"fmt"
	"strings"

	"github.com/codexgo/common/protocol"
)

// execMatch is a successful match of an argv against a program spec: the
// argv split into flags, options and typed positional arguments.
type execMatch struct {
	spec    *programSpec
	flags   []string
	opts    []protocol.ParsedOption
	args    []protocol.ParsedArg
	reads   []string
	writes  []string
	unknown bool // an argument of unknown type (might write)
}

// matchError is why an argv did not fit a spec; kind is one of the legacy
// error type names (UnknownOption, NotEnoughArgs, ...).
type matchError struct {
	kind string
	msg  string
}

func (e *matchError) Error() string { return e.msg }

func mismatch(kind, format string, a ...any) *matchError {
	return &matchError{kind: kind, msg: fmt.Sprintf(format, a...)}
}

type positional struct {
	index int
	value string
}

// matchSpec parses args (argv without the program) the way getopt-style
// programs do: options anywhere until "--", bundled short flags, -n5,
// --opt=value and --opt value. It then fits the positionals to the spec's
// matchers.
func matchSpec(s *programSpec, args []string) (*execMatch, *matchError) {
	// Quick reject: a spec for another subcommand (git log vs git diff).
	if len(s.args) > 0 && s.args[0].kind == mLiteral {
		found := false
		for _, a := range args {
			if a == s.args[0].literal {
				found = true
				break
			}
		}
		if !found {
			return nil, s.litErr
		}
	}
	m := &execMatch{spec: s}
	var posBuf [8]positional
	pos := posBuf[:0]
	var seen map[string]bool
	mark := func(name string) {
		if len(s.required) > 0 {
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[name] = true
		}
	}
	endOpts := false
	addOpt := func(o *optSpec, val string) {
		mark(o.name)
		m.opts = append(m.opts, protocol.ParsedOption{Name: o.name, Value: val, Type: o.typ.String()})
		m.note(o.typ, val)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if endOpts || s.noOptions || a == "-" || len(a) < 2 || a[0] != '-' {
			pos = append(pos, positional{i, a})
			continue
		}
		if a == "--" {
			endOpts = true
			continue
		}
		if o, ok := s.lookup(a); ok {
			if !o.takes {
				mark(o.name)
				m.flags = append(m.flags, a)
				continue
			}
			if i+1 >= len(args) {
				return nil, mismatch("OptionMissingValue", "option %s needs a value", a)
			}
			i++
			if err := checkSeparateValue(o, args[i]); err != nil {
				return nil, err
			}
			if err := checkValue(o, args[i]); err != nil {
				return nil, err
			}
			addOpt(o, args[i])
			continue
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a, "=")
			o, ok := s.lookup(name)
			if !ok {
				return nil, mismatch("UnknownOption", "unknown option %s for %s", name, s.program)
			}
			if hasVal && !o.takes && o.optional != nil {
				mark(o.name)
				m.opts = append(m.opts, protocol.ParsedOption{Name: name, Value: val, Type: o.optional.String()})
				m.note(*o.optional, val)
				continue
			}
			if !hasVal || !o.takes {
				if !o.takes {
					return nil, mismatch("UnexpectedValue", "flag %s takes no value", name)
				}
				return nil, mismatch("UnknownOption", "unknown option %s for %s", a, s.program)
			}
			if err := checkValue(o, val); err != nil {
				return nil, err
			}
			addOpt(o, val)
			continue
		}
		if s.numericFlag && allDigits(a[1:]) {
			m.opts = append(m.opts, protocol.ParsedOption{Name: "-NUM", Value: a[1:], Type: TypePositiveInteger.String()})
			continue
		}
		// Short option(s): -n5 (value attached) or -abc (bundled flags).
		if err := m.shortOpts(s, args, &i, addOpt, mark); err != nil {
			return nil, err
		}
	}
	for _, name := range s.required {
		if !seen[name] {
			return nil, mismatch("MissingRequiredOptions", "missing required option %s", name)
		}
	}
	if err := m.fitPositionals(s, pos); err != nil {
		return nil, err
	}
	return m, nil
}

// shortOpts handles one token of single-dash short options.
func (m *execMatch) shortOpts(s *programSpec, args []string, i *int, addOpt func(*optSpec, string), mark func(string)) *matchError {
	a := args[*i]
	if !s.bundling {
		return mismatch("UnknownOption", "unknown option %s for %s", a, s.program)
	}
	for j := 1; j < len(a); j++ {
		name := "-" + a[j:j+1]
		o, ok := s.lookup(name)
		if !ok {
			return mismatch("UnknownOption", "unknown option %s for %s", name, s.program)
		}
		if !o.takes {
			mark(o.name)
			m.flags = append(m.flags, name)
			continue
		}
		val := a[j+1:]
		if val == "" {
			if *i+1 >= len(args) {
				return mismatch("OptionMissingValue", "option %s needs a value", name)
			}
			*i++
			val = args[*i]
			if err := checkSeparateValue(o, val); err != nil {
				return err
			}
		}
		if err := checkValue(o, val); err != nil {
			return err
		}
		addOpt(o, val)
		return nil
	}
	return nil
}

// checkSeparateValue rejects a file-typed value that looks like an option:
// where our model of a program differs from the program, reading the next
// option as a file name could hide it.
func checkSeparateValue(o *optSpec, val string) *matchError {
	if (o.typ == TypeReadableFile || o.typ == TypeWriteableFile) && len(val) > 1 && val[0] == '-' {
		return mismatch("OptionFollowedByOptionInsteadOfValue", "option %s followed by option %s instead of a value", o.name, val)
	}
	return nil
}

func checkValue(o *optSpec, val string) *matchError {
	switch o.typ {
	case TypePositiveInteger:
		if !positiveInt(val) {
			return mismatch("InvalidPositiveInteger", "option %s: invalid positive integer %q", o.name, val)
		}
	case TypeReadableFile, TypeWriteableFile:
		if val == "" {
			return mismatch("EmptyFileName", "option %s: empty file name", o.name)
		}
	case TypeSedCommand:
		if !safeSedScript(val) {
			return mismatch("SedCommandNotProvablySafe", "sed command not provably safe: %q", val)
		}
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// note records a typed value in the read/write sets.
func (m *execMatch) note(t ArgType, v string) {
	switch t {
	case TypeReadableFile:
		m.reads = append(m.reads, v)
	case TypeWriteableFile:
		m.writes = append(m.writes, v)
	case TypeUnknown:
		m.unknown = true
	}
}

// fitPositionals assigns positionals to matchers: fixed matchers before the
// (single) variable one form a prefix, those after it a suffix.
func (m *execMatch) fitPositionals(s *programSpec, pos []positional) *matchError {
	va := -1
	for i, mt := range s.args {
		if mt.vararg() {
			va = i
		}
	}
	if va < 0 {
		if len(pos) < len(s.args) {
			return mismatch("NotEnoughArgs", "%s needs %d argument(s), got %d", s.program, len(s.args), len(pos))
		}
		if len(pos) > len(s.args) {
			return mismatch("UnexpectedArguments", "unexpected argument %q for %s", pos[len(s.args)].value, s.program)
		}
		for i, mt := range s.args {
			if err := m.take(mt, pos[i]); err != nil {
				return err
			}
		}
		return nil
	}
	prefix, suffix := s.args[:va], s.args[va+1:]
	vm := s.args[va]
	if len(pos) < len(prefix)+len(suffix)+vm.minArgs() {
		if vm.minArgs() > 0 && len(pos) >= len(prefix)+len(suffix) {
			return mismatch("VarargMatcherDidNotMatchAnything", "%s needs at least one %s", s.program, vm)
		}
		return mismatch("NotEnoughArgs", "%s needs more arguments", s.program)
	}
	for i, mt := range prefix {
		if err := m.take(mt, pos[i]); err != nil {
			return err
		}
	}
	mid := pos[len(prefix) : len(pos)-len(suffix)]
	for _, p := range mid {
		if err := m.take(vm, p); err != nil {
			return err
		}
	}
	if vm.kind == mRFilesOrCwd && len(mid) == 0 {
		m.reads = append(m.reads, ".")
	}
	for i, mt := range suffix {
		if err := m.take(mt, pos[len(pos)-len(suffix)+i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *execMatch) take(mt matcher, p positional) *matchError {
	if err := mt.accept(p.value); err != nil {
		kind := "LiteralValueDidNotMatch"
		switch mt.kind {
		case mPosInt:
			kind = "InvalidPositiveInteger"
		case mSedCommand:
			kind = "SedCommandNotProvablySafe"
		case mAwkProgram:
			kind = "AwkProgramNotProvablySafe"
		case mRFile, mWFile, mRFiles, mRFilesOrCwd, mWFiles:
			kind = "EmptyFileName"
		}
		return &matchError{kind: kind, msg: err.Error()}
	}
	t := mt.argType()
	m.args = append(m.args, protocol.ParsedArg{Index: p.index, Type: t.String(), Value: p.value})
	m.note(t, p.value)
	return nil
}

// safeSedScript accepts sed scripts made only of printing/selecting
// commands (p, d, =, q, l, n) and s/// without the w or e flags, each with
// optional numeric, $ or /regex/ addresses. Anything else (w, e, r, R, W,
// a, i, c, y, braces) is rejected because it can write files, run
// programs or is not worth proving safe.
func safeSedScript(s string) bool {
	if s == "" {
		return false
	}
	for _, cmd := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		if !safeSedCommand(strings.TrimSpace(cmd)) {
			return false
		}
	}
	return true
}

func safeSedCommand(c string) bool {
	c = skipSedAddr(c)
	if c == "" {
		return false
	}
	if strings.HasPrefix(c, ",") {
		c = skipSedAddr(c[1:])
	}
	c = strings.TrimPrefix(strings.TrimSpace(c), "!")
	switch c {
	case "p", "d", "=", "q", "l", "n", "P", "D", "N":
		return true
	}
	if len(c) > 1 && c[0] == 's' {
		return safeSedSubst(c)
	}
	return false
}

// skipSedAddr strips one address (N, $, /re/, N~M) off the front of c.
func skipSedAddr(c string) string {
	switch {
	case c == "":
		return c
	case c[0] == '$':
		return c[1:]
	case c[0] >= '0' && c[0] <= '9':
		i := 0
		for i < len(c) && (c[i] >= '0' && c[i] <= '9' || c[i] == '~') {
			i++
		}
		return c[i:]
	case c[0] == '/':
		end := sedDelimEnd(c, 1, '/')
		if end < 0 {
			return "\x00"
		}
		rest := c[end+1:]
		return strings.TrimLeft(rest, "IM")
	}
	return c
}

// sedDelimEnd finds the unescaped delim at or after i.
func sedDelimEnd(c string, i int, delim byte) int {
	for ; i < len(c); i++ {
		if c[i] == '\\' {
			i++
			continue
		}
		if c[i] == delim {
			return i
		}
	}
	return -1
}

func safeSedSubst(c string) bool {
	delim := c[1]
	if delim == '\\' || delim == '\n' {
		return false
	}
	e1 := sedDelimEnd(c, 2, delim)
	if e1 < 0 {
		return false
	}
	e2 := sedDelimEnd(c, e1+1, delim)
	if e2 < 0 {
		return false
	}
	for _, f := range c[e2+1:] {
		if !strings.ContainsRune("gpiIM0123456789", f) {
			return false
		}
	}
	return true
}
