package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// IsVersion reports whether args ask for the version (--version or -V
// alone).
func IsVersion(args []string) bool {
	return len(args) == 1 && (args[0] == "--version" || args[0] == "-V")
}

// PrintVersion writes "NAME VERSION" to w.
func PrintVersion(w io.Writer, name, version string) {
	fmt.Fprintf(w, "%s %s\n", name, version)
}

// HandleParse deals with the error of fs.Parse (or ff.Parse) for the
// command c: help to stdout and exit 0 for -h/--help, a one-line error
// that says what to do and exit 2 otherwise. ok is false when the caller
// must return code.
func HandleParse(c *Command, fs *flag.FlagSet, err error, stdout, stderr io.Writer) (code int, ok bool) {
	if err == nil {
		return 0, true
	}
	if errors.Is(err, flag.ErrHelp) {
		c.WriteHelp(stdout)
		return 0, false
	}
	msg := FlagError(fs, err)
	if strings.HasPrefix(msg, "unknown flag") && !strings.Contains(msg, "did you mean") {
		msg += " (see " + c.Name + " --help)"
	}
	fmt.Fprintf(stderr, "%s: %s\n", c.Name, msg)
	return 2, false
}

// The flag package's messages, matched without regexps (no package-level
// state to initialise at every start of the fused binary).
const (
	msgUndefined = "flag provided but not defined: "
	msgNeedsArg  = "flag needs an argument: "
)

// parseInvalid splits `invalid [boolean ]value "V" for flag -N: WHY`.
func parseInvalid(msg string) (val, name, why string, ok bool) {
	rest, ok1 := strings.CutPrefix(msg, "invalid value ")
	if !ok1 {
		rest, ok1 = strings.CutPrefix(msg, "invalid boolean value ")
	}
	if !ok1 {
		return "", "", "", false
	}
	sep := " for flag -"
	i := strings.LastIndex(rest, sep)
	if i < 0 {
		sep = " for -" // booleans: `invalid boolean value "x" for -name`
		i = strings.LastIndex(rest, sep)
	}
	if i < 0 {
		return "", "", "", false
	}
	q, err := strconv.Unquote(rest[:i])
	if err != nil {
		return "", "", "", false
	}
	name, why, _ = strings.Cut(strings.TrimLeft(rest[i+len(sep)-1:], "-"), ": ")
	return q, name, why, true
}

// FlagError rewrites an error of the flag package in the words a user
// reads: flags spelled as typed (--add-dir), a duration without a unit
// answered with the spelling that works (--timeout 5s), a value missing
// named. fs may be nil.
func FlagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	// ff wraps the flag package's errors ("error parsing commandline
	// arguments: ...").
	if i := strings.LastIndex(msg, "flag provided but not defined"); i > 0 {
		msg = msg[i:]
	} else if i := strings.LastIndex(msg, "invalid "); i > 0 && strings.Contains(msg[i:], " for ") {
		msg = msg[i:]
	} else if i := strings.LastIndex(msg, "flag needs an argument"); i > 0 {
		msg = msg[i:]
	}
	if rest, ok := strings.CutPrefix(msg, msgUndefined); ok {
		name := strings.TrimLeft(rest, "-")
		if fs != nil && len(name) > 1 && fs.Lookup(name) == nil {
			if alt := closest(fs, name); alt != "" {
				return fmt.Sprintf("unknown flag %s (did you mean %s?)", Spelling(name), Spelling(alt))
			}
		}
		return "unknown flag " + Spelling(name)
	}
	if rest, ok := strings.CutPrefix(msg, msgNeedsArg); ok {
		return Spelling(strings.TrimLeft(rest, "-")) + " needs a value"
	}
	if val, name, why, ok := parseInvalid(msg); ok {
		var f *flag.Flag
		if fs != nil {
			f = fs.Lookup(name)
		}
		if f != nil {
			if g, isGetter := f.Value.(flag.Getter); isGetter {
				if _, isDur := g.Get().(time.Duration); isDur {
					if n, err := strconv.ParseFloat(val, 64); err == nil {
						return fmt.Sprintf("%s %s: a duration needs a unit: write %s %ss (or ms, m, h)", Spelling(name), val, Spelling(name), strconv.FormatFloat(n, 'f', -1, 64))
					}
					return fmt.Sprintf("%s %s: not a duration; write it like 90s, 500ms or 2m", Spelling(name), val)
				}
			}
			if isBool(f) {
				return fmt.Sprintf("%s=%s: not true or false", Spelling(name), val)
			}
		}
		if why == "parse error" {
			why = "not a valid value"
		}
		return fmt.Sprintf("%s %s: %s", Spelling(name), val, why)
	}
	return msg
}

// closest is the flag whose name differs from name by a prefix or by at
// most two edits, if exactly one does.
func closest(fs *flag.FlagSet, name string) string {
	var found []string
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) > 1 && (strings.HasPrefix(f.Name, name) || distance(f.Name, name) <= 2) {
			found = append(found, f.Name)
		}
	})
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
