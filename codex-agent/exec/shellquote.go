package exec

import "strings"

// ShellJoin renders argv as a shell command line the way the Codex CLI
// 0.169 shows commands (its `exec` lines and the JSON events' command):
// each word quoted only where it must be, and then as that CLI does
// (the Rust shlex crate's rules, observed against the 0.169 binary:
// exec_test.go's TestShellJoinAsCodex).
//
// A word is cut into runs that one way of writing can carry, each run as
// long as it can be: bare (letters, digits and + - . / : @ ] _), in
// single quotes (anything but ' and \, which fish reads inside them), or
// in double quotes (anything but $ ` and !, which a shell expands there;
// " and \ escaped). Bare is preferred, then single quotes. A leading ^
// is always quoted (zsh), and an empty word is ”.
func ShellJoin(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = quoteWord(a)
	}
	return strings.Join(parts, " ")
}

// The ways a run of a word can be written.
const (
	bare = 1 << iota
	single
	double
)

// quoteWord quotes one word for ShellJoin.
func quoteWord(w string) string {
	if w == "" {
		return "''"
	}
	var b strings.Builder
	for len(w) > 0 {
		n, how := run(w, b.Len() == 0)
		if n == len(w) && how == bare && b.Len() == 0 {
			return w
		}
		chunk := w[:n]
		switch how {
		case bare:
			b.WriteString(chunk)
		case single:
			b.WriteString("'" + chunk + "'")
		default:
			b.WriteByte('"')
			for i := 0; i < len(chunk); i++ {
				if c := chunk[i]; c == '"' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(chunk[i])
			}
			b.WriteByte('"')
		}
		w = w[n:]
	}
	return b.String()
}

// run returns how long the run at the start of w is and how it is
// written: the longest prefix that one way can carry, the first way in
// bare, single, double order that carries all of it.
func run(w string, first bool) (int, int) {
	ok := bare | single | double
	i := 0
	if first && w[0] == '^' {
		ok, i = single, 1
	}
	for ; i < len(w); i++ {
		cur := ok & ways(w[i])
		if cur == 0 {
			break
		}
		ok = cur
	}
	switch {
	case ok&bare != 0:
		return i, bare
	case ok&single != 0:
		return i, single
	}
	return i, double
}

// ways says how a byte can be written.
func ways(c byte) int {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
		c == '+', c == '-', c == '.', c == '/', c == ':', c == '@', c == ']', c == '_':
		return bare | single | double
	case c == '\'' || c == '\\':
		return double
	case c == '$' || c == '`' || c == '!':
		return single
	}
	return single | double
}
