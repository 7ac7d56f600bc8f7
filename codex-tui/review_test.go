package tui

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/review"
)

// reviewText returns the text of the one turn the review sent.
func reviewText(t *testing.T, h *harness) string {
	t.Helper()
	ops := h.conn.ops()
	if len(ops) != 1 {
		t.Fatalf("ops = %#v, want one review turn", ops)
	}
	in, ok := ops[0].(protocol.UserInputOp)
	if !ok || len(in.Items) != 1 {
		t.Fatalf("op = %#v, want user input", ops[0])
	}
	return in.Items[0].Text
}

// gitRepo makes dir a repository with two commits on branch main.
func gitRepo(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "first commit"},
		{"-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "second commit"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

func TestReviewUncommittedAndCustom(t *testing.T) {
	h := newHarness(t)
	h.typeText("/review")
	h.keys("enter")
	if h.m.picker == nil || len(h.m.picker.items) != 4 || !strings.Contains(h.view(), "Review uncommitted changes") {
		t.Fatalf("no review picker:\n%s", h.view())
	}
	h.keys("1")
	if got := reviewText(t, h); !strings.Contains(got, review.Uncommitted) || !strings.Contains(got, "Do not modify any file") {
		t.Errorf("review prompt = %q", got)
	}
	if p := h.printed(); !strings.Contains(p, "/review uncommitted changes") {
		t.Errorf("transcript:\n%s", p)
	}

	h = newHarness(t)
	h.typeText("/review look at the error paths in parse.go")
	h.keys("enter")
	if got := reviewText(t, h); !strings.Contains(got, "What to review: look at the error paths in parse.go") {
		t.Errorf("custom review prompt = %q", got)
	}
}

func TestReviewCommitAndBranch(t *testing.T) {
	h := newHarness(t)
	gitRepo(t, h.m.env.cwd)
	out, err := exec.Command("git", "-C", h.m.env.cwd, "log", "--format=%h", "-n", "1").Output()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.TrimSpace(string(out))
	h.typeText("/review")
	h.keys("enter", "3")
	if h.m.picker == nil || len(h.m.picker.items) != 2 || h.m.picker.items[0].desc != "second commit" {
		t.Fatalf("commit picker = %+v\n%s", h.m.picker, h.view())
	}
	h.keys("enter")
	if got := reviewText(t, h); !strings.Contains(got, "commit "+head+` ("second commit"): `+"`git show "+head+"`") {
		t.Errorf("commit review prompt = %q", got)
	}

	h2 := newHarness(t)
	gitRepo(t, h2.m.env.cwd)
	h2.typeText("/review")
	h2.keys("enter", "2")
	if h2.m.picker == nil || len(h2.m.picker.items) != 1 || h2.m.picker.items[0].name != "main" {
		t.Fatalf("branch picker = %+v", h2.m.picker)
	}
	h2.keys("1")
	if got := reviewText(t, h2); !strings.Contains(got, "git merge-base HEAD main") {
		t.Errorf("branch review prompt = %q", got)
	}
}

func TestReviewOutsideRepository(t *testing.T) {
	h := newHarness(t)
	h.typeText("/review")
	h.keys("enter", "3")
	if h.m.picker != nil || !strings.Contains(h.printed(), "/review needs a git repository") {
		t.Errorf("picker %+v, transcript:\n%s", h.m.picker, h.printed())
	}
	if ops := h.conn.ops(); len(ops) != 0 {
		t.Errorf("ops = %#v, want none", ops)
	}
}
