package tui

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/codexgo/codex-tui/internal/appconn"
	"github.com/codexgo/common/protocol"
)

// reviewTarget returns the target of the one review (review/start) sent.
func reviewTarget(t *testing.T, h *harness) appconn.ReviewTarget {
	t.Helper()
	ops := h.conn.ops()
	if len(ops) != 1 {
		t.Fatalf("ops = %#v, want one review", ops)
	}
	r, ok := ops[0].(appconn.ReviewOp)
	if !ok {
		t.Fatalf("op = %#v, want a review", ops[0])
	}
	return r.Target
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
	if got := reviewTarget(t, h); got != (appconn.ReviewTarget{Type: "uncommittedChanges"}) {
		t.Errorf("review target = %+v", got)
	}
	if p := h.printed(); !strings.Contains(p, "/review uncommitted changes") {
		t.Errorf("transcript:\n%s", p)
	}

	h = newHarness(t)
	h.typeText("/review look at the error paths in parse.go")
	h.keys("enter")
	// The text as it is: the server adds the review guidelines.
	if got := reviewTarget(t, h); got != (appconn.ReviewTarget{Type: "custom", Instructions: "look at the error paths in parse.go"}) {
		t.Errorf("custom review target = %+v", got)
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
	if got := reviewTarget(t, h); got != (appconn.ReviewTarget{Type: "commit", Sha: head, Title: "second commit"}) {
		t.Errorf("commit review target = %+v", got)
	}

	h2 := newHarness(t)
	gitRepo(t, h2.m.env.cwd)
	h2.typeText("/review")
	h2.keys("enter", "2")
	if h2.m.picker == nil || len(h2.m.picker.items) != 1 || h2.m.picker.items[0].name != "main" {
		t.Fatalf("branch picker = %+v", h2.m.picker)
	}
	h2.keys("1")
	if got := reviewTarget(t, h2); got != (appconn.ReviewTarget{Type: "baseBranch", Branch: "main"}) {
		t.Errorf("branch review target = %+v", got)
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

// TestReviewPrintedOnce: the server ends a review with exitedReviewMode
// and then the review again as the turn's agent message (as 0.169's
// app-server does): the review prints once, before the closing banner.
func TestReviewPrintedOnce(t *testing.T) {
	h := newHarness(t)
	const review = "One issue found.\n\nReview comment:\n\n- [P1] Lost write — /w/a.go:2-3\n  The file is truncated first."
	h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", appconn.ReviewModeMsg{Entered: true, Review: "current changes"}),
		ev("1", appconn.ReviewModeMsg{Review: review}), ev("1", protocol.AgentMessageMsg{Message: review}), ev("1", protocol.TaskCompleteMsg{}))
	p := h.printed()
	if n := strings.Count(p, "One issue found."); n != 1 {
		t.Errorf("the review printed %d times:\n%s", n, p)
	}
	if i, j := strings.Index(p, "Lost write"), strings.Index(p, "<< Code review finished >>"); i < 0 || j < i {
		t.Errorf("the review does not come before the closing banner:\n%s", p)
	}
}
