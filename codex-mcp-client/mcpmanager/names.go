package mcpmanager

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// Name limits the Responses API puts on function names.
const (
	// Delimiter separates "mcp", the server and the tool in a
	// qualified name.
	Delimiter = "__"
	// MaxToolNameLength is the longest function name the model API takes.
	MaxToolNameLength = 64
)

// sanitize replaces every character outside [A-Za-z0-9_-] with '_' (an
// empty result becomes "unknown"), as the model API requires.
func sanitize(s string, keepDash bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || keepDash && c == '-'
		if ok {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// QualifyName returns the flat model-facing name of a server's tool,
// "mcp__<server>__<tool>" sanitised to ^[a-zA-Z0-9_-]{1,64}$. A name too
// long keeps its first characters and ends with the SHA-1 (hex) of the
// raw qualified name, so it stays unique and stable across runs.
func QualifyName(server, tool string) string {
	raw := "mcp" + Delimiter + server + Delimiter + tool
	name := sanitize(raw, true)
	if len(name) > MaxToolNameLength {
		name = hashed(name, raw)
	}
	return name
}

// hashed shortens name to MaxToolNameLength, ending in sha1(raw).
func hashed(name, raw string) string {
	sum := sha1.Sum([]byte(raw))
	h := hex.EncodeToString(sum[:])
	keep := MaxToolNameLength - len(h)
	if keep > len(name) {
		keep = len(name)
	}
	return name[:keep] + h
}

// Namespace is the 0.169-style namespace tool name for a server,
// "mcp__<server>".
func Namespace(server string) string {
	return "mcp" + Delimiter + sanitize(server, false)
}

// NamespacedName is a tool's name inside its server's namespace: the
// tool name with every character outside [A-Za-z0-9_] replaced by '_'
// (so "codex-reply" becomes "codex_reply").
func NamespacedName(tool string) string {
	return sanitize(tool, false)
}
