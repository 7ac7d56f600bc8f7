package selfexec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain makes the test binary act as a tool when re-executed under
// that name, the way every codex binary dispatches on argv[0].
func TestMain(m *testing.M) {
	if Name(os.Args[0]) == "codex-echo" {
		fmt.Println(strings.Join(append([]string{"argv0=" + os.Args[0]}, os.Args[1:]...), " "))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestCommandReexecsWithArgv0(t *testing.T) {
	cmd, err := Command(context.Background(), "codex-echo", "a", "b c")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "PATH=/nonexistent")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if got, want := strings.TrimSpace(string(out)), "argv0=codex-echo a b c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"/usr/local/bin/codex-sandbox": "codex-sandbox",
		"codex.exe":                    "codex",
		"./bin/codex-linux-sandbox":    "codex-linux-sandbox",
		"codex":                        "codex",
	}
	for in, want := range tests {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSibling(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("codex-sandbox", 0o755)
	write("codex-notexec", 0o644)
	if err := os.Symlink(filepath.Join(dir, "codex-sandbox"), filepath.Join(dir, "codex-link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tool string
		want bool
	}{
		{"codex-sandbox", true},
		{"codex-notexec", false},
		{"codex-link", false},
		{"codex-missing", false},
		{"../codex-sandbox", false},
		{"", false},
	}
	for _, tt := range tests {
		p, ok := sibling(dir, tt.tool)
		if ok != tt.want || ok && p != filepath.Join(dir, tt.tool) {
			t.Errorf("sibling(%q) = %q, %v; want found=%v", tt.tool, p, ok, tt.want)
		}
	}
}

func TestResolveFallsBackToSelf(t *testing.T) {
	t.Parallel()
	// The test binary has no codex-echo next to it.
	got, err := Resolve("codex-echo")
	want, _ := Path()
	if err != nil || got != want {
		t.Errorf("Resolve = %q, %v; want %q", got, err, want)
	}
}
