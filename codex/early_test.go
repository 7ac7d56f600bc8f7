package codex

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"codexgo.local/codexversion"
	"github.com/codexgo/codex/internal/early"
)

// TestEarlyMatchesBundle holds package early and codexversion, which run
// the light tools and `codex --version` from the binary's first
// initialisers, to what the dispatcher does with the same argv: same exit
// code, same output; and to doing nothing for every other argv.
func TestEarlyMatchesBundle(t *testing.T) {
	bg := func() context.Context { return context.Background() }
	// Either package runs the command, never both.
	run := func(argv []string, stdout, stderr *bytes.Buffer) (int, bool) {
		if codexversion.Run(argv, stdout) {
			if code, ok := early.Run(bg, argv, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); ok {
				return code, false
			}
			return 0, true
		}
		return early.Run(bg, argv, strings.NewReader(""), stdout, stderr)
	}
	handled := [][]string{
		{"codex", "--version"},
		{"codex", "-V"},
		{"codex", "version"},
		{"/usr/local/bin/codex", "--version"},
		{"codex-execpolicy", "check", "--", "git", "status"},
		{"codex-execpolicy", "check", "--", "rm", "-rf", "/"},
		{"/x/codex-execpolicy", "--help"},
		{"codex-execpolicy"},
		{"codex-execpolicy", "--no-such-flag"},
		{"codex-sandbox", "--help"},
		{"codex-sandbox", "--no-such-flag"},
		{"codex-linux-sandbox", "--help"},
	}
	for _, argv := range handled {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			var eo, ee, bo, be bytes.Buffer
			code, ok := run(argv, &eo, &ee)
			if !ok {
				t.Fatal("neither early nor codexversion ran it")
			}
			want := Default().Run(context.Background(), argv, strings.NewReader(""), &bo, &be)
			if code != want || eo.String() != bo.String() || ee.String() != be.String() {
				t.Errorf("early: %d %q %q\ndispatcher: %d %q %q", code, eo.String(), ee.String(), want, bo.String(), be.String())
			}
			if eo.Len()+ee.Len() == 0 {
				t.Error("no output at all")
			}
		})
	}
	passed := [][]string{
		nil,
		{"codex"},
		{"codex", "--version", "extra"},
		{"codex", "-c", "model=o3", "--version"},
		{"codex", "exec", "--help"},
		{"codex-tui", "--version"},
		{"codex-login", "status"},
		{"codex-agent", "--help"},
		{"codex-mcp-client", "--help"},
		{"my-codex", "--version"},
		{"codex-execpolicy.sh", "--help"},
	}
	for _, argv := range passed {
		var out, errb bytes.Buffer
		if code, ok := run(argv, &out, &errb); ok || code != 0 || out.Len()+errb.Len() > 0 {
			t.Errorf("%q: early or codexversion ran it (%v, %d, %q, %q); it belongs to the dispatcher", argv, ok, code, out.String(), errb.String())
		}
	}
}
