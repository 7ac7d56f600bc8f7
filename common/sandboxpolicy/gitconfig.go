package sandboxpolicy

import (
	"bytes"
	"path/filepath"
	"strings"
)

// A repository's config is read-only in the sandbox, but it may name
// files that are not: an included config (include.path, includeIf.*.path:
// its core.fsmonitor runs on the next git status), the hooks directory
// (core.hooksPath = .githooks, as husky and friends set it: its hooks run
// on the next commit, checkout or merge), and programs git runs
// (core.fsmonitor = ./tools/fsmon). Each such file or directory inside a
// writable root is protected as the config itself is.

// maxConfigSize bounds the bytes read from one config file.
const maxConfigSize = 1 << 20

// maxIncludeDepth bounds nested includes (git's own limit is 10).
const maxIncludeDepth = 10

// configVar is one variable of a git config file as git passes it on to
// what uses it.
type configVar struct {
	// name is section.subsection.key as git builds it: section and key
	// lower case, the subsection as written, all of it cut at a NUL (git
	// hands names on as C strings: [include "path<NUL>x"] foo = f
	// includes f).
	name string
	// value is the value as git 2.45 and later read it, whitespace inside
	// it as written; spaced as older git read it (before git's f0b8944,
	// 2024), each whitespace character inside it a space. They differ
	// only for a value holding an unquoted tab or carriage return; both
	// are acted on, as the user's git may be either. A bare key (no "=")
	// reads "true".
	value, spaced string
}

// split returns the section (before the first dot), subsection (between
// the first and the last) and key (after the last dot) of v's name.
// Section and key are lower-cased: they already are, except in a name a
// NUL cut short ([core "hooksPath<NUL>"] x = h names core.hooksPath, which
// git's own lookups then miss): taken as the same variable, so that more
// is protected rather than less. So is an empty subsection
// ([core ""] names core..hookspath, which git does not read as
// core.hookspath).
func (v configVar) split() (section, sub, key string) {
	first, last := strings.IndexByte(v.name, '.'), strings.LastIndexByte(v.name, '.')
	section, key = strings.ToLower(v.name[:first]), strings.ToLower(v.name[last+1:])
	if first < last {
		sub = v.name[first+1 : last]
	}
	return section, sub, key
}

// readings returns the value as each git reads it (one or two).
func (v configVar) readings() []string {
	if v.spaced == v.value {
		return []string{v.value}
	}
	return []string{v.value, v.spaced}
}

// readGitConfig parses the git config file at path; nil if it cannot be
// read.
func readGitConfig(path string) []configVar {
	b, err := readRegular(path, maxConfigSize)
	if err != nil {
		return nil
	}
	return parseGitConfig(string(b))
}

// parseGitConfig returns the variables of a git config text as git reads
// them (see scanGitConfig), those before the line git refuses when it
// refuses one (it then reads nothing at all, and runs nothing).
func parseGitConfig(s string) []configVar {
	vars, _ := scanGitConfig(s)
	return vars
}

// utf8BOM is skipped at the start of a config, as git does (Windows
// editors write it).
const utf8BOM = "\xef\xbb\xbf"

// scanGitConfig reads git config syntax as git's own parser (config.c)
// does, character by character, so that a variable git sees is never
// missed or misread: [section], [section.sub] (lower-cased whole),
// [section "sub"] (backslash escapes anything but a newline), key = value
// and a bare key, # and ; comments, "\r\n" read as "\n" everywhere. It
// reports false where git refuses the text ("bad config line"): a
// variable there or after it is not returned.
//
// Names git builds but never looks up (a key before any section, a name
// a NUL cut to no key) are left out.
func scanGitConfig(s string) ([]configVar, bool) {
	r := &configReader{s: strings.TrimPrefix(s, utf8BOM)}
	var vars []configVar
	base := "" // the current section's name and a dot
	comment := false
	for {
		c := r.next()
		switch {
		case c == '\n':
			if r.eof {
				return vars, true
			}
			comment = false
		case comment || isConfigSpace(c):
		case c == '#' || c == ';':
			comment = true
		case c == '[':
			name, ok := r.sectionHeader()
			if !ok || name == "" {
				return vars, false
			}
			base = name + "."
		case isAlpha(c):
			v, ok := r.variable(base, c)
			if !ok {
				return vars, false
			}
			if first, last := strings.IndexByte(v.name, '.'), strings.LastIndexByte(v.name, '.'); first > 0 && last < len(v.name)-1 {
				vars = append(vars, v)
			}
		default:
			// A partial BOM, a key starting with a digit or '-', ...
			return vars, false
		}
	}
}

