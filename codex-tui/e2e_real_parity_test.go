package tui

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestE2ERealSteerAndReview drives the real agent: a message sent with
// Enter while the model's command runs steers the turn (turn/steer): it
// is printed once the agent took it and the model's next request in the
// same turn carries it; /review runs review/start, whose request to the
// model is the review of the uncommitted changes, and its answer is
// printed.
func TestE2ERealSteerAndReview(t *testing.T) {
	codex := buildCodex(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "release.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ms := startModelServer(t, codex,
		// 1-2: a command that waits for the test, then the answer.
		itemsTurn(shellCallItem("c1", "cat "+fifo+" && echo released-$((6*7))")),
		itemsTurn(messageItem("Steered answer.")),
		// 3: the review; 4: a custom review.
		itemsTurn(messageItem("No findings.\n\nVerdict: correct")),
		itemsTurn(messageItem(`{"findings":[],"overall_correctness":"patch is correct","overall_explanation":"parse.go is fine.","overall_confidence_score":0.9}`)),
	)
	tm := startRealTerm(t, codex, t.TempDir(), dir, ms, "-a", "never", "-s", "workspace-write")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "run the slow command")
	tm.keys("Enter")
	tm.waitFor(`cat .*release\.fifo`)
	tm.keys("-l", "and keep it short")
	tm.waitFor(`tab to queue message`)
	tm.keys("Enter")
	tm.waitFor(`› and keep it short`)
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("go\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(`(?s)released-42.*Steered answer\..*› Ask Codex`)

	tm.keys("-l", "/review")
	tm.keys("Enter")
	tm.waitFor(`Select a review preset`)
	tm.keys("1")
	// The server's enteredReviewMode and exitedReviewMode items print the
	// banners around the review.
	tm.waitFor(`(?s)› /review uncommitted changes.*>> Code review started: current changes <<.*No findings\..*Verdict: correct.*<< Code review finished >>.*› Ask Codex`)
	tm.keys("-l", "/review look at parse.go")
	tm.keys("Enter")
	tm.waitFor(`(?s)>> Code review started: look at parse.go <<.*parse\.go is fine\..*<< Code review finished >>.*› Ask Codex`)
	tm.keys("C-d")
	tm.waitExit(0)

	reqs := ms.requests(t)
	if len(reqs) != 4 {
		t.Fatalf("%d model requests, want 4", len(reqs))
	}
	if in := reqs[1].text(); !strings.Contains(in, "and keep it short") || !strings.Contains(in, "released-42") {
		t.Errorf("the request after the steer lacks it:\n%s", in)
	}
	if in := reqs[0].text(); strings.Contains(in, "and keep it short") {
		t.Errorf("the steer was in the request before it:\n%s", in)
	}
	if in := reqs[2].text(); !strings.Contains(in, "Review the current code changes (staged, unstaged, and untracked files)") {
		t.Errorf("the review request lacks its target:\n%s", in)
	}
	// The custom review's prompt is the text as typed, with the review
	// guidelines once: not wrapped by the TUI as well.
	custom := reqs[3]
	if last := string(custom.Input[len(custom.Input)-1]); !strings.Contains(last, `"text":"look at parse.go"`) {
		t.Errorf("the custom review's prompt is %s", last)
	}
	if in := custom.text(); strings.Count(in, "# Review guidelines") != 1 || strings.Contains(in, "What to review") {
		t.Errorf("the custom review request asks for a review other than once:\n%s", in)
	}
}

// TestE2ERealOnFailureShown: the real server reports on-failure, which
// the v2 protocol lacks, as on-request; the session header and the
// footer show what the user asked for, by flag or by -c.
func TestE2ERealOnFailureShown(t *testing.T) {
	codex := buildCodex(t)
	ms := startModelServer(t, codex)
	for _, args := range [][]string{{"-a", "on-failure"}, {"-c", `approval_policy="on-failure"`}} {
		tm := startRealTerm(t, codex, t.TempDir(), t.TempDir(), ms, append(args, "-s", "workspace-write")...)
		tm.waitFor(`approval:\s+on-failure`)
		tm.waitFor(`gpt-test · on-failure · workspace-write`)
		tm.keys("C-d")
		tm.waitExit(0)
	}
}
