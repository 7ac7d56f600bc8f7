package execpolicy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const codexRules = `prefix_rule(pattern=["ls"], decision="allow")
prefix_rule(pattern=["git", "push"], decision="prompt", justification="pushes to a remote")
prefix_rule(pattern=["git", "push", "--force"], decision="forbidden", justification="force-push rewrites shared history; use --force-with-lease after review")
host_executable(name="git", paths=["/usr/bin/git"])
prefix_rule(pattern=["git", "status"], decision="allow")
prefix_rule(pattern=["bash", "-lc"], decision="prompt", justification="opaque shell script")
prefix_rule(pattern=["rm", "-rf"], decision="forbidden")
`

// The expected lines are what codex-cli 0.169.0 printed for these cases
// (see the execpolicy reference).
func TestCodexFormatByteForByte(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "policy.rules")
	if err := os.WriteFile(rules, []byte(codexRules), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ls"}, `{"matchedRules":[{"prefixRuleMatch":{"matchedPrefix":["ls"],"decision":"allow"}}],"decision":"allow"}`},
		{[]string{"foo", "bar"}, `{"matchedRules":[]}`},
		{[]string{""}, `{"matchedRules":[]}`},
		{[]string{"git", "push", "--force", "origin", "main"}, `{"matchedRules":[{"prefixRuleMatch":{"matchedPrefix":["git","push"],"decision":"prompt","justification":"pushes to a remote"}},{"prefixRuleMatch":{"matchedPrefix":["git","push","--force"],"decision":"forbidden","justification":"force-push rewrites shared history; use --force-with-lease after review"}}],"decision":"forbidden"}`},
		{[]string{"--resolve-host-executables", "/usr/bin/git", "status"}, `{"matchedRules":[{"prefixRuleMatch":{"matchedPrefix":["git","status"],"decision":"allow","resolvedProgram":"/usr/bin/git"}}],"decision":"allow"}`},
		{[]string{"/usr/bin/git", "status"}, `{"matchedRules":[]}`},
		{[]string{"bash", "-lc", "ls && rm -rf /"}, `{"matchedRules":[{"prefixRuleMatch":{"matchedPrefix":["bash","-lc"],"decision":"prompt","justification":"opaque shell script"}}],"decision":"prompt"}`},
		{[]string{"git", "push", "origin", "main", "--force"}, `{"matchedRules":[{"prefixRuleMatch":{"matchedPrefix":["git","push"],"decision":"prompt","justification":"pushes to a remote"}}],"decision":"prompt"}`},
	}
	// Our explicit form, and 0.169's own spelling (--rules or -r, no
	// --format).
	for _, prefix := range [][]string{{"check", "--format", "codex", "--policy", rules}, {"check", "--rules", rules}, {"check", "-r", rules}} {
		for _, c := range cases {
			var out, errb bytes.Buffer
			args := append(append([]string{}, prefix...), c.args...)
			code := MainEnv(context.Background(), args, nil, &out, &errb, testEnv(dir))
			if code != 0 {
				t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
			}
			if got := strings.TrimSuffix(out.String(), "\n"); got != c.want {
				t.Errorf("%v:\n got %s\nwant %s", args, got, c.want)
			}
		}
	}
	// Usage errors exit 2 as in Codex: no rules file, non-UTF-8 argument.
	for _, args := range [][]string{{"check", "--format", "codex", "ls"}, {"check", "--format", "codex", "-r", rules, "ls", "\xff"}} {
		var out, errb bytes.Buffer
		if code := MainEnv(context.Background(), args, nil, &out, &errb, testEnv(dir)); code != 2 || out.Len() != 0 {
			t.Errorf("%q: exit %d stdout %q, want 2 and nothing", args, code, out.String())
		}
	}
	// A failing example fails the load with exit 1 and file:line:col.
	bad := filepath.Join(dir, "bad1.rules")
	if err := os.WriteFile(bad, []byte(`prefix_rule(pattern=["git", "status"], match=["git diff"])`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := MainEnv(context.Background(), []string{"check", "--format", "codex", "-r", bad, "git", "status"}, nil, &out, &errb, testEnv(dir))
	if code != 1 || !strings.Contains(errb.String(), bad+":1:12: expected every example to match at least one rule") {
		t.Errorf("bad example: exit %d stderr %q, want 1 and a positioned error", code, errb.String())
	}
}

func testEnv(home string) Env {
	return Env{
		Getenv: func(k string) string {
			switch k {
			case "CODEX_HOME":
				return filepath.Join(home, "codex-home")
			case "HOME":
				return home
			}
			return ""
		},
		Getwd: func() (string, error) { return home, nil },
	}
}

// The literal fast path and full Starlark evaluation must agree.
func TestFastPathMatchesStarlark(t *testing.T) {
	srcs := []string{
		codexRules,
		"# comment\nprefix_rule(\n  pattern = [\"a\", [\"b\", \"c\"]],  # trailing\n  decision = \"prompt\",\n  match = [\"a b\", [\"a\", \"c\", \"d\"]],\n  not_match = [\"a d\"],\n)\n",
		"prefix_rule(['x'], 'forbidden')\nnetwork_rule(host='h', protocol='https', decision='deny')\n",
		"forbid_substrings([\"--evil\"])\nforbid_program_regex(regex=\"^nc$\", reason=\"netcat\")\n",
		"prefix_rule(pattern=[\"ls\"], decision=\"deny\")\n",
		"prefix_rule(pattern=[\"ls\"],\n\n   decision=\"allow\", match=[\"cat\"])",
		"prefix_rule(pattern=[], decision=\"allow\")",
		"prefix_rule(pattern=[\"ls\"], bogus=1)",
	}
	argvs := [][]string{{"ls"}, {"a", "b"}, {"a", "c", "x"}, {"x"}, {"git", "push", "--force"}, {"nc", "--evil"}, {"curl", "--evil"}}
	for i, src := range srcs {
		fast, ferr := LoadSources([]Source{{Name: "p.rules", Data: []byte(src)}}, Options{NoDefault: true})
		// A leading assignment defeats both fast paths.
		slow, serr := LoadSources([]Source{{Name: "p.rules", Data: []byte("_x = 0; " + src)}}, Options{NoDefault: true})
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("src %d: fast err %v, starlark err %v", i, ferr, serr)
		}
		if ferr != nil {
			fe, se := ferr.Error(), serr.Error()
			// The prefix shifts columns on line 1 only; compare messages.
			if fe[strings.LastIndex(fe, ": ")+2:] != se[strings.LastIndex(se, ": ")+2:] {
				t.Errorf("src %d: fast %q vs starlark %q", i, fe, se)
			}
			continue
		}
		for _, argv := range argvs {
			a, b := fast.CodexCheck(argv, true), slow.CodexCheck(argv, true)
			if len(a.MatchedRules) != len(b.MatchedRules) || a.Decision != b.Decision {
				t.Errorf("src %d %v: fast %+v vs starlark %+v", i, argv, a, b)
			}
			if fa, sa := fast.CheckArgv(argv, ""), slow.CheckArgv(argv, ""); fa.Decision != sa.Decision {
				t.Errorf("src %d %v: fast %s vs starlark %s", i, argv, fa.Decision, sa.Decision)
			}
		}
	}
}
