package codexversion

import (
	"bytes"
	"testing"

	"github.com/codexgo/common/version"
)

func TestRun(t *testing.T) {
	want := "codex " + version.Version + "\n"
	for _, tc := range []struct {
		argv []string
		ok   bool
	}{
		{[]string{"codex", "--version"}, true},
		{[]string{"codex", "-V"}, true},
		{[]string{"codex", "version"}, true},
		{[]string{"/usr/local/bin/codex", "--version"}, true},
		{[]string{"codex.exe", "--version"}, true},
		{nil, false},
		{[]string{"codex"}, false},
		{[]string{"codex", "--version", "extra"}, false},
		{[]string{"codex", "--help"}, false},
		{[]string{"codex-tui", "--version"}, false},
		{[]string{"/usr/bin/codex-tui", "--version"}, false},
		{[]string{"my-codex", "--version"}, false},
		{[]string{"codex/x", "--version"}, false},
		{[]string{"", "--version"}, false},
	} {
		var out bytes.Buffer
		ok := Run(tc.argv, &out)
		if ok != tc.ok {
			t.Errorf("%q: ran %v, want %v", tc.argv, ok, tc.ok)
		}
		if got := out.String(); (ok && got != want) || (!ok && got != "") {
			t.Errorf("%q: printed %q", tc.argv, got)
		}
	}
}
