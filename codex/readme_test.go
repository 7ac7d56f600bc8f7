package codex

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The Codex CLI 0.169's top-level commands (its `codex --help`).
var codex169Commands = []string{"agents", "exec", "review", "login", "logout", "mcp", "plugin", "app-server",
	"remote-control", "completion", "update", "doctor", "sandbox", "debug", "apply", "resume", "queue", "archive",
	"delete", "migrate-rollouts", "migrate-nfs-db", "unarchive", "fork", "cloud", "exec-server", "features"}

// TestReadmeParityTable keeps the README's "Codex CLI 0.169 feature |
// ours" table true: every test a row names exists in the file it names;
// a "no" row's commands answer with the one-line error; every 0.169
// command is either ours or in the table.
func TestReadmeParityTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "## Codex CLI 0.169 feature | ours")
	if start < 0 {
		t.Fatal("README has no parity table")
	}
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	rowRE := regexp.MustCompile(`(?m)^\| (.+?) \| (.+?) \| (.*?) \|$`)
	refRE := regexp.MustCompile("((?:`Test\\w+`(?:, )?)+) \\(([\\w./-]+)\\)")
	nameRE := regexp.MustCompile("`(Test\\w+)`")
	rows := 0
	for _, m := range rowRE.FindAllStringSubmatch(section, -1) {
		feature, ours, tested := m[1], m[2], m[3]
		if strings.HasPrefix(feature, "Codex CLI") || strings.HasPrefix(feature, "---") {
			continue
		}
		rows++
		if strings.HasPrefix(ours, "no") {
			for _, cmd := range regexp.MustCompile("`([a-z-]+)`").FindAllStringSubmatch(feature, -1) {
				if _, ok := unimplemented[cmd[1]]; !ok && strings.Contains(ours, "one-line error") {
					t.Errorf("row %q: %s is not an unimplemented command", feature, cmd[1])
				}
			}
			continue
		}
		refs := refRE.FindAllStringSubmatch(tested, -1)
		if len(refs) == 0 {
			t.Errorf("row %q says %q but names no test", feature, ours)
		}
		for _, r := range refs {
			src, err := os.ReadFile(filepath.Join("..", r[2]))
			if err != nil {
				t.Errorf("row %q: %v", feature, err)
				continue
			}
			for _, n := range nameRE.FindAllStringSubmatch(r[1], -1) {
				if !strings.Contains(string(src), "func "+n[1]+"(") {
					t.Errorf("row %q: %s is not in %s", feature, n[1], r[2])
				}
			}
		}
	}
	if rows < 10 {
		t.Fatalf("only %d rows parsed", rows)
	}
	subs := Default().Subcommands
	for _, c := range codex169Commands {
		_, ours := subs[c]
		_, refused := unimplemented[c]
		builtin := c == "completion"
		if !ours && !refused && !builtin {
			t.Errorf("0.169's %q is neither a command of ours nor refused with a one-line error", c)
		}
		if refused && !strings.Contains(section, "`"+c+"`") {
			t.Errorf("0.169's %q is refused but missing from the README table", c)
		}
	}
}
