package execpolicy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/codexgo/common/protocol"
)

func run(t *testing.T, dir string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := MainEnv(context.Background(), args, strings.NewReader(stdin), &out, &errb, testEnv(dir))
	return code, out.String(), errb.String()
}

func TestCLIExitCodes(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"check", "ls"}, 0},
		{[]string{"check", "rm", "-rf", "/"}, 0},
		{[]string{"check", "--exit-code", "ls"}, 0},
		{[]string{"check", "--exit-code", "make"}, 10},
		{[]string{"check", "--exit-code", "--", "rm", "-rf", "/"}, 11},
		{[]string{"check", "--exit-code", "--script", "ls && curl x | sh"}, 11},
		{[]string{"check", "--exit-code", "--format", "legacy", "cp", "a", "b"}, 10},
		{[]string{"check", "--exit-code", "--format", "legacy", "ls"}, 0},
		{[]string{"check"}, 2},
		{[]string{"check", "--format", "xml", "ls"}, 2},
		{[]string{"check", "--script", "ls", "extra"}, 2},
		{[]string{"check", "--nope", "ls"}, 2},
		{[]string{"check", "--policy", filepath.Join(dir, "missing.rules"), "ls"}, 1},
		{[]string{"check", "-h"}, 0},
		{[]string{"--help"}, 0},
		{[]string{}, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"test"}, 2},
		{[]string{"remember"}, 2},
		{[]string{"remember", "--decision", "deny", "ls"}, 2},
		{[]string{"default-policy"}, 0},
	}
	for _, c := range cases {
		code, _, stderr := run(t, dir, "", c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, stderr)
		}
		if c.code == 2 && len(c.args) > 0 && c.args[len(c.args)-1] != "-h" && strings.Count(strings.TrimSpace(stderr), "\n") > 0 && !strings.Contains(stderr, "usage") && !strings.Contains(stderr, "flag provided") {
			t.Errorf("%v: want one clear line on stderr, got %q", c.args, stderr)
		}
	}
}

func TestCLICheckJSON(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := run(t, dir, "", "check", "--cwd", "/w", "--writable-root", "/w", "--script", "git status && ls > out.txt")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var v protocol.PolicyVerdict
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if v.Decision != protocol.DecisionAllow || len(v.Commands) != 2 || v.Commands[1].WriteFiles[0] != "/w/out.txt" {
		t.Errorf("got %+v", v)
	}
}

func TestCLIJSONL(t *testing.T) {
	dir := t.TempDir()
	in := `{"id":1,"argv":["ls"]}
{"id":"two","script":"rm -rf /"}

not json
{"id":4,"argv":[]}
{"id":5,"argv":["touch","x"],"writable_roots":["/w"],"cwd":"/w"}
`
	code, out, stderr := run(t, dir, in, "check", "--jsonl", "--exit-code")
	if code != 11 {
		t.Errorf("exit %d, want 11 (strictest), stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("got %d verdict lines, want 5:\n%s", len(lines), out)
	}
	want := []struct {
		id   string
		d    protocol.Decision
		line int
		err  bool
	}{
		{"1", A, 0, false}, {`"two"`, F, 0, false}, {"", P, 4, true}, {"4", P, 5, true}, {"5", A, 0, false},
	}
	for i, w := range want {
		var v protocol.PolicyVerdict
		if err := json.Unmarshal([]byte(lines[i]), &v); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if string(v.ID) != w.id || v.Decision != w.d || v.Line != w.line || (v.Error != "") != w.err {
			t.Errorf("verdict %d: got id=%s %s line=%d err=%q, want id=%s %s line=%d err=%v", i, v.ID, v.Decision, v.Line, v.Error, w.id, w.d, w.line, w.err)
		}
	}
}

func TestCLIUserAndProjectRules(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "codex-home")
	mustWrite(t, filepath.Join(home, "rules", "a.rules"), `prefix_rule(pattern=["make"], decision="allow")`)
	mustWrite(t, filepath.Join(dir, "proj", ".codex", "rules", "p.rules"), `prefix_rule(pattern=["npm", "test"], decision="allow")`)
	extra := filepath.Join(dir, "extra.policy")
	mustWrite(t, extra, `prefix_rule(pattern=["cargo"], decision="forbidden", justification="no cargo here")`)
	for _, c := range []struct {
		args []string
		want protocol.Decision
	}{
		{[]string{"check", "make"}, A},
		{[]string{"check", "--no-user-rules", "make"}, P},
		{[]string{"check", "npm", "test"}, P},
		{[]string{"check", "--project", filepath.Join(dir, "proj"), "npm", "test"}, A},
		{[]string{"check", "--policy", extra, "cargo", "build"}, F},
	} {
		_, out, stderr := run(t, dir, "", c.args...)
		var v protocol.PolicyVerdict
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v: %v (stderr %q)", c.args, err, stderr)
		}
		if v.Decision != c.want {
			t.Errorf("%v: got %s (%s), want %s", c.args, v.Decision, v.Reason, c.want)
		}
	}
	// A broken user file fails the check (exit 1), it is never skipped.
	mustWrite(t, filepath.Join(home, "rules", "b.rules"), `prefix_rule(pattern=["x"], decision="deny")`)
	code, _, stderr := run(t, dir, "", "check", "ls")
	if code != 1 || !strings.Contains(stderr, "b.rules:1:12: invalid decision: deny") {
		t.Errorf("broken user rules: exit %d stderr %q", code, stderr)
	}
}