// configReader reads a config text as git's get_next_char does.
type configReader struct {
	s   string
	i   int
	eof bool
}

// next returns the next character: "\r\n" is one '\n' (a lone '\r' is
// itself), and the end of the text reads as '\n' with eof set, as often
// as asked.
func (r *configReader) next() byte {
	if r.i >= len(r.s) {
		r.eof = true
		return '\n'
	}
	c := r.s[r.i]
	r.i++
	if c == '\r' && r.i < len(r.s) && r.s[r.i] == '\n' {
		r.i++
		return '\n'
	}
	return c
}

// sectionHeader reads what follows '[': the section's name, lower case,
// with its subsection if any after a dot.
func (r *configReader) sectionHeader() (string, bool) {
	var b strings.Builder
	for {
		c := r.next()
		switch {
		case r.eof:
			return "", false
		case c == ']':
			return b.String(), true
		case isConfigSpace(c):
			return r.quotedSubsection(&b, c)
		case !isKeyChar(c) && c != '.':
			return "", false
		}
		b.WriteByte(lower(c))
	}
}

// quotedSubsection reads the rest of [section "sub"] from the whitespace
// c after the section's name (in b); the subsection keeps its case.
func (r *configReader) quotedSubsection(b *strings.Builder, c byte) (string, bool) {
	for isConfigSpace(c) {
		if c == '\n' {
			return "", false
		}
		c = r.next()
	}
	if c != '"' {
		return "", false // [core ] and [core x] are refused
	}
	b.WriteByte('.')
	for {
		switch c = r.next(); c {
		case '\n':
			return "", false
		case '"':
			return b.String(), r.next() == ']'
		case '\\':
			if c = r.next(); c == '\n' {
				return "", false
			}
		}
		b.WriteByte(c)
	}
}

// variable reads a key starting with c and its value, in the section
// whose name and a dot are base.
func (r *configReader) variable(base string, c byte) (configVar, bool) {
	name := append([]byte(base), lower(c))
	for c = r.next(); isKeyChar(c); c = r.next() {
		name = append(name, lower(c))
	}
	for c == ' ' || c == '\t' {
		c = r.next()
	}
	v := configVar{name: cutAtNUL(name), value: "true", spaced: "true"}
	switch c {
	case '\n':
		return v, true // a bare key (git hands on no value: true)
	case '=':
		var ok bool
		v.value, v.spaced, ok = r.value()
		return v, ok
	}
	return v, false // anything else after a key, a comment included
}

// value reads a value to the end of its line, in both readings (see
// configVar): leading and trailing unquoted whitespace dropped, quotes
// removed, \n \t \b \" \\ escapes, a backslash at the end of a line
// joining the next, # and ; starting a comment outside quotes.
func (r *configReader) value() (value, spaced string, ok bool) {
	var v, sp []byte
	quoted, comment := false, false
	trim := 0   // v's length before the whitespace ending it, 0 if none
	spaces := 0 // whitespace not yet in sp: written as spaces if more follows
	for {
		c := r.next()
		switch {
		case c == '\n':
			if quoted {
				return "", "", false
			}
			if trim > 0 {
				v = v[:trim]
			}
			return cutAtNUL(v), cutAtNUL(sp), true
		case comment:
			continue
		case isConfigSpace(c) && !quoted:
			if trim == 0 {
				trim = len(v)
			}
			if len(v) > 0 { // leading whitespace is dropped
				v = append(v, c)
				spaces++
			}
			continue
		case !quoted && (c == '#' || c == ';'):
			comment = true
			continue
		}
		// Anything else, a quote or a backslash included, keeps the
		// whitespace before it.
		trim = 0
		for ; spaces > 0; spaces-- {
			sp = append(sp, ' ')
		}
		switch c {
		case '"':
			quoted = !quoted
			continue
		case '\\':
			switch c = r.next(); c {
			case '\n':
				continue // a continuation line
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'n':
				c = '\n'
			case '"', '\\':
			default:
				return "", "", false // git knows no other escape
			}
		}
		v = append(v, c)
		sp = append(sp, c)
	}
}

