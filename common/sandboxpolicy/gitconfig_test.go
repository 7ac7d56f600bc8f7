package sandboxpolicy

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseGitConfig pins the readings that matter most for the sandbox,
// without git (TestParseGitConfigAsGitReadsIt compares with git itself).
func TestParseGitConfig(t *testing.T) {
	v := func(name, value string) configVar { return configVar{name, value, value} }
	tests := []struct {
		in   string
		want []configVar
	}{
		{"[core]\n\thooksPath = .githooks\n", []configVar{v("core.hookspath", ".githooks")}},
		{"[Core]HooksPath=x ; comment\n", []configVar{v("core.hookspath", "x")}},
		{"[include]\n\tpath = \"a b\\\"c\" # c\n", []configVar{v("include.path", `a b"c`)}},
		{"[includeIf \"gitdir:~/w/\"]\n path = ../x\n", []configVar{v("includeif.gitdir:~/w/.path", "../x")}},
		{"[filter.LFS]\n\tclean = tools/clean  %f\n", []configVar{v("filter.lfs.clean", "tools/clean  %f")}},
		{"[core]\n\tfsmonitor = ./a\\\n/b\n", []configVar{v("core.fsmonitor", "./a/b")}},
		{"[core]\n\tbare\n\tx = 1\r\n", []configVar{v("core.bare", "true"), v("core.x", "1")}},
		// A BOM is skipped, not the line it starts.
		{"\xef\xbb\xbf[core]hooksPath=x\n", []configVar{v("core.hookspath", "x")}},
		// git's names and values are C strings: cut at a NUL.
		{"[include \"path\x00junk\"]\n\tfoo = evil.cfg\n", []configVar{v("include.path", "evil.cfg")}},
		{"[core]\n\thooksPath = \"hk\x00\"junk\n", []configVar{v("core.hookspath", "hk")}},
		// A lone CR is whitespace; a quote keeps the whitespace before it.
		{"[core]\rhooksPath = hk\r", []configVar{v("core.hookspath", "hk")}},
		{"[core]\n\thooksPath = hk \"\"\n", []configVar{v("core.hookspath", "hk ")}},
		{"[a.B \"C\"]\n\tk = x\n", []configVar{v("a.b.C.k", "x")}},
		// Whitespace inside a value: kept by git 2.45 on, spaces before.
		{"[core]\n\thooksPath = a\t\rb\t\n", []configVar{{"core.hookspath", "a\t\rb", "a  b"}}},
		// Refused by git at the bad line: nothing from there on.
		{"[core]\n\tk=v\n[bad\n[core]\n\tj=w\n", []configVar{v("core.k", "v")}},
		{"[a \"unterminated]\nk=v\n", nil},
		{"# top\nkey = orphan\n[core]\n\tk=v\n", []configVar{v("core.k", "v")}},
	}
	for _, tc := range tests {
		if got := parseGitConfig(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseGitConfig(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCommandPaths(t *testing.T) {
	for in, want := range map[string][]string{
		"./tools/fsmon --x":                      {"./tools/fsmon"},
		"!scripts/h":                             {"scripts/h"},
		"less -R":                                nil,
		"git-lfs filter-process":                 nil,
		`"bin/x" a`:                              {"bin/x"},
		"":                                       nil,
		"sh ./tools/fsmon.sh":                    {"./tools/fsmon.sh"},
		"python3 'hooks/my x.py' --cfg=./c.toml": {"hooks/my x.py", "./c.toml"},
		"FOO=./env.sh sh -c x;./y|z/w":           {"./env.sh", "./y", "z/w"},
		`a\ b/c "q/\"r"`:                         {"a b/c", `q/"r`},
		"curl https://example.com/x $HOME/bin":   nil,
	} {
		if got := commandPaths(in); !reflect.DeepEqual(got, want) {
			t.Errorf("commandPaths(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzGitConfig: any text parses (to something or nothing), never a
// panic or a hang; every variable has a section and a key; and what git
// reads from the text, when it reads it at all, is what we read (git runs
// once an input, so the fuzzer finds discrepancies as well as panics).
func FuzzGitConfig(f *testing.F) {
	for _, s := range gitConfigCases {
		f.Add(s)
	}
	r := newGitConfigReader(f)
	f.Fuzz(func(t *testing.T, s string) {
		vars, ok := scanGitConfig(s)
		for _, v := range vars {
			if section, _, key := v.split(); section == "" || key == "" {
				t.Fatalf("variable without section or key: %+v from %q", v, s)
			}
		}
		want, gitOK := r.read(t, s)
		if ok != gitOK {
			t.Fatalf("%q: git accepts it: %v, we do: %v", s, gitOK, ok)
		}
		if got, _ := r.ourVars(s); gitOK && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n git reads %q\n we read   %q", s, want, got)
		}
	})
}

// FuzzCommandPaths: any command value splits into words without a panic,
// and every path it names holds a slash and no URL.
func FuzzCommandPaths(f *testing.F) {
	f.Add(`sh "./a b/c" --x=./y 'q/'\'' z' ;|&`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range commandPaths(s) {
			if !strings.Contains(p, "/") || strings.Contains(p, "://") {
				t.Fatalf("commandPaths(%q) gave %q", s, p)
			}
		}
	})
}
