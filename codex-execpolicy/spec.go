package execpolicy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ArgType is the role an argument or option value plays for its program.
type ArgType int

// The argument roles of the typed vocabulary.
const (
	TypeUnknown ArgType = iota
	TypeReadableFile
	TypeWriteableFile
	TypeOpaque
	TypePositiveInteger
	TypeSedCommand
	TypeLiteral
)

// String gives the JSON name of t, the same strings the legacy engine used.
func (t ArgType) String() string {
	switch t {
	case TypeReadableFile:
		return "ReadableFile"
	case TypeWriteableFile:
		return "WriteableFile"
	case TypeOpaque:
		return "OpaqueNonFile"
	case TypePositiveInteger:
		return "PositiveInteger"
	case TypeSedCommand:
		return "SedCommand"
	case TypeLiteral:
		return "Literal"
	}
	return "Unknown"
}

// matcherKind says how many positional arguments a matcher consumes and
// what type it gives them.
type matcherKind int

const (
	mLiteral matcherKind = iota
	mRFile
	mWFile
	mRFiles
	mRFilesOrCwd
	mOpaque
	mPosInt
	mSedCommand
	mUnverifiedVarargs
	mOpaqueValues // extension: zero or more opaque values
	mWFiles       // extension: one or more writeable files
	mAwkProgram   // extension: an awk program that cannot write or run anything
)

// matcher is one element of a program spec's args list.
type matcher struct {
	kind    matcherKind
	literal string
}

// vararg reports whether the matcher consumes a variable count of args.
func (m matcher) vararg() bool {
	return m.kind == mRFiles || m.kind == mRFilesOrCwd || m.kind == mUnverifiedVarargs || m.kind == mOpaqueValues || m.kind == mWFiles
}

// minArgs is the fewest arguments a variable matcher accepts.
func (m matcher) minArgs() int {
	if m.kind == mRFiles || m.kind == mWFiles {
		return 1
	}
	return 0
}

// argType is the role the matcher gives each argument it consumes.
func (m matcher) argType() ArgType {
	switch m.kind {
	case mLiteral:
		return TypeLiteral
	case mRFile, mRFiles, mRFilesOrCwd:
		return TypeReadableFile
	case mWFile, mWFiles:
		return TypeWriteableFile
	case mOpaque, mOpaqueValues:
		return TypeOpaque
	case mPosInt:
		return TypePositiveInteger
	case mSedCommand:
		return TypeSedCommand
	case mAwkProgram:
		return TypeOpaque
	}
	return TypeUnknown
}

// accept checks one argument against a single-argument matcher.
func (m matcher) accept(arg string) error {
	switch m.kind {
	case mLiteral:
		if arg != m.literal {
			return fmt.Errorf("expected literal %q, got %q", m.literal, arg)
		}
	case mRFile, mWFile, mRFiles, mRFilesOrCwd, mWFiles:
		if arg == "" {
			return fmt.Errorf("empty file name")
		}
	case mPosInt:
		if !positiveInt(arg) {
			return fmt.Errorf("invalid positive integer %q", arg)
		}
	case mSedCommand:
		if !safeSedScript(arg) {
			return fmt.Errorf("sed command not provably safe: %q", arg)
		}
	case mAwkProgram:
		if !safeAwkProgram(arg) {
			return fmt.Errorf("awk program not provably safe: %q", arg)
		}
	}
	return nil
}

// String renders the matcher as its policy-file name, for error messages.
func (m matcher) String() string {
	switch m.kind {
	case mLiteral:
		return strconv.Quote(m.literal)
	case mRFile:
		return "ARG_RFILE"
	case mWFile:
		return "ARG_WFILE"
	case mRFiles:
		return "ARG_RFILES"
	case mRFilesOrCwd:
		return "ARG_RFILES_OR_CWD"
	case mOpaque:
		return "ARG_OPAQUE_VALUE"
	case mPosInt:
		return "ARG_POS_INT"
	case mSedCommand:
		return "ARG_SED_COMMAND"
	case mOpaqueValues:
		return "ARG_OPAQUE_VALUES"
	case mWFiles:
		return "ARG_WFILES"
	case mAwkProgram:
		return "ARG_AWK_PROGRAM"
	}
	return "ARG_UNVERIFIED_VARARGS"
}

