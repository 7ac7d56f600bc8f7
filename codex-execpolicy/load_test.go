package execpolicy

import (
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

func loadUser(t *testing.T, name, src string) (*Policy, error) {
	t.Helper()
	return LoadSources([]Source{{Name: name, Data: []byte(src)}}, Options{Home: "/home/u"})
}

func TestLoadErrorsArePositioned(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"syntax", "prefix_rule(pattern=[\"ls\"],\n  decision=\"allow\"", "bad.rules:2:19: "},
		{"bad decision", "prefix_rule(pattern=[\"ls\"], decision=\"deny\")", "bad.rules:1:12: invalid decision: deny"},
		{"unknown kwarg", "prefix_rule(pattern=[\"ls\"], reviewer=\"user\")", "bad.rules:1:12: prefix_rule: unexpected keyword argument \"reviewer\""},
		{"empty pattern", "prefix_rule(pattern=[])", "bad.rules:1:12: pattern cannot be empty"},
		{"empty justification", "prefix_rule(pattern=[\"ls\"], justification=\"\")", "justification cannot be empty"},
		{"failing match", "x = 1\nprefix_rule(pattern=[\"git\", \"status\"], match=[\"git diff\"])", "bad.rules:2:12: expected every example to match at least one rule. rules: [prefix_rule([\"git\", \"status\"], allow)]; unmatched examples: [\"git diff\"]"},
		{"failing not_match", "prefix_rule(pattern=[\"git\"], not_match=[[\"git\", \"x\"]])", "matched examples: [\"git x\"]"},
		{"failing should_match", "define_program(program=\"ls\", options=[flag(\"-l\")], args=[ARG_RFILES_OR_CWD],\n    should_match=[[\"-a\"]])", "bad.rules:1:15: define_program(ls): should_match example [\"-a\"] does not match: unknown option -a for ls"},
		{"failing should_not_match", "define_program(program=\"ls\", args=[ARG_RFILES_OR_CWD], should_not_match=[[\"x\"]])", "should_not_match example [\"x\"] matches"},
		{"two varargs", "define_program(program=\"x\", args=[ARG_RFILES, ARG_OPAQUE_VALUES])", "at most one variable-length"},
		{"load unsupported", "load(\"x.star\", \"y\")", "load() is not supported"},
		{"undefined name", "\n\nfoo()", "bad.rules:3:1: undefined: foo"},
		{"host path relative", "host_executable(name=\"git\", paths=[\"bin/git\"])", "must be absolute"},
		{"host path wrong name", "host_executable(name=\"git\", paths=[\"/usr/bin/hg\"])", "does not end in"},
		{"network bad protocol", "network_rule(host=\"x\", protocol=\"ftp\", decision=\"allow\")", "invalid protocol: ftp"},
		{"regex", "forbid_program_regex(regex=\"(\", reason=\"x\")", "forbid_program_regex: error parsing regexp"},
		{"runtime error in def", "def f():\n    return 1 // 0\nf()", "bad.rules:2:14: floored division by zero"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadUser(t, "bad.rules", c.src)
			if err == nil {
				t.Fatalf("load succeeded, want error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got error %q, want it to contain %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "bad.rules:") {
				t.Fatalf("got error %q, want file:line:col prefix", err)
			}
		})
	}
}

func TestBrokenFileFailsWholeLoad(t *testing.T) {
	_, err := LoadSources([]Source{
		{Name: "good.rules", Data: []byte(`prefix_rule(pattern=["rm"], decision="forbidden")`)},
		{Name: "bad.rules", Data: []byte(`prefix_rule(pattern=["ls"], decision="nope")`)},
	}, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "bad.rules:1:") {
		t.Fatalf("got %v, want a bad.rules:1: error", err)
	}
}

func TestStarlarkDialect(t *testing.T) {
	src := `
PROGS = ["cargo", "npm"]
for p in PROGS:
    prefix_rule(pattern=[p, "test"], decision="allow")
def allow_all(names):
    return [prefix_rule(pattern=[n], decision="allow") for n in names]
allow_all(["make"])
if True:
    prefix_rule(pattern=[["yarn", "pnpm"], "test"], decision="allow", match=["pnpm test", ["yarn", "test", "--ci"]])
`
	p, err := loadUser(t, "user.rules", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, argv := range [][]string{{"cargo", "test"}, {"npm", "test", "-w"}, {"make"}, {"yarn", "test"}, {"pnpm", "test"}} {
		if v := p.CheckArgv(argv, ""); v.Decision != A {
			t.Errorf("%v: got %s (%s), want allow", argv, v.Decision, v.Reason)
		}
	}
	if v := p.CheckArgv([]string{"npm", "install"}, ""); v.Decision != P {
		t.Errorf("npm install: got %s, want prompt", v.Decision)
	}
}

func TestUserRulesAndDefaults(t *testing.T) {
	src := `
prefix_rule(pattern=["git", "push"], decision="allow", justification="team pushes freely")
prefix_rule(pattern=["rm"], decision="allow")
prefix_rule(pattern=["ls"], decision="prompt", justification="we audit listings")
prefix_rule(pattern=["curl"], decision="forbidden", justification="no network")
define_program(program="deploy", args=["staging", ARG_OPAQUE_VALUE], should_match=[["staging", "v1"]])
define_program(program="nuke", forbidden="never nuke", args=[ARG_UNVERIFIED_VARARGS])
forbid_substrings(["--insecure"])
forbid_program_regex(regex="^telnet$", reason="cleartext")
`
	p, err := loadUser(t, "user.rules", src)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		argv string
		want protocol.Decision
		rule string
	}{
		{"git push origin main", A, "user.rules:2"},
		{"git push --force", F, "builtin:git-force-push"}, // a user allow never weakens a built-in forbid
		{"rm x", A, "user.rules:3"},
		{"rm -rf /", F, "builtin:rm-critical"},
		{"ls", P, "user.rules:4"},
		{"curl https://x", F, "user.rules:5"},
		{"deploy staging v1", A, "user.rules:6"},
		{"deploy prod v1", P, "user.rules:6"},
		{"nuke a b", F, "user.rules:7"},
		{"wget --insecure x", F, "user.rules:8"},
		{"/usr/bin/telnet host", F, "user.rules:9"},
		{"cat x", A, "default.policy:"},
	}
	for _, c := range cases {
		v := p.CheckArgv(strings.Fields(c.argv), "")
		if v.Decision != c.want {
			t.Errorf("%s: got %s (%s), want %s", c.argv, v.Decision, v.Reason, c.want)
			continue
		}
		ok := false
		for _, pc := range v.Commands {
			ok = ok || strings.HasPrefix(pc.Rule, c.rule)
		}
		if !ok {
			t.Errorf("%s: got rules %+v, want %s", c.argv, v.Commands, c.rule)
		}
	}
	// Matched user rules are listed with source and justification.
	v := p.CheckArgv([]string{"git", "push"}, "")
	mr := v.Commands[0].MatchedRules
	if len(mr) == 0 || mr[0].Source != "user.rules:2" || mr[0].Justification != "team pushes freely" || mr[0].Kind != "prefix_rule" {
		t.Errorf("matched rules: got %+v", mr)
	}
}

