package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/common/config"
)

func TestSetTrustLevel(t *testing.T) {
	tests := []struct {
		name, before, root, level, want string
	}{
		{"new file", "", "/src/p", "trusted", "[projects.\"/src/p\"]\ntrust_level = \"trusted\"\n"},
		{"keeps comments", "# my settings\nmodel = \"o3\"", "/src/p", "untrusted",
			"# my settings\nmodel = \"o3\"\n\n[projects.\"/src/p\"]\ntrust_level = \"untrusted\"\n"},
		{"existing table", "[projects.\"/src/p\"]\nnote = 1\n\n[tui]\n", "/src/p", "trusted",
			"[projects.\"/src/p\"]\ntrust_level = \"trusted\"\nnote = 1\n\n[tui]\n"},
		{"replaces level", "[projects.\"/src/p\"]\ntrust_level = \"untrusted\"\n", "/src/p", "trusted",
			"[projects.\"/src/p\"]\ntrust_level = \"trusted\"\n"},
		{"quotes path", "", `/a "b"\c`, "trusted", "[projects.\"/a \\\"b\\\"\\\\c\"]\ntrust_level = \"trusted\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			if tt.before != "" {
				if err := os.WriteFile(path, []byte(tt.before), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := setTrustLevel(path, tt.root, tt.level); err != nil {
				t.Fatalf("setTrustLevel: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("config.toml =\n%s\nwant\n%s", got, tt.want)
			}
			cfg, err := config.Parse(path, got, config.Options{})
			if err != nil {
				t.Fatalf("result does not parse: %v", err)
			}
			if lvl := cfg.Projects[tt.root].TrustLevel; lvl != tt.level {
				t.Errorf("parsed trust_level = %q, want %q", lvl, tt.level)
			}
		})
	}
}

// FuzzSetTrustLevel: for any config.toml that parses, recording trust
// yields one that still parses and says what was recorded.
func FuzzSetTrustLevel(f *testing.F) {
	f.Add("model = \"o3\"\n", "/src/p")
	f.Add("[projects.\"/src/p\"]\ntrust_level = \"untrusted\"\n", "/src/p")
	f.Add("[projects]\n\"/x\" = { trust_level = \"trusted\" }\n", "/y")
	f.Fuzz(func(t *testing.T, before, root string) {
		if _, err := config.Parse("before", []byte(before), config.Options{}); err != nil || !strings.HasPrefix(root, "/") {
			return
		}
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := setTrustLevel(path, root, "trusted"); err != nil {
			// Refusing is allowed; the file must then be untouched.
			if after, _ := os.ReadFile(path); string(after) != before {
				t.Fatalf("failed edit changed the file: %v", err)
			}
			return
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse("after", after, config.Options{})
		if err != nil {
			t.Fatalf("edited file does not parse: %v\n%s", err, after)
		}
		if got := cfg.Projects[root].TrustLevel; got != "trusted" {
			t.Fatalf("trust_level after edit = %q\n%s", got, after)
		}
	})
}

// FuzzMDStream: however a message is cut into deltas, the same segments
// come out, and no text is lost.
func FuzzMDStream(f *testing.F) {
	f.Add("# T\n\npara one\nstill\n\n```go\nx := 1\n```\ntail", 7)
	f.Add("~~~\nunclosed\n", 3)
	f.Add("a\n\n\n\nb", 1)
	f.Fuzz(func(t *testing.T, msg string, cut int) {
		var whole mdStream
		want := append(whole.Push(msg), whole.Finish()...)
		if cut < 0 {
			cut = -cut
		}
		var parts mdStream
		var got []segment
		for rest := msg; rest != ""; {
			n := cut%len(rest) + 1
			got = append(got, parts.Push(rest[:n])...)
			rest = rest[n:]
		}
		got = append(got, parts.Finish()...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut every %d: %#v, whole: %#v", cut, got, want)
		}
		// Every non-blank, non-fence line survives.
		var out strings.Builder
		for _, s := range want {
			out.WriteString(s.text + "\n")
		}
		for _, l := range strings.Split(msg, "\n") {
			tl := strings.TrimSpace(l)
			if tl == "" || strings.HasPrefix(tl, "```") || strings.HasPrefix(tl, "~~~") {
				continue
			}
			if !strings.Contains(out.String(), l) {
				t.Fatalf("line %q lost; segments %#v", l, want)
			}
		}
	})
}

func TestHistoryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "history.jsonl")
	now := time.Unix(1700000000, 0)
	for _, s := range []string{"one", "two\nlines"} {
		if err := appendHistory(path, "sess", s, now); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("garbage\n"); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	got, err := loadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"one", "two\nlines"}; !reflect.DeepEqual(got, want) {
		t.Errorf("history = %q, want %q", got, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history mode = %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), `{"session_id":"sess","ts":1700000000,"text":"one"}`) {
		t.Errorf("history line format: %s", b)
	}
}

