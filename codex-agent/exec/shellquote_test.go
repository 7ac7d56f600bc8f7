package exec

import (
	"os/exec"
	"strings"
	"testing"
)

// TestShellJoinAsCodex: `bash -lc WORD` as the Codex CLI 0.169 shows it
// on its exec lines (captured from the 0.169 binary, one command each,
// against this repository's model server).
func TestShellJoinAsCodex(t *testing.T) {
	for word, want := range map[string]string{
		"true":         `true`,
		"a'b":          `"a'b"`,
		"echo $HOME":   `'echo $HOME'`,
		`a"b c`:        `'a"b c'`,
		`a'b"c`:        `"a'b\"c"`,
		"echo !x":      `'echo !x'`,
		"^x":           `'^x'`,
		"x=y":          `'x=y'`,
		`a\b`:          `"a\\b"`,
		"é":            `'é'`,
		"it's $x":      `"it's "'$x'`,
		"a\tb":         "'a\tb'",
		"~":            `'~'`,
		"a,b":          `'a,b'`,
		"a@b:c%d+e":    `'a@b:c%d+e'`,
		`echo "x"`:     `'echo "x"'`,
		"printf abc":   `'printf abc'`,
		"":             `''`,
		"/usr/bin/env": `/usr/bin/env`,
	} {
		if got := ShellJoin([]string{"/bin/bash", "-lc", word}); got != "/bin/bash -lc "+want {
			t.Errorf("%q: %s, want /bin/bash -lc %s", word, got, want)
		}
	}
}

// TestShellJoinRoundTrip: whatever the words, a POSIX shell reads the
// joined line back as the same words.
func TestShellJoinRoundTrip(t *testing.T) {
	words := []string{"", "plain", "two words", "it's", `"q"`, `back\slash`, "$HOME", "`x`", "!bang", "^caret",
		"a'b\"c$d`e\\f!g", "tab\there", "new\nline", "ünï", "x=y", "~", "*", "#c", "{a,b}", "a;b|c&d", "^'$"}
	line := "printf '%s\\0' " + ShellJoin(words)
	out, err := exec.Command("/bin/sh", "-c", line).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if strings.Join(got, "|") != strings.Join(words, "|") {
		t.Errorf("read back\n%q\nwant\n%q\nfrom %s", got, words, line)
	}
}