func TestUserRuleCoversWrappedCommands(t *testing.T) {
	src := `
prefix_rule(pattern=["sudo", "apt", "update"], decision="allow")
prefix_rule(pattern=["bash", "-lc"], decision="prompt", justification="opaque shell")
`
	p, err := loadUser(t, "w.rules", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		script string
		want   protocol.Decision
	}{
		{"sudo apt update", A},
		{"sudo apt update && ls", A},
		{"sudo apt install x", P},
		{"sudo rm -rf /", F},
		{"bash -lc 'ls'", P},       // the user wants every bash -lc asked
		{"bash -lc 'rm -rf /'", F}, // forbids still win
		{"sudo apt update && rm -rf /", F},
	} {
		if v := p.Check(protocol.PolicyRequest{Script: c.script}); v.Decision != c.want {
			t.Errorf("%q: got %s (%s), want %s", c.script, v.Decision, v.Reason, c.want)
		}
	}
}

func TestHostExecutableResolution(t *testing.T) {
	src := `
host_executable(name="git", paths=["/usr/bin/git", "~/bin/git"])
prefix_rule(pattern=["git", "status"], decision="allow", match=["/usr/bin/git status"])
prefix_rule(pattern=["rm"], decision="forbidden")
`
	p, err := loadUser(t, "h.rules", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		argv    []string
		matches int
	}{
		{[]string{"/usr/bin/git", "status"}, 1},
		{[]string{"/home/u/bin/git", "status"}, 1},
		{[]string{"/tmp/git", "status"}, 0}, // not registered: no fallback
		{[]string{"/bin/rm", "x"}, 1},       // no host_executable for rm: falls back
	} {
		got := len(p.matchPrefix(c.argv, true))
		if got != c.matches {
			t.Errorf("%v: got %d matches, want %d", c.argv, got, c.matches)
		}
	}
}

func TestSedScripts(t *testing.T) {
	for s, want := range map[string]bool{
		"1,20p": true, "$p": true, "/foo/p": true, "/a/,/b/p": true, "s/a/b/g": true, "10q": true, "1~2p": true, "/x/!d": true,
		"": false, "w out": false, "1e ls": false, "s/a/b/w x": false, "s/a/b/e": false, "r /etc/passwd": false,
		"1,5W out": false, "y/a/b/": false, "{p}": false, "s/a/b": false, "s|a|b|": true, "p;w x": false,
	} {
		if got := safeSedScript(s); got != want {
			t.Errorf("safeSedScript(%q): got %v, want %v", s, got, want)
		}
	}
}

func TestShellSplit(t *testing.T) {
	for in, want := range map[string]string{
		`git diff`:          "git|diff",
		`a 'b c' "d e"`:     "a|b c|d e",
		`a\ b`:              "a b",
		`x "a\"b" '\'`:      `x|a"b|\`,
		`  lead  trail  `:   "lead|trail",
		`--opt="v w" --x=y`: "--opt=v w|--x=y",
	} {
		got, err := shellSplit(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if strings.Join(got, "|") != want {
			t.Errorf("shellSplit(%q): got %q, want %q", in, strings.Join(got, "|"), want)
		}
	}
	if _, err := shellSplit(`a "b`); err == nil {
		t.Errorf("unterminated quote: got no error")
	}
}

func TestDevicesAndHomes(t *testing.T) {
	for p, want := range map[string]bool{"/dev/sda": true, "/dev/sda1": true, "/dev/nvme0n1": true, "/dev/mapper/root": true,
		"/dev/xvdb": true, "/dev/disk2": true, "/dev/null": false, "/dev/sd": false, "/dev/tty": false, "/tmp/sda": false, "/dev/loop0": true} {
		if got := blockDevice(p); got != want {
			t.Errorf("blockDevice(%q): got %v, want %v", p, got, want)
		}
	}
	for p, want := range map[string]bool{"/home/u": true, "/Users/me": true, "/home/u/x": false, "/home/": false, "/homes/u": false} {
		if got := homeDir(p); got != want {
			t.Errorf("homeDir(%q): got %v, want %v", p, got, want)
		}
	}
}
