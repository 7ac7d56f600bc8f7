package linuxsandbox

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestCutMapIDs(t *testing.T) {
	for _, c := range []struct {
		env, rest []string
		ids       string
	}{
		{nil, nil, ""},
		{[]string{"A=1", "B=2"}, []string{"A=1", "B=2"}, ""},
		{[]string{"A=1", MapIDsVar + "=1000:100", "B=2"}, []string{"A=1", "B=2"}, "1000:100"},
		{[]string{MapIDsVar + "=1:1", MapIDsVar + "=2:2"}, []string{}, "2:2"},
		{[]string{MapIDsVar + "X=1:1"}, []string{MapIDsVar + "X=1:1"}, ""},
	} {
		rest, ids := cutMapIDs(c.env)
		if !slices.Equal(rest, c.rest) || ids != c.ids {
			t.Errorf("cutMapIDs(%q) = %q, %q; want %q, %q", c.env, rest, ids, c.rest, c.ids)
		}
	}
	if !strings.HasPrefix(MapIDsEnv(), MapIDsVar+"=") {
		t.Errorf("MapIDsEnv() = %q", MapIDsEnv())
	}
}

// TestBadMapIDsRefused: a malformed MapIDsVar is a set-up failure (125)
// with a one-line error, before anything is read or run.
func TestBadMapIDsRefused(t *testing.T) {
	var stderr bytes.Buffer
	code := run([]string{"--sandbox-policy", `{"mode":"read-only"}`, "--", "true"}, []string{MapIDsVar + "=nobody"}, &bytes.Buffer{}, &stderr)
	if want := "codex-linux-sandbox: sandbox setup failed: map ids: bad " + MapIDsVar + " \"nobody\"\n"; code != ExitSetupFailed || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr.String(), ExitSetupFailed, want)
	}
}
