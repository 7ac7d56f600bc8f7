package sandboxpolicy

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// The config parser is checked against git itself: for each text, the
// variables git reads (git config --list) must be exactly ours, names
// and values, in git's order. A config git refuses runs nothing, so what
// we read from it does not matter for safety; only the refusal itself is
// compared.

// gitVar is one variable as git lists it: its full name
// (section.subsection.key as git passes it on) and its value ("true" for
// a bare key, as git's boolean reading takes it).
type gitVar struct{ name, value string }

// gitConfigReader runs git config on texts written to a file of its own,
// with no system, global or user config around.
type gitConfigReader struct {
	file string
	env  []string
	// spaced: this git reads whitespace inside an unquoted value as
	// spaces (git before 2.45) rather than keeping it.
	spaced bool
}

func newGitConfigReader(t testing.TB) *gitConfigReader {
	t.Helper()
	dir := t.TempDir()
	r := &gitConfigReader{file: filepath.Join(dir, "config"),
		env: append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
			"XDG_CONFIG_HOME="+dir, "GIT_CONFIG_COUNT=0", "LC_ALL=C")}
	vars, ok := r.read(t, "[a]\n\tk = x\ty\n")
	switch {
	case ok && reflect.DeepEqual(vars, []gitVar{{"a.k", "x y"}}):
		r.spaced = true
	case ok && reflect.DeepEqual(vars, []gitVar{{"a.k", "x\ty"}}):
	default:
		t.Fatalf("git reads \"k = x<TAB>y\" as %q (ok %v): neither reading known", vars, ok)
	}
	return r
}

// read returns the variables git reads from text, or ok false when git
// refuses it (a bad config line). Names git keeps but never looks up (no
// section or no key: "key" before any section) are left out, as our
// parser leaves them out.
func (r *gitConfigReader) read(t testing.TB, text string) (vars []gitVar, ok bool) {
	t.Helper()
	if err := os.WriteFile(r.file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "config", "--file", r.file, "--list", "-z", "--no-includes")
	cmd.Env = r.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, exited := err.(*exec.ExitError); !exited || !strings.Contains(stderr.String(), "bad config line") {
			t.Fatalf("git config on %q: %v\n%s", text, err, stderr.Bytes())
		}
		return nil, false
	}
	for _, rec := range strings.Split(strings.TrimSuffix(stdout.String(), "\x00"), "\x00") {
		if rec == "" {
			continue
		}
		name, value, hasValue := strings.Cut(rec, "\n")
		if !hasValue {
			value = "true"
		}
		first, last := strings.IndexByte(name, '.'), strings.LastIndexByte(name, '.')
		if first <= 0 || last == len(name)-1 {
			continue
		}
		vars = append(vars, gitVar{name, value})
	}
	return vars, true
}

// ourVars is what parseGitConfig reads from text, in the reading of the
// git at hand.
func (r *gitConfigReader) ourVars(text string) (vars []gitVar, ok bool) {
	parsed, ok := scanGitConfig(text)
	for _, v := range parsed {
		value := v.value
		if r.spaced {
			value = v.spaced
		}
		vars = append(vars, gitVar{v.name, value})
	}
	return vars, ok
}