func TestCLITestAndRemember(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.rules")
	mustWrite(t, good, `prefix_rule(pattern=["ls"], match=["ls -l"])`)
	code, out, _ := run(t, dir, "", "test", good)
	if code != 0 || !strings.Contains(out, "ok "+good) {
		t.Errorf("test good: exit %d out %q", code, out)
	}
	bad := filepath.Join(dir, "bad.rules")
	mustWrite(t, bad, "\n\nprefix_rule(pattern=[\"ls\"], not_match=[\"ls -l\"])")
	code, _, stderr := run(t, dir, "", "test", bad)
	if code != 1 || !strings.Contains(stderr, bad+":3:12:") {
		t.Errorf("test bad: exit %d stderr %q", code, stderr)
	}
	for i := 0; i < 2; i++ {
		code, out, stderr = run(t, dir, "", "remember", "--", "git", "push", "--dry-run")
		if code != 0 {
			t.Fatalf("remember: exit %d stderr %q", code, stderr)
		}
	}
	if !strings.HasPrefix(out, "already in ") {
		t.Errorf("second remember: got %q, want already in", out)
	}
	path := filepath.Join(dir, "codex-home", "rules", "default.rules")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "prefix_rule(pattern=[\"git\", \"push\", \"--dry-run\"], decision=\"allow\")\n"
	if string(data) != want {
		t.Errorf("default.rules: got %q, want %q", data, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("default.rules mode: %v %v", fi.Mode(), err)
	}
	_, out, _ = run(t, dir, "", "check", "git", "push", "--dry-run", "origin")
	if !strings.Contains(out, `"decision":"allow"`) {
		t.Errorf("remembered rule not applied: %s", out)
	}
}

func TestRuleLineQuoting(t *testing.T) {
	line, err := RuleLine([]string{"echo", "a\"b", "c\\d", "é\n"}, protocol.DecisionPrompt, "why \"so\"")
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadSources([]Source{{Name: "r", Data: []byte(line)}}, Options{NoDefault: true})
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	res := p.CodexCheck([]string{"echo", "a\"b", "c\\d", "é\n"}, false)
	if res.Decision != protocol.DecisionPrompt || res.MatchedRules[0].PrefixRuleMatch.Justification != `why "so"` {
		t.Errorf("round trip: %+v", res)
	}
}

func TestSuggestPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"git -C x push origin main": "git push",
		"npm test -- --watch":       "npm test",
		"make":                      "make",
		"pytest -k foo":             "pytest",
		"sudo apt install x":        "",
		"bash -lc ls":               "",
		"rm -rf build":              "",
		"git -c a=b log":            "",
	} {
		if got := strings.Join(SuggestPrefix(strings.Fields(in)), " "); got != want {
			t.Errorf("SuggestPrefix(%q): got %q, want %q", in, got, want)
		}
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSuggestedPrefixInVerdict(t *testing.T) {
	p := loadDefault(t)
	for in, want := range map[string]string{
		"npm install left-pad":  "npm install",
		"git -C x push origin":  "git push",
		"git status && make":    "make",
		"make && npm test":      "", // two prompts: one prefix would not cover both
		"echo $(id)":            "", // prompt from a substitution
		"sudo make":             "",
		"ls":                    "", // allowed: nothing to suggest
		"rm -rf /":              "",
		"python3 script.py arg": "",
		"rg --pre ./x.sh foo":   "rg --pre ./x.sh foo", // exact: never generalise a dangerous option
	} {
		v := p.Check(protocol.PolicyRequest{Script: in})
		if got := strings.Join(v.SuggestedPrefix, " "); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// A co-process caller writes one request and waits for its verdict before
// writing the next: the stream must answer without waiting for more input.
func TestStreamAnswersEachLineAtOnce(t *testing.T) {
	p := loadDefault(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := p.Stream(context.Background(), inR, outW, StreamOptions{})
		_ = outW.CloseWithError(err)
		done <- err
	}()
	br := bufio.NewReader(outR)
	for i, req := range []string{`{"id":1,"argv":["ls"]}`, `{"id":2,"argv":["rm","-rf","/"]}`, `{"id":3,"script":"git status"}`} {
		if _, err := io.WriteString(inW, req+"\n"); err != nil {
			t.Fatal(err)
		}
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("request %d: no verdict before more input: %v", i+1, err)
		}
		var v protocol.PolicyVerdict
		if err := json.Unmarshal([]byte(line), &v); err != nil || string(v.ID) != fmt.Sprint(i+1) {
			t.Fatalf("request %d: got %q (%v)", i+1, line, err)
		}
	}
	if err := inW.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("stream: %v", err)
	}
}

// Concurrent "approve and remember" of the same prefix writes one line:
// the append holds an advisory lock while it checks for duplicates.
func TestAppendPrefixRuleConcurrent(t *testing.T) {
	home := t.TempDir()
	var wg sync.WaitGroup
	added := make(chan bool, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := AppendPrefixRule(home, []string{"npm", "test"}, protocol.DecisionAllow, "")
			if err != nil {
				t.Error(err)
			}
			added <- ok
		}()
	}
	wg.Wait()
	close(added)
	n := 0
	for ok := range added {
		if ok {
			n++
		}
	}
	data, err := os.ReadFile(filepath.Join(home, "rules", "default.rules"))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || strings.Count(string(data), "\n") != 1 {
		t.Errorf("got %d appends and file %q, want exactly one line", n, data)
	}
}
