package codex

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/codexgo/common/cli"
)

// TestEveryCommandHelps runs --help for codex, every command under it and
// every tool linked in, as a user would: help on stdout, exit 0, nothing
// on stderr; a synopsis, the flags as users type them (--add-dir, never
// -add-dir), examples and exit codes.
func TestEveryCommandHelps(t *testing.T) {
	b := Default()
	n := 0
	for tool, doc := range b.docs() {
		doc.Walk(func(c *cli.Command) {
			n++
			argv := append([]string{tool}, strings.Fields(c.Name)[1:]...)
			argv = append(argv, "--help")
			var out, errb bytes.Buffer
			code := b.Run(t.Context(), argv, strings.NewReader(""), &out, &errb)
			help := out.String()
			if code != 0 || errb.Len() != 0 {
				t.Errorf("%q: exit %d, stderr %q; want 0 and nothing", argv, code, errb.String())
				return
			}
			if !strings.HasPrefix(help, "Usage:\n") {
				t.Errorf("%q: help does not start with a synopsis:\n%s", argv, help)
			}
			for _, section := range []string{"Examples:\n", "Exit status:\n"} {
				if !strings.Contains(help, section) {
					t.Errorf("%q: help lacks %q:\n%s", argv, section, help)
				}
			}
			if c.Summary == "" || c.Description == "" || len(c.Synopsis) == 0 || len(c.Examples) == 0 || len(c.ExitCodes) == 0 {
				t.Errorf("%q: want a summary, a description, a synopsis, examples and exit codes", argv)
			}
			for _, e := range c.Entries() {
				for _, name := range e.Names {
					if !strings.Contains(help, name) {
						t.Errorf("%q: help does not show flag %s", argv, name)
					}
					// "-add-dir" is a flag shown as Go's flag package shows it.
					if strings.HasPrefix(name, "--") && (strings.Contains(help, " "+name[1:]+" ") || strings.Contains(help, " "+name[1:]+"\n")) {
						t.Errorf("%q: flag %s shown with one dash", argv, name)
					}
				}
			}
		})
	}
	if n < 30 {
		t.Errorf("only %d commands described", n)
	}
}

// TestToolsTakeVersion: every tool answers --version on stdout.
func TestToolsTakeVersion(t *testing.T) {
	b := Default()
	for _, tool := range append(b.toolNames(), "codex") {
		var out, errb bytes.Buffer
		code := b.Run(t.Context(), []string{tool, "--version"}, nil, &out, &errb)
		want := tool
		if tool == "codex-mcp" {
			continue // a subcommand of codex, not a binary of its own
		}
		if code != 0 || !strings.HasPrefix(out.String(), want+" ") || errb.Len() != 0 {
			t.Errorf("%s --version: exit %d, stdout %q, stderr %q", tool, code, out.String(), errb.String())
		}
	}
}

// TestSandboxHelpShowsCodexForms: `codex sandbox --help` shows the Codex
// CLI's forms (linux, --full-auto, -c, -p) besides codex-sandbox's flags.
func TestSandboxHelpShowsCodexForms(t *testing.T) {
	for _, argv := range [][]string{{"codex", "sandbox", "--help"}, {"codex", "sandbox", "linux", "-h"}, {"codex", "help", "sandbox"}} {
		var out, errb bytes.Buffer
		if code := Default().Run(t.Context(), argv, nil, &out, &errb); code != 0 || errb.Len() != 0 {
			t.Fatalf("%q: exit %d, stderr %q", argv, code, errb.String())
		}
		for _, want := range []string{"codex sandbox", "linux", "--full-auto", "-c, --config KEY=VALUE", "-p, --profile PROFILE", "--add-dir DIR", "--network"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%q lacks %q:\n%s", argv, want, out.String())
			}
		}
	}
}

// TestSandboxDocFlagsAreConsumed holds the flags `codex sandbox --help`
// adds to codex-sandbox's to what sandboxArgs really takes: each is
// consumed, not passed on to codex-sandbox (which would reject it).
func TestSandboxDocFlagsAreConsumed(t *testing.T) {
	home := t.TempDir()
	getenv := func(k string) string {
		if k == "CODEX_HOME" {
			return home
		}
		return ""
	}
	own := map[string]bool{}
	for _, e := range Default().Docs["codex-sandbox"]().Entries() {
		for _, n := range e.Names {
			own[n] = true
		}
	}
	values := map[string]string{"-c": `sandbox_mode="read-only"`, "--config": `sandbox_mode="read-only"`}
	checked := 0
	for _, e := range sandboxDoc().Entries() {
		for _, name := range e.Names {
			if own[name] {
				continue
			}
			checked++
			args := []string{name}
			if e.Arg != "" {
				v, ok := values[name]
				if !ok {
					v = "ci"
				}
				args = append(args, v)
			}
			args = append(args, "--", "true")
			out, err := sandboxArgs(args, getenv)
			if err != nil && !strings.Contains(err.Error(), `profile "ci"`) {
				t.Errorf("%q: %v", args, err)
				continue
			}
			for _, a := range out {
				if a == name {
					t.Errorf("%q: %s passed on to codex-sandbox: %q", args, name, out)
				}
			}
		}
	}
	if checked != 5 {
		t.Errorf("checked %d codex-only flags, want 5 (--full-auto, -c, --config, -p, --profile)", checked)
	}
}

// TestManPages writes every page and checks its roff skeleton.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Default().Run(t.Context(), []string{"codex", "man", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	if len(pages) < 30 {
		t.Fatalf("%d pages: %v", len(pages), pages)
	}
	for _, want := range []string{"codex.1", "codex-sandbox.1", "codex-features.1", "codex-execpolicy-check.1", "codex-exec.1", "codex-mcp-client-call.1", "codex-linux-sandbox.1"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("missing %s", want)
		}
	}
	request := regexp.MustCompile(`^\.(TH|SH|TP|B|PP|br)( |$)`)
	for _, p := range pages {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		for _, want := range []string{".TH ", "\n.SH NAME\n", "\n.SH SYNOPSIS\n"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s lacks %q", filepath.Base(p), want)
			}
		}
		for i, line := range strings.Split(s, "\n") {
			if (strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'")) && !request.MatchString(line) {
				t.Errorf("%s:%d: stray request %q", filepath.Base(p), i+1, line)
			}
		}
	}
}