// gitConfigCases are texts that exercise each rule of git's config
// syntax, one or two at a time.
var gitConfigCases = []string{
	"[core]\n\thooksPath = .githooks\n",
	"[CoRe]\n\tHooksPath = x\n",
	"[core \"Sub\"]\n\tk = x\n",
	"[core.Sub]\n\tk = x\n",
	"[Core.SUB.Deeper]\n\tk = x\n",
	"[a.b \"C\"]\n\tk = x\n",
	"[core \"\"]\n\thooksPath = x\n",
	"[core.]\n\thooksPath = x\n",
	"[.core]\n\thooksPath = x\n",
	"[ core]\n\thooksPath = x\n",
	"[core ]\n\thooksPath = x\n",
	"[core\t\"x\"]\n\tk = x\n",
	"[core  \"x\" ]\n\tk = x\n",
	"[core \"x\"  ]\n\tk = x\n",
	"[core \"a\\\"b\\\\c\\d\"]\n\tk = x\n",
	"[core \"a]b\"]\n\tk = x\n",
	"[core \"a\\\nb\"]\n\tk = x\n",
	"[core \"a\nb\"]\n\tk = x\n",
	"[core \"x]\nk = x\n",
	"[core\nk = x\n",
	"[]\nk = x\n",
	"[co_re]\nk = x\n",
	"[1core-2]\nk = x\n",
	"[core]hooksPath=x\n",
	"[core] hooksPath = x ; c\n",
	"[core]\nhooks-Path = x\n",
	"[core]\n-k = x\n",
	"[core]\n1k = x\n",
	"[core]\nk_x = x\n",
	"[core]\nk\n",
	"[core]\nk \n",
	"[core]\nk # c\n",
	"[core]\nk =\n",
	"[core]\nk = \n",
	"[core]\nk : x\n",
	"[core]\nk\t=\tx\t\n",
	"[core]\nk = \"a ; b\" ; c\n",
	"[core]\nk = \"a # b\" # c\n",
	"[core]\nk = a;b\n",
	"[core]\nk = a\\;b\n",
	"[core]\nk = \"a\\n\\t\\b\\\"\\\\\"\n",
	"[core]\nk = a\\x\n",
	"[core]\nk = a\\\n  b\n",
	"[core]\nk = \"a\\\n  b\"\n",
	"[core]\nk = a \\\n\n",
	"[core]\nk = a\\",
	"[core]\nk = \"a\nb\"\n",
	"[core]\nk = \"a\n",
	"[core]\nk = a ; c \\\nj = x\n",
	"[core]\nk = a  b\t\tc \n",
	"[core]\nk = a \"\"\n",
	"[core]\nk = a \" \" b\n",
	"[core]\nk = \"\" a\n",
	"[core]\nk = a\r\n",
	"[core]\r\nk = a\r\nj = \"b\r\n\"\r\n",
	"[core]\r\n\tk = a \\\r\n b\r\n",
	"[core]\rk = a\r",
	"[core]\nk = \ra\r b\r\n",
	"[core]\nk = a\vb\fc \v\n",
	"[core]\n\vk = a\n",
	"\xef\xbb\xbf[core]hooksPath=x\n",
	"\xef\xbb[core]hooksPath=x\n",
	"\xef\xbb",
	"[core]\n\xef\xbb\xbfk = x\n",
	"[core]\nhooksPath = ab\x00cd\n",
	"[core]\nhooksPath = \"ab\x00\"cd\n",
	"[core]\nhooksPath = ab \x00\n",
	"[core]\nhooks\x00Path = x\n",
	"[co\x00re]\nk = x\n",
	"[core \"hookspath\x00\"]\n\tx = hk\n",
	"[core \"hooksPath\x00\"]\n\tx = hk\n",
	"[include \"path\x00junk\"]\n\tfoo = evil.cfg\n",
	"[core \"a.b\x00c\"]\n\tx = y\n",
	"[x \"\x00\"]\n\tk = v\n",
	"\x00",
	"# c\n; c\n\n[core] ; c\n\t# c\n\tk = x\n",
	"k = orphan\n[core]\nk = x\n",
	"[core]\n[include]\n",
	"[core]\nk = x\n[core]\nk = y\n",
	"[includeIf \"gitdir:~/w/\"]\n\tpath = ../x\n",
	"[includeIf \"gitdir/i:/W/\"]\n\tpath = x\n",
	"[includeIf \"onbranch:main\"]\n\tpath = x\n",
	"[includeIf \"hasconfig:remote.*.url:https://e.com/**\"]\n\tpath = x\n",
	"[core]\n\tk = " + strings.Repeat("ab ", 40000) + "\n",
	"[core]\n\t" + strings.Repeat("k", 5000) + " = x\n",
	"[core]\n\tk = é ü \xff\n",
}

func TestParseGitConfigAsGitReadsIt(t *testing.T) {
	r := newGitConfigReader(t)
	texts := append(append([]string(nil), gitConfigCases...), generatedConfigs(300)...)
	refused := 0
	for i, text := range texts {
		want, ok := r.read(t, text)
		got, ourOK := r.ourVars(text)
		if ourOK != ok {
			t.Errorf("case %d %q: git accepts it: %v, we do: %v", i, text, ok, ourOK)
		}
		if !ok {
			refused++
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case %d %q:\n git reads %q\n we read   %q", i, text, want, got)
		}
	}
	// A corpus git mostly refuses would test little.
	if refused > len(texts)/2 {
		t.Errorf("git refuses %d of %d texts", refused, len(texts))
	}
	t.Logf("%d texts, %d refused by git (whitespace read as spaces: %v)", len(texts), refused, r.spaced)
}

