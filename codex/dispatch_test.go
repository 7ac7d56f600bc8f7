package codex

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recorder is a fake tool that prints its name and arguments.
func recorder(name string) MainFunc {
	return func(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) int {
		fmt.Fprintf(stdout, "%s %s", name, strings.Join(args, "|"))
		return 7
	}
}

func testBundle() *Bundle {
	return &Bundle{
		Tools: map[string]MainFunc{
			"codex-sandbox":    recorder("codex-sandbox"),
			"codex-login":      recorder("codex-login"),
			"codex-tui":        recorder("codex-tui"),
			"codex-execpolicy": recorder("codex-execpolicy"),
		},
		Subcommands: map[string]Subcommand{
			"sandbox": {Tool: "codex-sandbox", Summary: "run a command in the sandbox"},
			"login":   {Tool: "codex-login"},
			"logout":  {Tool: "codex-login", Prefix: []string{"logout"}},
			"tui":     {Tool: "codex-tui"},
		},
		Default: "tui",
	}
}

func TestDispatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		argv     []string
		wantOut  string
		wantCode int
	}{
		{"arg0 names a tool", []string{"/usr/bin/codex-sandbox", "--sandbox", "read-only", "--", "ls"}, "codex-sandbox --sandbox|read-only|--|ls", 7},
		{"arg0 with .exe", []string{`codex-login.exe`, "status"}, "codex-login status", 7},
		{"subcommand passes flags untouched", []string{"codex", "sandbox", "--network", "-h", "--", "x"}, "codex-sandbox --network|-h|--|x", 7},
		{"subcommand with prefix", []string{"codex", "logout", "--json"}, "codex-login logout|--json", 7},
		{"bare codex starts the default", []string{"codex"}, "codex-tui ", 7},
		{"prompt goes to the default", []string{"codex", "fix the tests"}, "codex-tui fix the tests", 7},
		{"flags go to the default", []string{"codex", "-m", "o3"}, "codex-tui -m|o3", 7},
		{"version", []string{"codex", "--version"}, "codex dev\n", 0},
		{"help", []string{"codex", "help"}, "Commands:", 0},
		{"help for a command", []string{"codex", "help", "sandbox"}, "codex-sandbox --help", 7},
		{"empty argv", nil, "codex-tui ", 7},
		{"global config goes to the command", []string{"codex", "--config", "a=1", "-c", "b=2", "--config=c=3", "login", "x"}, "codex-login -c|a=1|-c|b=2|-c|c=3|x", 7},
		{"global config goes after a prefix", []string{"codex", "-c", "a=1", "logout"}, "codex-login logout|-c|a=1", 7},
		{"global config goes to the default", []string{"codex", "-c", "a=1"}, "codex-tui -c|a=1", 7},
		{"global config with a prompt", []string{"codex", "-c", "a=1", "fix the tests"}, "codex-tui -c|a=1|fix the tests", 7},
		{"a one-word prompt after --", []string{"codex", "--", "fix"}, "codex-tui fix", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := testBundle().Run(context.Background(), tt.argv, strings.NewReader(""), &out, &errb)
			if code != tt.wantCode || !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("got %d %q (stderr %q), want %d containing %q", code, out.String(), errb.String(), tt.wantCode, tt.wantOut)
			}
		})
	}
}

func TestDispatchErrors(t *testing.T) {
	t.Parallel()
	b := testBundle()
	b.Subcommands["exec"] = Subcommand{Tool: "codex-agent"}
	tests := []struct {
		argv []string
		code int
		msg  string
	}{
		{[]string{"codex", "help", "nope"}, 2, `unknown command "nope"`},
		{[]string{"codex", "exec", "hi"}, 1, "codex-agent is not linked"},
		{[]string{"codex", "install-links"}, 2, "codex install-links: want one DIR"},
		{[]string{"codex", "app-server"}, 2, `unknown command "app-server"`},
		{[]string{"codex", "no-such-command"}, 2, `unknown command "no-such-command"`},
		{[]string{"codex", "-c", "a=1", "frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"codex", "--config"}, 2, "--config needs a key=value"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := b.Run(context.Background(), tt.argv, nil, &out, &errb)
		if code != tt.code || !strings.Contains(errb.String(), tt.msg) || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: got %d %q, want %d and one line containing %q", tt.argv, code, errb.String(), tt.code, tt.msg)
		}
	}
}

func TestInstallLinks(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "links")
	target := "/opt/codex/bin/codex"
	names := []string{"codex-a", "codex-b"}
	if err := installLinks(dir, target, names); err != nil {
		t.Fatal(err)
	}
	// Running it again replaces the links.
	if err := installLinks(dir, target, names); err != nil {
		t.Fatalf("second run: %v", err)
	}
	for _, n := range names {
		got, err := os.Readlink(filepath.Join(dir, n))
		if err != nil || got != target {
			t.Errorf("%s: got %q, %v; want link to %s", n, got, err, target)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "codex-c"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := installLinks(dir, target, []string{"codex-c"}); err == nil {
		t.Error("over a regular file: got nil error, want refusal")
	}
}

// TestBinaryDispatch builds the real binary and runs it through links.
func TestBinaryDispatch(t *testing.T) {
	bin := codexBinary(t)
	dir := t.TempDir()
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "codex v9.9.9-test" {
		t.Fatalf("--version: got %q, %v", out, err)
	}
	links := filepath.Join(dir, "links")
	if out, err := exec.Command(bin, "install-links", links).CombinedOutput(); err != nil {
		t.Fatalf("install-links: %v\n%s", err, out)
	}
	if runtime.GOOS == "linux" {
		sandboxRuns(t, bin)
	}
	for name := range Default().Tools {
		out, err := exec.Command(filepath.Join(links, name), "--help").CombinedOutput()
		if err != nil {
			t.Errorf("%s --help: %v\n%s", name, err, out)
			continue
		}
		if !strings.Contains(string(out), name) && !strings.Contains(strings.ToLower(string(out)), "usage") {
			t.Errorf("%s --help: got %q, want that tool's help", name, out)
		}
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

// codexBinary builds the real codex binary once per test run.
func codexBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "codex-bin-")
		if buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "codex")
		build := exec.Command("go", "build", "-ldflags", "-X github.com/codexgo/common/version.Version=v9.9.9-test", "-o", builtBin, "./cmd/codex")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