// safeAwkProgram accepts awk programs that can neither run commands nor
// write files: no system(), no pipes, no output redirection (any '>' is
// refused, comparisons included), no getline, no dynamic extensions.
func safeAwkProgram(p string) bool {
	// '@' also covers gawk's indirect calls (@f() with f = "system").
	if p == "" || strings.ContainsAny(p, "|>@") {
		return false
	}
	for _, bad := range []string{"system", "getline", "close", "fflush"} {
		if strings.Contains(p, bad) {
			return false
		}
	}
	return true
}

func positiveInt(s string) bool {
	n, err := strconv.ParseUint(s, 10, 63)
	return err == nil && n > 0
}

// optSpec is one option a program accepts: a flag (no value) or an option
// taking a typed value.
type optSpec struct {
	name     string
	takes    bool
	typ      ArgType
	required bool
	// optional is the value type of a flag that also accepts --flag=value
	// (as in --color[=WHEN]).
	optional *ArgType
}

// programSpec is one define_program call: a way a program may be invoked.
type programSpec struct {
	program    string
	systemPath []string
	opts       map[string]*optSpec // while a policy file builds the spec
	// table holds the options sorted by name for lookup (set by finish,
	// or directly by the compiled default policy).
	table []optSpec
	// numericFlag accepts -NUM (as in `head -5`) as a count option.
	numericFlag bool
	args        []matcher
	forbidden   string
	pos         string
	// bundling controls whether -abc is read as -a -b -c (default true).
	bundling bool
	// noOptions makes every token positional (echo, test, [).
	noOptions bool
	// exe is the first system_path entry found at load time.
	exe  string
	user bool
	// required lists the required options (set by finish).
	required []string
	// litErr is the shared error for an argv lacking the leading literal.
	litErr *matchError
}

// finish precomputes what matching needs (the required options).
func (s *programSpec) finish() {
	if len(s.args) > 0 && s.args[0].kind == mLiteral {
		s.litErr = &matchError{kind: "LiteralValueDidNotMatch", msg: "expected literal " + s.args[0].literal}
	}
	if s.table == nil && len(s.opts) > 0 {
		names := make([]string, 0, len(s.opts))
		for n := range s.opts {
			names = append(names, n)
		}
		sort.Strings(names)
		s.table = make([]optSpec, len(names))
		for i, n := range names {
			s.table[i] = *s.opts[n]
		}
	}
	s.required = s.required[:0]
	for i := range s.table {
		if s.table[i].required {
			s.required = append(s.required, s.table[i].name)
		}
	}
}

// lookup finds an option by exact name (binary search of the table).
func (s *programSpec) lookup(name string) (*optSpec, bool) {
	lo, hi := 0, len(s.table)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.table[mid].name < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(s.table) && s.table[lo].name == name {
		return &s.table[lo], true
	}
	return nil, false
}

// validateArgs checks the at-most-one-vararg rule.
func (s *programSpec) validateArgs() error {
	n := 0
	for _, m := range s.args {
		if m.vararg() {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("at most one variable-length argument matcher is allowed")
	}
	return nil
}

func joinQuoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// optRow is one option in the compiled default policy: name, takes a
// value, value type, required, optional-value type (-1 for none).
type optRow struct {
	name     string
	takes    bool
	typ      ArgType
	required bool
	optional int
}

// optTable builds an option table from rows already sorted by name.
func optTable(rows []optRow) []optSpec {
	t := make([]optSpec, len(rows))
	for i, r := range rows {
		t[i] = optSpec{name: r.name, takes: r.takes, typ: r.typ, required: r.required}
		if r.optional >= 0 {
			a := ArgType(r.optional)
			t[i].optional = &a
		}
	}
	return t
}