// generatedConfigs assembles n configs from fragments, each rule of the
// syntax in company of the others; the seed is fixed, so a failure is
// reproduced by running the test again.
func generatedConfigs(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	headers := []string{"[core]", "[CoRe]", "[core \"Sub\"]", "[core.Sub]", "[include]", "[includeIf \"gitdir:/w/\"]",
		"[includeIf \"onbranch:x\"]", "[core \"a\\\"b\\\\c\"]", "[core\t\"x\"]", "[a.b \"c\"]", "[core \"\"]", "[alias]"}
	oddHeaders := []string{"[ core]", "[core ]", "[core \"hookspath\x00\"]", "[include \"path\x00x\"]", "[core.]", "[]",
		"[core", "[core \"x]", "[core \"a\\\nb\"]", "[core]]", "[co re]"}
	keys := []string{"hooksPath", "HOOKSPATH", "fsmonitor", "path", "worktree", "sshCommand", "a-b", "x1", "k"}
	oddKeys := []string{"1x", "-x", "x_y", "k\x00"}
	seps := []string{" = ", "=", " =", "\t=\t", "= "}
	pieces := []string{"hooks", ".githooks", "./tools/fsmon", "a b", "a\tb", "a  \t b", "\"a ; b\"", "\"a # b\"", "\"\"",
		"\"x\\\"y\"", "\\n", "\\t", "\\b", "\\\"", "\\\\", "\\\n", "\\\r\n", " # c", " ;c", " ", "\t", "\r", "é", "~/x",
		"\"a \\\n b\""}
	oddPieces := []string{"\\x", "\x00", "\"unterminated", "\"a\nb\"", "\\"}
	ends := []string{"\n", "\n", "\n", "\r\n", "\r", ""}
	// odd picks from the fragments git refuses (or reads in a surprising
	// way) now and then, so that most texts are still read.
	odd := func(common, rare []string) string {
		if rng.IntN(10) == 0 {
			return pick(rare)
		}
		return pick(common)
	}
	out := make([]string, 0, n)
	for range n {
		var b strings.Builder
		if rng.IntN(10) == 0 {
			b.WriteString("\xef\xbb\xbf")
		}
		for range 1 + rng.IntN(8) {
			b.WriteString(pick([]string{"", "", "\t", "  "}))
			switch k := rng.IntN(20); {
			case k < 5:
				b.WriteString(odd(headers, oddHeaders))
			case k < 7:
				b.WriteString(odd(headers, oddHeaders) + pick([]string{"", " "}) + odd(keys, oddKeys) + " = x")
			case k < 8:
				b.WriteString(pick([]string{"# c", "; c", "# \"", "; \\"}))
			case k < 9:
				b.WriteString(odd(keys, oddKeys)) // a bare key
			default:
				b.WriteString(odd(keys, oddKeys) + pick(seps))
				for range rng.IntN(4) {
					b.WriteString(odd(pieces, oddPieces))
				}
			}
			b.WriteString(pick(ends))
		}
		out = append(out, b.String())
	}
	return out
}

