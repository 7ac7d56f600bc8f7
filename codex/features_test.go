package codex

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/codex-agent/model"
)

func runFeatures(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Default().Run(context.Background(), append([]string{"codex", "features"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestFeatures(t *testing.T) {
	home := t.TempDir()
	t.Setenv("CODEX_HOME", home)
	cfg := filepath.Join(home, "config.toml")
	if err := os.WriteFile(cfg, []byte("# mine\n[features]\nunified_exec = false # keep off\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	out, _, code := runFeatures(t, "list")
	if code != 0 || !strings.Contains(out, "unified_exec") || !strings.Contains(out, "hooks") {
		t.Fatalf("list: %d %q", code, out)
	}
	state := func(out, name string) string {
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) == 3 && f[0] == name {
				return f[2]
			}
		}
		return "missing"
	}
	if s := state(out, "unified_exec"); s != "false" {
		t.Errorf("unified_exec after config = %s", s)
	}
	if out, _, _ := runFeatures(t, "--enable", "unified_exec", "--disable", "hooks", "list"); state(out, "unified_exec") != "true" || state(out, "hooks") != "false" {
		t.Errorf("--enable/--disable not applied:\n%s", out)
	}
	if out, _, _ := runFeatures(t, "-c", "features.hooks=false", "list"); state(out, "hooks") != "false" {
		t.Errorf("-c not applied:\n%s", out)
	}
	if out, _, code := runFeatures(t, "enable", "unified_exec"); code != 0 || out != "Enabled feature `unified_exec` in config.toml.\n" {
		t.Errorf("enable: %d %q", code, out)
	}
	if _, _, code := runFeatures(t, "disable", "hooks"); code != 0 {
		t.Fatal("disable failed")
	}
	b, _ := os.ReadFile(cfg)
	if want := "# mine\n[features]\nunified_exec = true\nhooks = false\n"; string(b) != want {
		t.Errorf("config.toml = %q, want %q", b, want)
	}
	if st, _ := os.Stat(cfg); st.Mode().Perm() != 0o640 {
		t.Errorf("mode changed to %v", st.Mode().Perm())
	}
	if _, errs, code := runFeatures(t, "enable", "no_such"); code != 2 || !strings.Contains(errs, "unknown feature flag: no_such") {
		t.Errorf("unknown: %d %q", code, errs)
	}
	if _, _, code := runFeatures(t, "frob"); code != 2 {
		t.Errorf("unknown command: %d", code)
	}
	// A file a line edit cannot change safely is left alone.
	if err := os.WriteFile(cfg, []byte("features = { hooks = true }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runFeatures(t, "disable", "hooks"); code != 1 || !strings.Contains(errs, "by hand") {
		t.Errorf("inline table: %d %q", code, errs)
	}
	if b, _ := os.ReadFile(cfg); string(b) != "features = { hooks = true }\n" {
		t.Errorf("file changed: %q", b)
	}
}

// The Codex CLI 0.169 subcommands codex-go lacks never reach the TUI as
// a prompt.
func TestUnimplementedSubcommands(t *testing.T) {
	b := testBundle()
	for name := range unimplemented {
		var out, errb bytes.Buffer
		code := b.Run(context.Background(), []string{"codex", name, "x"}, strings.NewReader(""), &out, &errb)
		if code != 2 || out.Len() != 0 || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "codex "+name+": not available") {
			t.Errorf("codex %s: %d out=%q err=%q", name, code, out.String(), errb.String())
		}
	}
}

// codex fork copies the session and hands the copy to the TUI's resume.
func TestForkHandsTheCopyToResume(t *testing.T) {
	home := t.TempDir()
	t.Setenv("CODEX_HOME", home)
	var got []string
	tui := func(_ context.Context, args []string, _ io.Reader, _, _ io.Writer) int { got = args; return 0 }
	fork := forkCommand(tui)
	var out, errb bytes.Buffer
	if code := fork(context.Background(), []string{"nope"}, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "codex fork:") {
		t.Errorf("unknown session: %d %q", code, errb.String())
	}
	if code := fork(context.Background(), nil, nil, &out, &errb); code != 2 {
		t.Errorf("no session: %d", code)
	}
	rec, err := agent.CreateRollout(home, agent.SessionMeta{ID: "01a00000-0000-7000-8000-000000000001", Cwd: home, Source: "cli"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	rec.Item(model.UserMessage("hello"))
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if code := fork(context.Background(), []string{"01a00000-0000-7000-8000-000000000001", "-m", "o3", "go on"}, nil, &out, &errb); code != 0 {
		t.Fatalf("fork: %d %s", code, errb.String())
	}
	if len(got) != 5 || got[0] != "resume" || got[1] == "01a00000-0000-7000-8000-000000000001" || got[2] != "-m" || got[4] != "go on" {
		t.Fatalf("tui got %q", got)
	}
	p, err := agent.FindRollout(home, got[1])
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := agent.LoadRollout(p)
	if err != nil || len(loaded.History) != 1 || loaded.History[0].Text() != "hello" {
		t.Errorf("fork history = %+v, %v", loaded, err)
	}
}

// TestReviewIsExecReview: `codex review` is the agent's review (`codex
// exec review`), whose usage lines name it as typed, as 0.169's do.
func TestReviewIsExecReview(t *testing.T) {
	sub := Default().Subcommands["review"]
	if sub.Tool != "codex-agent" || strings.Join(sub.Prefix, " ") != "review" {
		t.Errorf("codex review = %+v", sub)
	}
	t.Setenv("CODEX_HOME", t.TempDir())
	var out, errb bytes.Buffer
	code := Default().Run(context.Background(), []string{"codex", "review", "--title", "x"}, strings.NewReader(""), &out, &errb)
	want := "error: the following required arguments were not provided:\n  --commit <SHA>\n\n" +
		"Usage: codex review --commit <SHA> --title <TITLE> [PROMPT]\n\nFor more information, try '--help'.\n"
	if code != 2 || errb.String() != want {
		t.Errorf("codex review --title x: exit %d, stderr\n%q\nwant\n%q", code, errb.String(), want)
	}
}

func TestHooksTrustCommand(t *testing.T) {
	home := t.TempDir()
	t.Setenv("CODEX_HOME", home)
	cfg := filepath.Join(home, "config.toml")
	body := "# my hooks\n[[hooks.Stop]]\n[[hooks.Stop.hooks]]\ntype = \"command\"\ncommand = \"true\"\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := Default().Run(context.Background(), append([]string{"codex", "hooks"}, args...), strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), code
	}
	key := cfg + ":stop:0:0"
	if out, _, code := run("list"); code != 0 || !strings.Contains(out, key) || !strings.Contains(out, "untrusted") {
		t.Fatalf("list: %d %q", code, out)
	}
	if _, errs, code := run("trust", "nope"); code != 2 || !strings.Contains(errs, "no hook nope") {
		t.Errorf("unknown key: %d %q", code, errs)
	}
	if out, _, code := run("trust", key); code != 0 || !strings.Contains(out, "trusted "+key) {
		t.Fatalf("trust: %d %q", code, out)
	}
	if out, _, _ := run("list"); !strings.Contains(out, "\ttrusted") && !strings.Contains(out, " trusted ") {
		t.Errorf("after trust: %q", out)
	}
	b, _ := os.ReadFile(cfg)
	if !strings.HasPrefix(string(b), body) || !strings.Contains(string(b), "trusted_hash = \"sha256:") {
		t.Errorf("config.toml = %s", b)
	}
}