// cutAtNUL is b up to its first NUL: git hands names and values on as C
// strings.
func cutAtNUL(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// isConfigSpace is git's isspace (no \v or \f).
func isConfigSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isKeyChar(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' || c == '-' }

// lower is git's tolower: ASCII letters only.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// commandKey reports whether a variable's value is a command git runs
// (through the shell, in the working tree) on its own.
func commandKey(section, sub, key, value string) bool {
	switch section {
	case "core":
		return sub == "" && (key == "fsmonitor" || key == "sshcommand" || key == "pager" || key == "editor" ||
			key == "askpass" || key == "gitproxy" || key == "alternaterefscommand")
	case "sequence":
		return key == "editor"
	case "interactive":
		return key == "difffilter"
	case "diff":
		return sub == "" && key == "external" || sub != "" && (key == "textconv" || key == "command")
	case "difftool", "mergetool":
		return key == "cmd"
	case "filter":
		return key == "clean" || key == "smudge" || key == "process"
	case "merge":
		return key == "driver"
	case "gpg":
		return key == "program" || key == "defaultkeycommand"
	case "credential":
		return key == "helper"
	case "remote":
		// Run here for a remote that is a local path.
		return key == "uploadpack" || key == "receivepack"
	case "sendemail":
		return key == "sendmailcmd"
	case "alias":
		return strings.HasPrefix(value, "!")
	case "submodule":
		return key == "update" && strings.HasPrefix(value, "!")
	case "pager":
		return true
	}
	return false
}

// commandPaths are the paths a command value names, every word of it
// that holds a slash: git runs a value with spaces through sh -c, so a
// script it hands to an interpreter ("sh ./tools/fsmon.sh",
// "python3 hooks/x.py") runs as surely as the program itself, and an
// option's value (--config=./x) is read by it. Words are split as the
// shell would (blanks and ;&|() outside quotes, quotes removed, a
// backslash escaping the next byte); an alias's leading "!" and an
// assignment's or option's name= are dropped; URLs are not paths. A word
// found only through PATH, or built from $variables, is not followed.
func commandPaths(value string) []string {
	var out []string
	for _, w := range shellWords(value) {
		w = strings.TrimPrefix(w, "!")
		if k, v, ok := strings.Cut(w, "="); ok && !strings.Contains(k, "/") {
			w = v
		}
		if strings.Contains(w, "/") && !strings.Contains(w, "://") && !strings.ContainsAny(w, "$`") {
			out = append(out, w)
		}
	}
	return out
}

// shellWords splits s into words roughly as sh does (see commandPaths).
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	in := false // a word is open (possibly empty, as "")
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == '\'':
			w.WriteByte(c)
		case c == '\\' && i+1 < len(s):
			i++
			w.WriteByte(s[i])
			in = true
		case quote == '"':
			w.WriteByte(c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case strings.IndexByte(" \t\n;&|()<>", c) >= 0:
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// expandConfigPath is a path-valued variable as git reads it: ~/ is the
// home directory, a relative path is relative to base. "" when it cannot
// be known (~user, no home, no base). It is not cleaned: git hands it to
// the kernel as it is, which follows a symlink before a ".." after it
// ("link/../hooks" is the hooks beside where link points); protectPath
// resolves it the same way.
func expandConfigPath(value, base, home string) string {
	switch {
	case value == "":
		return ""
	case value == "~" || strings.HasPrefix(value, "~/"):
		if home == "" || !filepath.IsAbs(home) {
			return ""
		}
		return home + value[1:]
	case strings.HasPrefix(value, "~") || strings.HasPrefix(value, "%(prefix)/"):
		return ""
	case filepath.IsAbs(value):
		return value
	case base == "":
		return ""
	}
	return base + string(filepath.Separator) + value
}

// configDir is the directory a config file's relative includes start
// from: its path up to the last slash, as git takes it (not cleaned, see
// expandConfigPath).
func configDir(path string) string {
	if i := strings.LastIndexByte(path, filepath.Separator); i > 0 {
		return path[:i]
	}
	return string(filepath.Separator)
}