// TestConfigPathsAsGitReadsThem: a relative include.path and
// core.hooksPath with a symlink before a ".." name what the kernel
// resolves ("lnk/../hooks": the hooks beside where lnk points), not the
// lexically cleaned path; git reads the included config and runs the hook
// there (git config, git hook run), and that is what the plan protects.
// Decoys sit where the cleaned paths point.
func TestConfigPathsAsGitReadsThem(t *testing.T) {
	base := tree(t, "ws/a/b/", "ws/lnk->a/b",
		"ws/a/inc.cfg=[t]\n\twhich = a\n", "ws/inc.cfg=[t]\n\twhich = top\n",
		"ws/a/hooks/pre-commit=#!/bin/sh\necho a\n", "ws/hooks/pre-commit=#!/bin/sh\necho top\n")
	ws := filepath.Join(base, "ws")
	gitOut := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", ws}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+base)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitOut("init", "-q")
	for _, h := range []string{"ws/a/hooks/pre-commit", "ws/hooks/pre-commit"} {
		if err := os.Chmod(filepath.Join(base, h), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(ws, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString("[include]\n\tpath = ../lnk/../inc.cfg\n[core]\n\thooksPath = lnk/../hooks\n")
	if cerr := f.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	inc, hook := gitOut("config", "t.which"), gitOut("hook", "run", "pre-commit")
	if inc != "a" || hook != "a" {
		t.Fatalf("git read the include from %q and ran the hook from %q: not where the kernel resolves the links", inc, hook)
	}
	p, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true,
		WritableRoots: []string{base}}, ws, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []string{"ws/a/inc.cfg", "ws/a/hooks"} {
		if !contains(p.Protected, filepath.Join(base, x)) {
			t.Errorf("%s, which git uses, is not protected: %q", x, p.Protected)
		}
	}
	if !contains(p.Pinned, filepath.Join(ws, "lnk")) {
		t.Errorf("the link on the way is not pinned: %q", p.Pinned)
	}
}

// TestUserConfigsAsGitReadsThem: what the user's own git configs name
// relative to a repository (core.hooksPath = .githooks set globally, as
// some teams do; an included file's core.fsmonitor; the XDG config's
// core.sshCommand) is that repository's, and git uses it there (git hook
// run runs the workspace's .githooks/pre-commit): the plan protects it as
// if the repository's own config said it.
func TestUserConfigsAsGitReadsThem(t *testing.T) {
	base := tree(t, "ws/.githooks/pre-commit=#!/bin/sh\necho global\n", "ws/tools/fsmon=x", "ws/bin/ssh=x",
		"home/.gitconfig=[core]\n\thooksPath = .githooks\n[include]\n\tpath = more.cfg\n",
		"home/more.cfg=[core]\n\tfsmonitor = tools/fsmon\n",
		"xdg/git/config=[core]\n\tsshCommand = bin/ssh -v\n")
	ws, home, xdg := filepath.Join(base, "ws"), filepath.Join(base, "home"), filepath.Join(base, "xdg")
	if err := os.Chmod(filepath.Join(ws, ".githooks", "pre-commit"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", ws}, args...)...)
		cmd.Env = []string{"GIT_CONFIG_NOSYSTEM=1", "HOME=" + home, "XDG_CONFIG_HOME=" + xdg, "PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	if got := git("hook", "run", "pre-commit"); got != "global" {
		t.Fatalf("git ran %q, not the workspace's .githooks/pre-commit", got)
	}
	if got := git("config", "core.sshcommand"); got != "bin/ssh -v" {
		t.Fatalf("git reads core.sshCommand %q from the XDG config", got)
	}
	p, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true},
		ws, "", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []string{"ws/.githooks", "ws/tools/fsmon", "ws/bin/ssh"} {
		if !contains(p.Protected, filepath.Join(base, x)) {
			t.Errorf("%s, which the user's git config names for this repository, is not protected: %q", x, p.Protected)
		}
	}
}

// TestCommandScriptsAsGitRunsThem: a command value with a script handed to
// an interpreter (core.fsmonitor = sh ./tools/fsmon.sh) runs that script
// in the working tree (git status runs it: it leaves a mark), so the plan
// protects the script, not only the interpreter's name.
func TestCommandScriptsAsGitRunsThem(t *testing.T) {
	base := tree(t, "ws/tools/fsmon.sh=#!/bin/sh\ntouch \"$MARK\"\nexit 1\n")
	ws, mark := filepath.Join(base, "ws"), filepath.Join(base, "ran")
	cmd := exec.Command("git", "-C", ws, "init", "-q")
	cmd.Env = []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME=" + base, "PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	f, err := os.OpenFile(filepath.Join(ws, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString("[core]\n\tfsmonitor = sh ./tools/fsmon.sh\n")
	if cerr := f.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	cmd = exec.Command("git", "-C", ws, "status", "--porcelain")
	cmd.Env = append(cmd.Env[:0:0], "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+base, "PATH="+os.Getenv("PATH"), "MARK="+mark)
	_, _ = cmd.CombinedOutput()
	if _, err := os.Stat(mark); err != nil {
		t.Fatalf("git status did not run the script: %v", err)
	}
	p, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true},
		ws, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if x := filepath.Join(ws, "tools", "fsmon.sh"); !contains(p.Protected, x) {
		t.Errorf("%s, which git status runs, is not protected: %q", x, p.Protected)
	}
}