func TestListSessionsAndFind(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2026/01/01/rollout-2026-01-01T10-00-00-aaa.jsonl",
		`{"timestamp":"2026-01-01T10:00:00Z","type":"session_meta","payload":{"id":"aaa","timestamp":"2026-01-01T10:00:00Z"}}`+"\n"+
			`{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>x</environment_context>"}]}}`+"\n"+
			`{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"fix the bug"}]}}`+"\n")
	write("2026/01/02/rollout-2026-01-02T10-00-00-bbb.jsonl", "not json\n")
	ss, err := listSessions(dir, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || !strings.Contains(ss[0].path, "bbb") {
		t.Fatalf("sessions = %#v, want bbb first", ss)
	}
	if ss[1].id != "aaa" || ss[1].prompt != "fix the bug" {
		t.Errorf("session aaa = %#v", ss[1])
	}
	if p, err := findSession(ss, "aaa"); err != nil || !strings.Contains(p, "aaa") {
		t.Errorf("findSession(aaa) = %q, %v", p, err)
	}
	if _, err := findSession(ss, "zzz"); err == nil {
		t.Error("findSession(zzz) succeeded")
	}
	if none, err := listSessions(filepath.Join(dir, "missing"), 10); err != nil || len(none) != 0 {
		t.Errorf("missing dir: %v, %v", none, err)
	}
}

func TestFileSearch(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"src/model.go", "src/model_test.go", "build/out.bin", "docs/guide.md", ".gitignore"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		body := ""
		if f == ".gitignore" {
			body = "build/\n"
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := gitCmd(dir, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	files, err := listFiles(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasPrefix(f, "build/") {
			t.Errorf("ignored file listed: %s", f)
		}
	}
	if got := searchFiles(files, "modgo", 5); len(got) == 0 || got[0] != "src/model.go" {
		t.Errorf("search modgo = %q, want src/model.go first", got)
	}
	if got := searchFiles(files, "zzz", 5); len(got) != 0 {
		t.Errorf("search zzz = %q, want nothing", got)
	}
}

func gitCmd(dir string, args ...string) *exec.Cmd {
	return exec.Command("git", append([]string{"-C", dir}, args...)...)
}

// FuzzParseHistory: any history file loads without error except a line
// over the scanner's limit, and never yields empty prompts.
func FuzzParseHistory(f *testing.F) {
	f.Add(`{"session_id":"s","ts":1,"text":"one"}` + "\ngarbage\n{\"text\":\"\"}\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		got, err := parseHistory(strings.NewReader(data))
		if err != nil {
			return
		}
		if len(got) > maxHistoryLoad {
			t.Fatalf("%d entries over the limit", len(got))
		}
		for _, s := range got {
			if s == "" {
				t.Fatal("empty prompt loaded")
			}
		}
	})
}

// FuzzParseRollout: any rollout head parses without panicking, and the
// prompt found is never one of Codex's injected <...> blocks.
func FuzzParseRollout(f *testing.F) {
	f.Add(`{"timestamp":"2026-01-01T10:00:00Z","type":"session_meta","payload":{"id":"a","timestamp":"2026-01-01T10:00:00Z"}}` + "\n" +
		`{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}}` + "\n")
	f.Add("{\"type\":\"response_item\",\"payload\":null}\n")
	f.Fuzz(func(t *testing.T, data string) {
		info, _ := parseRollout(strings.NewReader(data))
		if strings.HasPrefix(info.prompt, "<") {
			t.Fatalf("prompt %q is an injected block", info.prompt)
		}
	})
}
