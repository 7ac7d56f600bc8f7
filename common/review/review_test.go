package review

import (
	"strings"
	"testing"
)

func TestPrompt(t *testing.T) {
	for _, tc := range []struct {
		target string
		want   []string
	}{
		{Uncommitted, []string{"What to review: The uncommitted changes", "Do not modify any file", "Verdict: needs changes"}},
		{Base("main"), []string{"against `main`", "git merge-base HEAD main"}},
		{Commit("abc1234", "fix parser"), []string{`commit abc1234 ("fix parser")`, "git show abc1234"}},
		{Commit("abc1234", ""), []string{"commit abc1234: `git show abc1234`"}},
	} {
		got := Prompt(tc.target)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("Prompt(%q) lacks %q", tc.target, w)
			}
		}
	}
}
