package selfexec

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
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
	if Name(os.Args[0]) == "codex-resolve" {
		p, err := Resolve("codex-echo")
		fmt.Println(p, err)
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

// TestResolveThroughSymlink: a binary started through a symlink in
// another directory (an installed link) finds the tools next to the
// file it really is, not next to the link.
func TestResolveThroughSymlink(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	real, links := filepath.Join(t.TempDir(), "real"), filepath.Join(t.TempDir(), "links")
	for _, d := range []string{real, links} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile := func(dst string) {
		in, err := os.Open(self)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = in.Close() }()
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(real, "codex-resolve"))
	copyFile(filepath.Join(real, "codex-echo"))
	copyFile(filepath.Join(links, "codex-echo")) // must not be chosen
	if err := os.Symlink(filepath.Join(real, "codex-resolve"), filepath.Join(links, "codex-resolve")); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(links, "codex-resolve")).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(out)), filepath.Join(real, "codex-echo")+" <nil>"; got != want {
		t.Errorf("Resolve through a link = %q, want %q", got, want)
	}
}
