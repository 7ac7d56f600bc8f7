package sandboxpolicy

import (
	"reflect"
	"testing"
)

func TestParseGitConfig(t *testing.T) {
	tests := []struct {
		in   string
		want []configVar
	}{
		{"[core]\n\thooksPath = .githooks\n", []configVar{{"core", "", "hookspath", ".githooks"}}},
		{"[Core]HooksPath=x ; comment\n", []configVar{{"core", "", "hookspath", "x"}}},
		{"[include]\n\tpath = \"a b\\\"c\" # c\n", []configVar{{"include", "", "path", `a b"c`}}},
		{"[includeIf \"gitdir:~/w/\"]\n path = ../x\n", []configVar{{"includeif", "gitdir:~/w/", "path", "../x"}}},
		{"[filter.lfs]\n\tclean = tools/clean  %f\n", []configVar{{"filter", "lfs", "clean", "tools/clean  %f"}}},
		{"[core]\n\tfsmonitor = ./a\\\n/b\n", []configVar{{"core", "", "fsmonitor", "./a/b"}}},
		{"[core]\n\tbare\n\tx = 1\r\n", []configVar{{"core", "", "bare", "true"}, {"core", "", "x", "1"}}},
		{"# top\nkey = orphan\n[bad\n[core]\n\tk=v\n", []configVar{{"core", "", "k", "v"}}},
		{"[a \"unterminated]\nk=v\n", nil},
	}
	for _, tc := range tests {
		if got := parseGitConfig(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseGitConfig(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCommandPath(t *testing.T) {
	for in, want := range map[string]string{
		"./tools/fsmon --x": "./tools/fsmon", "!scripts/h": "scripts/h", "less -R": "", "git-lfs filter-process": "",
		`"bin/x" a`: "bin/x", "": "",
	} {
		if got := commandPath(in); got != want {
			t.Errorf("commandPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzGitConfig: any text parses (to something or nothing), never a
// panic or a hang, and every variable has a section and a key.
func FuzzGitConfig(f *testing.F) {
	f.Add("[core]\n\thooksPath = .githooks\n[include]\n\tpath = \"x\\\"y\"\n")
	f.Add("[a \"b\\\"c\"] k = \"v ; w\" ; c\\\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range parseGitConfig(s) {
			if v.section == "" || v.key == "" {
				t.Fatalf("variable without section or key: %+v from %q", v, s)
			}
		}
	})
}
