package execpolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/codexgo/common/protocol"
)

// RuleLine renders one prefix_rule line as Codex writes it: JSON-quoted
// tokens, then the decision (and justification when given).
func RuleLine(pattern []string, d protocol.Decision, justification string) (string, error) {
	if len(pattern) == 0 {
		return "", fmt.Errorf("empty prefix")
	}
	if _, err := parseDecision(string(d)); err != nil {
		return "", err
	}
	toks := make([]string, len(pattern))
	for i, t := range pattern {
		q, err := quoteJSON(t)
		if err != nil {
			return "", err
		}
		toks[i] = q
	}
	line := fmt.Sprintf("prefix_rule(pattern=[%s], decision=%q", strings.Join(toks, ", "), string(d))
	if justification != "" {
		q, err := quoteJSON(justification)
		if err != nil {
			return "", err
		}
		line += ", justification=" + q
	}
	return line + ")", nil
}

func quoteJSON(s string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// AppendPrefixRule appends a prefix_rule to codexHome/rules/default.rules
// (the agent's "approve and remember"), holding an advisory lock and
// skipping a line that is already there. It reports the file and whether
// the line was added.
func AppendPrefixRule(codexHome string, pattern []string, d protocol.Decision, justification string) (string, bool, error) {
	line, err := RuleLine(pattern, d, justification)
	if err != nil {
		return "", false, err
	}
	// The line must load on its own before it goes into the user's file.
	if _, err := LoadSources([]Source{{Name: "new rule", Data: []byte(line)}}, Options{NoDefault: true}); err != nil {
		return "", false, fmt.Errorf("rule does not load: %w", err)
	}
	dir := filepath.Join(codexHome, "rules")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, "default.rules")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return "", false, fmt.Errorf("open %s: %w", path, err)
	}
	// Closed explicitly on success; this catches the error paths.
	defer func() { _ = f.Close() }()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return "", false, fmt.Errorf("lock %s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == line {
			return path, false, nil
		}
	}
	out := line + "\n"
	if len(data) > 0 && data[len(data)-1] != '\n' {
		out = "\n" + out
	}
	if _, err := f.WriteString(out); err != nil {
		return "", false, fmt.Errorf("append to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("close %s: %w", path, err)
	}
	return path, true, nil
}

// subcommandTool reports programs whose first operand is a subcommand, so
// a remembered approval generalises to "program subcommand".
func subcommandTool(name string) bool {
	switch name {
	case "git", "go", "cargo", "npm", "pnpm", "yarn", "bun", "docker", "kubectl", "make", "pip", "pip3", "uv", "poetry", "gh", "terraform", "helm", "brew", "apt", "apt-get", "systemctl", "dotnet", "mvn", "gradle", "npx", "rustup", "deno":
		return true
	}
	return false
}

// SuggestPrefix proposes the prefix to remember when the user approves a
// command "and don't ask again": the program, plus its subcommand for
// tools that have them (git push, npm test), rather than the exact argv.
// It returns nil for commands that must not be generalised (wrappers,
// shells, eval, rm and the like).
func SuggestPrefix(argv []string) []string {
	if len(argv) == 0 || argv[0] == "" {
		return nil
	}
	base := baseName(argv[0])
	if _, w := wrapperFor(base); w || isShell(base) || interpreter(base) || base == "rm" || base == "dd" || base == "chmod" || base == "chown" || base == "mv" {
		return nil
	}
	if subcommandTool(base) {
		args := argv[1:]
		if base == "git" {
			if i, bad := gitGlobals(args); bad == "" && i < len(args) {
				return []string{argv[0], args[i]}
			}
			return nil
		}
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			return []string{argv[0], args[0]}
		}
	}
	return []string{argv[0]}
}
