package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
)

// reviewAnswer is a reviewer's JSON answer with one finding, and
// reviewShown the review 0.169 makes of it (its exitedReviewMode text).
const (
	reviewAnswer = `{"findings":[{"title":"[P1] Off by one","body":"The loop skips the last line.","confidence_score":0.8,"priority":1,` +
		`"code_location":{"absolute_file_path":"/r/a.go","line_range":{"start":2,"end":3}}}],"overall_correctness":"patch is incorrect",` +
		`"overall_explanation":"One issue found.","overall_confidence_score":0.7}`
	reviewShown = "One issue found.\n\nReview comment:\n\n- [P1] Off by one — /r/a.go:2-3\n  The loop skips the last line."
)

// TestExecReview: `codex exec review` sends Codex CLI 0.169's review
// request (the app-server's review/start's: the review guidelines as the
// reviewer's first message, the target's prompt last), a prompt alone
// being the reviewer's instructions, and prints the review, not the
// reviewer's raw answer (captured from 0.169 against a local model
// server).
func TestExecReview(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		stdin  string
		prompt string
		hint   string
	}{
		{[]string{"review", "--uncommitted"}, "",
			"Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.", "current changes"},
		{[]string{"review", "--commit", "abc1234def", "--title", "Fix the parser"}, "",
			`Review the code changes introduced by commit abc1234def ("Fix the parser"). Provide prioritized, actionable findings.`, "commit abc1234: Fix the parser"},
		{[]string{"review", "--base", "main"}, "",
			"Review the code changes against the base branch 'main'. Start by finding the merge diff between the current branch and main's upstream e.g. " +
				"(`git merge-base HEAD \"$(git rev-parse --abbrev-ref \"main@{upstream}\")\"`), then run `git diff` against that SHA to see what changes we would merge into the main branch. " +
				"Provide prioritized, actionable findings.", "changes against 'main'"},
		{[]string{"review", "only the parser package"}, "", "only the parser package", "only the parser package"},
		{[]string{"review", "-"}, "the error paths\n", "the error paths", "the error paths"},
	} {
		fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message(reviewAnswer)}})
		fx.stdin = tc.stdin
		r := fx.run(append(fx.providerArgs(), tc.args...)...)
		if r.code != 0 || r.stdout != reviewShown+"\n" {
			t.Fatalf("%v: exit %d stdout %q stderr %s", tc.args, r.code, r.stdout, r.stderr)
		}
		var body struct {
			Instructions string       `json:"instructions"`
			Input        []model.Item `json:"input"`
		}
		if err := fx.srv.Requests()[0].JSON(&body); err != nil {
			t.Fatal(err)
		}
		if got := body.Input[len(body.Input)-1].Text(); got != tc.prompt {
			t.Errorf("%v: prompt\n%q\nwant\n%q", tc.args, got, tc.prompt)
		}
		if first := body.Input[0]; body.Instructions != "" || first.Role != "developer" || !strings.HasPrefix(first.Text(), "# Review guidelines:") {
			t.Errorf("%v: the request does not start with the review guidelines: %q %.80q", tc.args, body.Instructions, first.Text())
		}
		// What a reader sees: the hint as the user's turn, the review as
		// codex's answer, once, and no usage (the reviewer's is not the
		// thread's).
		if want := "\nuser\n" + tc.hint + "\n"; !strings.Contains(r.stderr, want) {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, want, r.stderr)
		}
		if !strings.HasSuffix(r.stderr, "\ncodex\n"+reviewShown+"\n") || strings.Contains(r.stderr, "findings") || strings.Contains(r.stderr, "tokens used") {
			t.Errorf("%v: stderr:\n%s", tc.args, r.stderr)
		}
	}
}

