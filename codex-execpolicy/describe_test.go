package execpolicy

import (
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// A prompt's reason says what the command does and why it asks, in
// words, never the spec matcher's internals ("missing required option
// --version", "expected literal status").
func TestPromptReasonsSpeakToPeople(t *testing.T) {
	p := loadDefault(t)
	cases := []struct {
		argv []string
		want string
	}{
		{[]string{"npm", "install"}, "npm install downloads packages and runs their install scripts; it is not on the read-only list, so it needs approval"},
		{[]string{"git", "stash"}, "git stash moves uncommitted changes out of the working tree; it is not on the read-only list, so it needs approval"},
		{[]string{"git", "-C", "/tmp", "commit", "-m", "x"}, "git commit records a commit in the repository; it is not on the read-only list, so it needs approval"},
		{[]string{"curl", "https://example.com"}, "curl makes network requests and may write files; it is not on the read-only list, so it needs approval"},
		{[]string{"frobnicate", "x"}, "frobnicate is not on the read-only list, so it needs approval"},
		{[]string{"rg", "--pre", "./evil.sh", "x"}, "rg is allowed only in its read-only forms (unknown option --pre for rg), so this use needs approval"},
	}
	for _, c := range cases {
		v := p.Check(protocol.PolicyRequest{Argv: c.argv})
		if v.Decision != protocol.DecisionPrompt || v.Reason != c.want {
			t.Errorf("%q: got %s %q\nwant prompt %q", c.argv, v.Decision, v.Reason, c.want)
		}
		for _, bad := range []string{"missing required option", "expected literal", "no policy rule"} {
			if strings.Contains(v.Reason, bad) {
				t.Errorf("%q: reason %q shows matcher internals (%s)", c.argv, v.Reason, bad)
			}
		}
	}
}

// --format legacy: the original engine called a force push "unverified";
// the built-in detectors still say what it is.
func TestLegacyNamesForcePush(t *testing.T) {
	p := loadDefault(t)
	for _, argv := range [][]string{
		{"git", "push", "--force", "origin", "main"},
		{"git", "push", "-f"},
		{"git", "push", "origin", "+main"},
	} {
		res, d := p.Legacy(argv)
		if res["result"] != "forbidden" || d != protocol.DecisionForbidden || !strings.Contains(res["reason"].(string), "rewrites remote history") {
			t.Errorf("%q: got %v (%s), want forbidden: rewrites remote history", argv, res, d)
		}
		cause, _ := res["cause"].(map[string]any)
		if b, _ := cause["Builtin"].(map[string]any); b["rule"] != "builtin:git-force-push" {
			t.Errorf("%q: cause %v, want Builtin rule builtin:git-force-push", argv, res["cause"])
		}
	}
	res, _ := p.Legacy([]string{"git", "stash"})
	if res["result"] != "unverified" || !strings.HasPrefix(res["reason"].(string), "git stash moves uncommitted changes") {
		t.Errorf("git stash: got %v, want unverified with a reason", res)
	}
	res, _ = p.Legacy([]string{"ls", "-l"})
	if res["result"] != "safe" {
		t.Errorf("ls -l: got %v, want safe", res)
	}
}
