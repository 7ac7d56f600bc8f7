package sandboxpolicy

import (
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

// configVar is one variable of a git config file: section and key lower
// case, sub (the subsection) as written.
type configVar struct{ section, sub, key, value string }

// readGitConfig parses the git config file at path; nil if it cannot be
// read.
func readGitConfig(path string) []configVar {
	b, err := readRegular(path, maxConfigSize)
	if err != nil {
		return nil
	}
	return parseGitConfig(string(b))
}

// parseGitConfig parses git config syntax: [section], [section "sub"],
// [section.sub], name = value (quotes, backslash escapes and
// continuations), a bare name (true), # and ; comments. What it does not
// understand is skipped.
func parseGitConfig(s string) []configVar {
	var out []configVar
	section, sub := "", ""
	i := 0
	for i < len(s) {
		// Start of a line (or of what follows a section header).
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			break
		}
		switch c := s[i]; {
		case c == '#' || c == ';':
			i = skipLine(s, i)
		case c == '[':
			var ok bool
			section, sub, i, ok = parseSectionHeader(s, i+1)
			if !ok {
				section, sub = "", ""
				i = skipLine(s, i)
			}
		case isKeyChar(c):
			j := i
			for j < len(s) && isKeyChar(s[j]) {
				j++
			}
			key := strings.ToLower(s[i:j])
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			value := "true"
			if j < len(s) && s[j] == '=' {
				value, j = parseValue(s, j+1)
			} else if j < len(s) && s[j] != '\n' && s[j] != '\r' && s[j] != '#' && s[j] != ';' {
				i = skipLine(s, j)
				continue
			}
			if section != "" {
				out = append(out, configVar{section, sub, key, value})
			}
			i = skipLine(s, j)
		default:
			i = skipLine(s, i)
		}
	}
	return out
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// skipLine returns the index after the end of the line holding s[i].
func skipLine(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// parseSectionHeader parses what follows '[' at s[i:].
func parseSectionHeader(s string, i int) (section, sub string, next int, ok bool) {
	j := i
	for j < len(s) && (isKeyChar(s[j]) || s[j] == '.') {
		j++
	}
	name := strings.ToLower(s[i:j])
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j < len(s) && s[j] == ']' {
		// [section] or the older [section.sub] (sub lower case).
		section, sub, _ = strings.Cut(name, ".")
		return section, sub, j + 1, section != ""
	}
	if j >= len(s) || s[j] != '"' || strings.Contains(name, ".") {
		return "", "", j, false
	}
	var b strings.Builder
	for j++; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) && s[j+1] != '\n' {
				j++
				b.WriteByte(s[j])
			}
		case '"':
			if j+1 < len(s) && s[j+1] == ']' && name != "" {
				return name, b.String(), j + 2, true
			}
			return "", "", j, false
		case '\n':
			return "", "", j, false
		default:
			b.WriteByte(s[j])
		}
	}
	return "", "", j, false
}

// parseValue parses a value starting at s[i] up to the end of its
// (possibly continued) line, returning it and the index of that end.
func parseValue(s string, i int) (string, int) {
	var b strings.Builder
	quoted := false
	pending := 0 // unquoted whitespace kept only if more follows
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			return b.String(), i
		case c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			continue
		case !quoted && (c == '#' || c == ';'):
			return b.String(), i
		case !quoted && (c == ' ' || c == '\t'):
			if b.Len() > 0 {
				pending++
			}
			continue
		case c == '"':
			quoted = !quoted
			continue
		}
		if pending > 0 {
			b.WriteString(strings.Repeat(" ", pending))
			pending = 0
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			break
		}
		i++
		switch s[i] {
		case '\n':
			// A continuation line.
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), i
}

// commandKey reports whether a variable's value is a command git runs
// (through the shell, in the working tree) on its own.
func commandKey(v configVar) bool {
	switch v.section {
	case "core":
		return v.sub == "" && (v.key == "fsmonitor" || v.key == "sshcommand" || v.key == "pager" ||
			v.key == "editor" || v.key == "askpass")
	case "sequence":
		return v.key == "editor"
	case "diff":
		return v.sub == "" && v.key == "external" || v.sub != "" && (v.key == "textconv" || v.key == "command")
	case "filter":
		return v.key == "clean" || v.key == "smudge" || v.key == "process"
	case "merge":
		return v.key == "driver"
	case "gpg":
		return v.key == "program"
	case "credential":
		return v.key == "helper"
	case "alias":
		return strings.HasPrefix(v.value, "!")
	case "pager":
		return true
	}
	return false
}

// commandPath is the program a command value names when it is a path
// (it holds a slash), "" otherwise (looked up in PATH, or a built-in).
func commandPath(value string) string {
	value = strings.TrimLeft(strings.TrimPrefix(strings.TrimSpace(value), "!"), " \t")
	word, _, _ := strings.Cut(value, " ")
	word, _, _ = strings.Cut(word, "\t")
	word = strings.Trim(word, `"'`)
	if !strings.Contains(word, "/") {
		return ""
	}
	return word
}

// expandConfigPath is a path-valued variable as git reads it: ~/ is the
// home directory, a relative path is relative to base. "" when it cannot
// be known (~user, no home, no base).
func expandConfigPath(value, base, home string) string {
	switch {
	case value == "":
		return ""
	case value == "~" || strings.HasPrefix(value, "~/"):
		if home == "" || !filepath.IsAbs(home) {
			return ""
		}
		return filepath.Join(home, value[1:])
	case strings.HasPrefix(value, "~") || strings.HasPrefix(value, "%(prefix)/"):
		return ""
	case filepath.IsAbs(value):
		return filepath.Clean(value)
	case base == "":
		return ""
	}
	return filepath.Join(base, value)
}
