package tui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/codexgo/common/protocol"
)

// exitSummary is what is printed after the TUI has left the terminal:
// the session's token usage and how to continue it, as the Codex CLI
// prints them. Empty when no session was configured.
func exitSummary(m *model, prog string) string {
	if !m.configured || m.session.SessionID == "" {
		return ""
	}
	var b strings.Builder
	if u := m.tokens.TotalTokenUsage; u.TotalTokens > 0 {
		b.WriteString("Token usage: " + usageLine(u) + "\n")
	}
	b.WriteString("To continue this session, run " + prog + " resume " + m.session.SessionID + "\n")
	return b.String()
}

// usageLine prints total=1,234 input=1,000 (+ 500 cached) output=234 (reasoning 100).
func usageLine(u protocol.TokenUsage) string {
	s := "total=" + thousands(u.TotalTokens) + " input=" + thousands(u.InputTokens-u.CachedInputTokens)
	if u.CachedInputTokens > 0 {
		s += " (+ " + thousands(u.CachedInputTokens) + " cached)"
	}
	s += " output=" + thousands(u.OutputTokens)
	if u.ReasoningOutputTokens > 0 {
		s += " (reasoning " + thousands(u.ReasoningOutputTokens) + ")"
	}
	return s
}

// thousands prints n with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// programName is the command a user types to run this front end again:
// codex-tui for the standalone binary, codex otherwise.
func programName() string {
	if strings.HasPrefix(filepath.Base(os.Args[0]), "codex-tui") {
		return "codex-tui"
	}
	return "codex"
}
