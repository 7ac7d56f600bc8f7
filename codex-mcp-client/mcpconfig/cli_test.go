package mcpconfig

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestSession runs a scripted `codex mcp` session against a fresh
// CODEX_HOME and compares the whole transcript with a golden file.
func TestSession(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, "config.toml")
	userText := "# my codex config\nmodel = \"o3\" # keep me\n\n[tui]\ntheme = \"dark\"\n"
	if err := os.WriteFile(cfg, []byte(userText), 0o640); err != nil {
		t.Fatal(err)
	}
	steps := [][]string{
		{"add", "docs", "--env", "TOKEN=secret", "--env", "MODE=fast", "--", "docs-server", "--port", "4000"},
		{"add", "web", "--url", "https://mcp.example.test/mcp", "--bearer-token-env-var", "WEB_TOKEN"},
		{"add", "plain", "--", "plain-server"},
		{"list"},
		{"list", "--json"},
		{"get", "docs"},
		{"get", "web", "--json"},
		{"get", "nope"},
		{"add", "docs", "--", "docs-server", "--v2"},
		{"remove", "plain"},
		{"remove", "plain"},
		{"add", "bad name", "--", "x"},
		{"add", "both", "--url", "http://x", "--", "cmd"},
		{"add", "neither"},
		{"frob"},
		{"login", "nosuch"},
		{"logout", "docs"},
		{},
		{"list"},
	}
	var transcript bytes.Buffer
	for _, args := range steps {
		var out, errb bytes.Buffer
		c := &cli{stdout: &out, stderr: &errb, getenv: func(k string) string {
			if k == "CODEX_HOME" {
				return home
			}
			return ""
		}}
		code := exitCode(c.run(args), &errb)
		fmt.Fprintf(&transcript, "$ codex mcp %s\n%s%s[exit %d]\n\n", strings.Join(args, " "), out.String(), errb.String(), code)
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&transcript, "== config.toml\n%s", data)
	if !strings.HasPrefix(string(data), userText) {
		t.Errorf("the user's text was not kept verbatim:\n%s", data)
	}
	if st, err := os.Stat(cfg); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("config mode changed: %v %v", st.Mode(), err)
	}
	golden(t, "testdata/golden/session.txt", transcript.Bytes())
}

// exitCode mirrors Main's mapping so the transcript shows real statuses.
func exitCode(err error, stderr *bytes.Buffer) int {
	if err == nil || err == flag.ErrHelp {
		return 0
	}
	fmt.Fprintf(stderr, "Error: %v\n", err)
	if _, ok := err.(usageError); ok {
		return 2
	}
	return 1
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s", path, got)
	}
}

func TestMainExitCodes(t *testing.T) {
	t.Setenv("CODEX_HOME", t.TempDir())
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"list"}, 0},
		{[]string{"--help"}, 0},
		{[]string{}, 2},
		{[]string{"get", "nope"}, 1},
		{[]string{"remove", "nope"}, 0},
		{[]string{"add", "x"}, 2},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		if got := Main(t.Context(), tt.args, nil, &out, &errb); got != tt.code {
			t.Errorf("codex mcp %v: exit %d, want %d (stderr %q)", tt.args, got, tt.code, errb.String())
		}
	}
}

// A type error in config.toml keeps its file, line, key and the type
// expected (codex mcp list used to lose all but Go's words).
func TestListBadConfigSaysWhere(t *testing.T) {
	home := t.TempDir()
	t.Setenv("CODEX_HOME", home)
	path := filepath.Join(home, "config.toml")
	if err := os.WriteFile(path, []byte("model = \"x\"\n[mcp_servers.docs]\ncommand = 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if got := Main(t.Context(), []string{"list"}, nil, &out, &errb); got != 1 {
		t.Fatalf("exit %d, want 1", got)
	}
	want := "Error: " + path + `:3:11: mcp_servers.docs.command: expected a string (in quotes: "…"), got an integer` + "\n"
	if errb.String() != want {
		t.Errorf("stderr %q\nwant %q", errb.String(), want)
	}
}