// TestExecReviewJSON: the --json events of a review are 0.169's: the
// review as the one agent message, and no usage.
func TestExecReviewJSON(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message(reviewAnswer)}})
	r := fx.run(append(fx.providerArgs(), "--json", "review", "--uncommitted")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	text, _ := json.Marshal(reviewShown)
	want := `{"type":"thread.started","thread_id":"THREAD_ID"}
{"type":"turn.started"}
{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":` + string(text) + `}}
{"type":"turn.completed","usage":{"input_tokens":0,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":0,"reasoning_output_tokens":0}}
`
	if got := fx.normalise(r.stdout); got != want {
		t.Errorf("--json review:\n%s\nwant:\n%s", got, want)
	}
}

// TestExecReviewRefused: the command lines 0.169 refuses, with its words
// and exit codes, before any request.
func TestExecReviewRefused(t *testing.T) {
	clap := func(arg, other, usage string) string {
		return "error: the argument '" + arg + "' cannot be used with '" + other + "'\n\nUsage: codex exec review " + usage +
			" [PROMPT]\n\nFor more information, try '--help'.\n"
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"review", "--uncommitted", "focus"}, 2, clap("--uncommitted", "[PROMPT]", "--uncommitted")},
		{[]string{"review", "--base", "main", "focus"}, 2, clap("--base <BRANCH>", "[PROMPT]", "--base <BRANCH>")},
		{[]string{"review", "--commit", "abc", "focus"}, 2, clap("--commit <SHA>", "[PROMPT]", "--commit <SHA>")},
		{[]string{"review", "--uncommitted", "--base", "main"}, 2, clap("--uncommitted", "--base <BRANCH>", "--uncommitted")},
		{[]string{"review", "--title", "x"}, 2, "error: the following required arguments were not provided:\n  --commit <SHA>\n\n" +
			"Usage: codex exec review --commit <SHA> --title <TITLE> [PROMPT]\n\nFor more information, try '--help'.\n"},
		{[]string{"review"}, 1, "Error: Specify --uncommitted, --base, --commit, or provide custom review instructions\n"},
		{[]string{"review", "-"}, 1, "No prompt provided via stdin.\n"},
	} {
		fx := newExecFixture(t)
		r := fx.run(append(fx.providerArgs(), tc.args...)...)
		if r.code != tc.code || r.stderr != tc.stderr || r.stdout != "" {
			t.Errorf("%v: exit %d (want %d) stdout %q stderr\n%q\nwant\n%q", tc.args, r.code, tc.code, r.stdout, r.stderr, tc.stderr)
		}
		if n := len(fx.srv.Requests()); n != 0 {
			t.Errorf("%v: %d requests", tc.args, n)
		}
	}
	fx := newExecFixture(t)
	if r := fx.run(append(fx.providerArgs(), "--base", "main", "hi")...); r.code != 2 {
		t.Errorf("--base without review: exit %d, want a usage error (2): %s", r.code, r.stderr)
	}
}

// TestReviewCommandRefused: `codex review` (codex-agent review) is `codex
// exec review` whose usage lines name it as typed, as 0.169's do.
func TestReviewCommandRefused(t *testing.T) {
	t.Setenv("CODEX_HOME", t.TempDir())
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"review", "--uncommitted", "focus"}, "error: the argument '--uncommitted' cannot be used with '[PROMPT]'\n\n" +
			"Usage: codex review --uncommitted [PROMPT]\n\nFor more information, try '--help'.\n"},
		{[]string{"review", "--title", "x"}, "error: the following required arguments were not provided:\n  --commit <SHA>\n\n" +
			"Usage: codex review --commit <SHA> --title <TITLE> [PROMPT]\n\nFor more information, try '--help'.\n"},
		{[]string{"exec", "review", "--title", "x"}, "error: the following required arguments were not provided:\n  --commit <SHA>\n\n" +
			"Usage: codex exec review --commit <SHA> --title <TITLE> [PROMPT]\n\nFor more information, try '--help'.\n"},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
		if code != 2 || stderr.String() != tc.stderr || stdout.Len() != 0 {
			t.Errorf("%v: exit %d (want 2) stdout %q stderr\n%q\nwant\n%q", tc.args, code, stdout.String(), stderr.String(), tc.stderr)
		}
	}
}
