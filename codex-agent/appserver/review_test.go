package appserver_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
)

// reviewAnswer is a reviewer's JSON answer with one finding.
const reviewAnswer = `{"findings":[{"title":"[P1] Lost write","body":"The file is truncated first.\nA crash loses it.","confidence_score":0.8,"priority":1,` +
	`"code_location":{"absolute_file_path":"/w/a.go","line_range":{"start":2,"end":3}}}],"overall_correctness":"patch is incorrect","overall_explanation":"One issue found.","overall_confidence_score":0.7}`

// reviewText is what 0.169 makes of reviewAnswer.
const reviewText = "One issue found.\n\nReview comment:\n\n- [P1] Lost write — /w/a.go:2-3\n  The file is truncated first.\n  A crash loses it."

// requestBody is the part of a model request these tests read.
type requestBody struct {
	Instructions string `json:"instructions"`
	Input        []struct {
		Role    string `json:"role"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"input"`
}

func lastRequest(t *testing.T, srv *modelserver.Server) requestBody {
	t.Helper()
	reqs := srv.Requests()
	var b requestBody
	if err := reqs[len(reqs)-1].JSON(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

// texts are the request's messages as "role: text".
func (b requestBody) texts() []string {
	var out []string
	for _, in := range b.Input {
		for _, c := range in.Content {
			out = append(out, in.Role+": "+c.Text)
		}
	}
	return out
}

// itemSequence is a turn's item and turn notifications as "method type".
func itemSequence(t *testing.T, seen []msg) []string {
	t.Helper()
	var out []string
	for _, m := range seen {
		switch m.Method {
		case "item/started", "item/completed":
			var n itemNote
			m.decode(t, &n)
			out = append(out, m.Method+" "+n.Item["type"].(string))
		case "turn/started", "turn/completed":
			out = append(out, m.Method)
		}
	}
	return out
}

// TestReviewStartItems: review/start runs as 0.169's does: the
// enteredReviewMode item before the turn starts, the reviewer's answer as
// an agent message that starts and never completes, exitedReviewMode with
// the review, and the review as the final agent message (every line
// checked against the schema). The reviewer sees the review guidelines and
// not the thread's history, and is told it asks for no approval (its
// sandbox the thread's); the thread's next turn sees the review as a user
// action, not the review prompt, and has the thread's approval policy
// back.
func TestReviewStartItems(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(modelserver.Message("first answer")), turnOf(modelserver.Message(reviewAnswer)), turnOf(modelserver.Message("next answer")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{"sandbox": "workspace-write", "approvalPolicy": "untrusted"})
	startTurn(t, c, th.Thread.ID, "first task")
	c.until("turn/completed")

	var rv struct {
		Turn struct {
			ID    string           `json:"id"`
			Items []map[string]any `json:"items"`
		} `json:"turn"`
	}
	c.call("review/start", map[string]any{"threadId": th.Thread.ID, "target": map[string]any{"type": "uncommittedChanges"}, "delivery": "inline"}).decode(t, &rv)
	if got := string(mustJSON(t, rv.Turn.Items)); got != `[{"content":[{"text":"current changes","text_elements":[],"type":"text"}],"id":"`+rv.Turn.ID+`","type":"userMessage"}]` {
		t.Errorf("review/start turn items = %s", got)
	}
	_, seen := c.until("turn/completed")
	want := []string{"item/started enteredReviewMode", "item/completed enteredReviewMode", "turn/started",
		"item/started userMessage", "item/completed userMessage", "item/started agentMessage",
		"item/started exitedReviewMode", "item/completed exitedReviewMode",
		"item/started agentMessage", "item/completed agentMessage", "turn/completed"}
	if got := itemSequence(t, seen); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("review notifications:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := completedItems(t, seen, "enteredReviewMode"); len(got) != 1 || got[0]["review"] != "current changes" {
		t.Errorf("enteredReviewMode = %v", got)
	}
	if got := completedItems(t, seen, "exitedReviewMode"); len(got) != 1 || got[0]["review"] != reviewText {
		t.Errorf("exitedReviewMode = %v", got)
	}
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != reviewText {
		t.Errorf("final agent message = %v", got)
	}
	if strings.Contains(methods(seen), "item/agentMessage/delta") || strings.Contains(methods(seen), "thread/tokenUsage/updated") {
		t.Errorf("the reviewer's answer streamed: %s", methods(seen))
	}

	review := lastRequest(t, f.srv)
	all := strings.Join(review.texts(), "\n")
	if review.Instructions != "" || !strings.HasPrefix(review.texts()[0], "developer: # Review guidelines:") {
		t.Errorf("the review request does not start with the review guidelines: %.200q", review.texts())
	}
	if strings.Contains(all, "first task") || strings.Contains(all, "You are a coding agent") {
		t.Errorf("the reviewer saw the thread's history or the base instructions:\n%s", all)
	}
	for _, w := range []string{"Filesystem sandboxing: workspace-write.", "Approval policy: never.", "<approval_policy>never</approval_policy>", "<sandbox_mode>workspace-write</sandbox_mode>"} {
		if !strings.Contains(all, w) || strings.Contains(all, "untrusted") {
			t.Errorf("the reviewer's context lacks %q or names the thread's permissions:\n%s", w, all)
		}
	}
	if last := review.texts()[len(review.texts())-1]; last != "user: Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings." {
		t.Errorf("review prompt = %q", last)
	}

	startTurn(t, c, th.Thread.ID, "next question")
	c.until("turn/completed")
	next := strings.Join(lastRequest(t, f.srv).texts(), "\n")
	action := "user: <user_action>\n  <context>User initiated a review task. Here's the full review output from reviewer model. User may select one or more comments to resolve.</context>\n" +
		"  <action>review</action>\n  <results>\n  " + reviewText + "\n  </results>\n  </user_action>\n\nassistant: " + reviewText + "\n"
	if !strings.Contains(next, "user: first task") || !strings.Contains(next, action) || strings.Contains(next, "Review guidelines") || strings.Contains(next, "Review the current code changes") {
		t.Errorf("the next turn's request:\n%s", next)
	}
	rollout, err := os.ReadFile(th.Thread.Path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(rollout)), "\n")
	var lastContext string
	for _, l := range lines {
		if strings.Contains(l, `"type":"turn_context"`) {
			lastContext = l
		}
	}
	if !strings.Contains(lastContext, `"approval_policy":"untrusted"`) || !strings.Contains(lastContext, `"mode":"workspace-write"`) {
		t.Errorf("the turn after the review runs with %s", lastContext)
	}
}

// TestReviewStartTargets: each target's prompt to the model and the hint
// of its enteredReviewMode item are 0.169's (captured from its requests);
// custom instructions are sent as they are, trimmed.
func TestReviewStartTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target       map[string]any
		prompt, hint string
	}{
		{map[string]any{"type": "uncommittedChanges"}, "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.", "current changes"},
		{map[string]any{"type": "baseBranch", "branch": "main"}, "Review the code changes against the base branch 'main'. The merge base commit for this comparison is BASE. Run `git diff BASE` to inspect the changes relative to main. Provide prioritized, actionable findings.", "changes against 'main'"},
		{map[string]any{"type": "baseBranch", "branch": "nosuch"}, "Review the code changes against the base branch 'nosuch'. Start by finding the merge diff between the current branch and nosuch's upstream e.g. (`git merge-base HEAD \"$(git rev-parse --abbrev-ref \"nosuch@{upstream}\")\"`), then run `git diff` against that SHA to see what changes we would merge into the nosuch branch. Provide prioritized, actionable findings.", "changes against 'nosuch'"},
		{map[string]any{"type": "commit", "sha": "0123456789abcdef", "title": "add world"}, "Review the code changes introduced by commit 0123456789abcdef (\"add world\"). Provide prioritized, actionable findings.", "commit 0123456: add world"},
		{map[string]any{"type": "commit", "sha": "0123456789abcdef", "title": nil}, "Review the code changes introduced by commit 0123456789abcdef. Provide prioritized, actionable findings.", "commit 0123456"},
		{map[string]any{"type": "custom", "instructions": "  Check X\nsecond line  "}, "Check X\nsecond line", "Check X\nsecond line"},
	}
	var turns []modelserver.Turn
	for range tests {
		turns = append(turns, turnOf(modelserver.Message("no findings")))
	}
	f := newFixture(t, turns...)
	base := gitRepo(t, f.work)
	c := f.start(t)
	th := startThread(t, c, map[string]any{})
	for _, tc := range tests {
		c.call("review/start", map[string]any{"threadId": th.Thread.ID, "target": tc.target})
		_, seen := c.until("turn/completed")
		want := strings.ReplaceAll(tc.prompt, "BASE", base)
		if texts := lastRequest(t, f.srv).texts(); texts[len(texts)-1] != "user: "+want {
			t.Errorf("%v: prompt = %q, want %q", tc.target, texts[len(texts)-1], want)
		}
		if got := completedItems(t, seen, "enteredReviewMode"); len(got) != 1 || got[0]["review"] != tc.hint {
			t.Errorf("%v: enteredReviewMode = %v, want %q", tc.target, got, tc.hint)
		}
		if got := completedItems(t, seen, "exitedReviewMode"); len(got) != 1 || got[0]["review"] != "no findings" {
			t.Errorf("%v: exitedReviewMode = %v", tc.target, got)
		}
	}
}

// gitRepo makes dir a repository on a branch off main with a commit and
// an uncommitted change; it returns main's head, the merge base.
func gitRepo(t *testing.T, dir string) string {
	t.Helper()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("commit", "-q", "--allow-empty", "-m", "init")
	base := git("rev-parse", "HEAD")
	git("checkout", "-q", "-b", "feature")
	git("commit", "-q", "--allow-empty", "-m", "feature")
	return base
}

// TestReviewStartErrors: bad review/start params get 0.169's errors
// (-32600, its wording), and start no turn.
func TestReviewStartErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t)
	th := startThread(t, c, map[string]any{})
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"target": map[string]any{"type": "uncommittedChanges"}, "delivery": "detached"}, "Invalid request: unknown variant `detached`, expected `inline`"},
		{map[string]any{"target": map[string]any{"type": "bogus"}}, "Invalid request: unknown variant `bogus`, expected one of `uncommittedChanges`, `baseBranch`, `commit`, `custom`"},
		{map[string]any{"target": map[string]any{"type": "baseBranch"}}, "Invalid request: missing field `branch`"},
		{map[string]any{"target": map[string]any{"type": "baseBranch", "branch": ""}}, "branch must not be empty"},
		{map[string]any{"target": map[string]any{"type": "commit", "sha": ""}}, "sha must not be empty"},
		{map[string]any{"target": map[string]any{"type": "custom", "instructions": "  "}}, "instructions must not be empty"},
	} {
		tc.params["threadId"] = th.Thread.ID
		m := c.callErr("review/start", tc.params)
		if m.Error == nil || m.Error.Code != -32600 || m.Error.Message != tc.want {
			t.Errorf("%v: %s, want -32600 %q", tc.params, m, tc.want)
		}
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d model requests after refused reviews", n)
	}
}

// readTurns reads the thread back (thread/read with its turns, as a
// client that resumes it does) as "status: type=text, …" per turn, text
// being a review item's review or an agent message's text.
func readTurns(t *testing.T, c *client, thread string) []string {
	t.Helper()
	var r threadResp
	c.call("thread/read", map[string]any{"threadId": thread, "includeTurns": true}).decode(t, &r)
	var out []string
	for _, tn := range r.Thread.Turns {
		var items []string
		for _, it := range tn.Items {
			s, _ := it["review"].(string)
			if it["type"] == "agentMessage" {
				s, _ = it["text"].(string)
			}
			items = append(items, it["type"].(string)+"="+s)
		}
		out = append(out, tn.Status+": "+strings.Join(items, ", "))
	}
	return out
}

// TestReviewFirstThenTurn: a review as a thread's first turn leaves the
// thread its context: the next turn's request carries the environment
// context after the review, as 0.169's does, and the rollout keeps the
// review's outcome and none of the reviewer's own context: read back, the
// review turn has 0.169's items.
func TestReviewFirstThenTurn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(modelserver.Message(reviewAnswer)), turnOf(modelserver.Message("next answer")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{})
	c.call("review/start", map[string]any{"threadId": th.Thread.ID, "target": map[string]any{"type": "custom", "instructions": "look at a.go"}})
	c.until("turn/completed")
	startTurn(t, c, th.Thread.ID, "next question")
	c.until("turn/completed")
	texts := lastRequest(t, f.srv).texts()
	var order []string
	for _, s := range texts {
		switch {
		case strings.HasPrefix(s, "user: <user_action>"):
			order = append(order, "review")
		case strings.HasPrefix(s, "user: <environment_context>"):
			order = append(order, "context")
		case s == "user: next question":
			order = append(order, "question")
		}
	}
	if got := strings.Join(order, ","); got != "review,context,question" {
		t.Errorf("next turn's request has %s, want review,context,question:\n%s", got, strings.Join(texts, "\n"))
	}
	rollout, err := os.ReadFile(th.Thread.Path)
	if err != nil {
		t.Fatal(err)
	}
	// The rollout escapes < as \u003c.
	if strings.Count(string(rollout), `\u003cenvironment_context`) != 1 || strings.Contains(string(rollout), `"text":"look at a.go"`) || !strings.Contains(string(rollout), `\u003cuser_action`) {
		t.Errorf("rollout:\n%s", rollout)
	}
	want := []string{"completed: enteredReviewMode=look at a.go, exitedReviewMode=" + reviewText + ", agentMessage=" + reviewText,
		"completed: userMessage=, agentMessage=next answer"}
	if got := readTurns(t, c, th.Thread.ID); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("thread/read turns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReviewAsksNoApproval: the reviewer's commands never ask the client,
// whatever the thread's approval policy (0.169 runs its reviewer with
// approval policy never).
func TestReviewAsksNoApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, turnOf(execCall("r1", "touch reviewed.txt")), turnOf(modelserver.Message("Plain review.")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{"sandbox": "workspace-write", "approvalPolicy": "untrusted"})
	c.call("review/start", map[string]any{"threadId": th.Thread.ID, "target": map[string]any{"type": "uncommittedChanges"}})
	var seen []msg
	for {
		m := c.next()
		seen = append(seen, m)
		if m.Method == "item/commandExecution/requestApproval" {
			t.Errorf("the reviewer asked for approval: %s", m)
			c.reply(m, map[string]any{"decision": "decline"})
		}
		if m.Method == "turn/completed" {
			break
		}
	}
	if got := completedItems(t, seen, "commandExecution"); len(got) != 1 {
		t.Errorf("the reviewer's command: %v", got)
	}
	if got := completedItems(t, seen, "exitedReviewMode"); len(got) != 1 || got[0]["review"] != "Plain review." {
		t.Errorf("exitedReviewMode = %v", got)
	}
}

// TestReviewInterrupted: an interrupted review ends as 0.169's does: the
// exitedReviewMode item without a review, a message saying it was
// interrupted, the turn interrupted; the thread's next turn is told of
// it; read back, the turn has those items.
func TestReviewInterrupted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, modelserver.Turn{Hang: true}, turnOf(modelserver.Message("after")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{})
	var rv struct {
		Turn struct {
			ID string `json:"id"`
		} `json:"turn"`
	}
	// The interrupt comes once the reviewer's request took the hanging
	// answer (before it, the next turn would get that answer).
	asked := make(chan struct{}, 2)
	f.srv.OnRequest(func(modelserver.Request) { asked <- struct{}{} })
	c.call("review/start", map[string]any{"threadId": th.Thread.ID, "target": map[string]any{"type": "uncommittedChanges"}}).decode(t, &rv)
	select {
	case <-asked:
	case <-time.After(90 * time.Second):
		t.Fatal("the reviewer never asked the model")
	}
	c.call("turn/interrupt", map[string]any{"threadId": th.Thread.ID, "turnId": rv.Turn.ID})
	done, seen := c.until("turn/completed")
	var tn turnNote
	done.decode(t, &tn)
	if tn.Turn.Status != "interrupted" {
		t.Errorf("turn status %q", tn.Turn.Status)
	}
	if got := completedItems(t, seen, "exitedReviewMode"); len(got) != 1 || got[0]["review"] != "Reviewer failed to output a response." {
		t.Errorf("exitedReviewMode = %v", got)
	}
	const said = "Review was interrupted. Please re-run /review and wait for it to complete."
	if got := completedItems(t, seen, "agentMessage"); len(got) != 1 || got[0]["text"] != said {
		t.Errorf("agent messages = %v", got)
	}
	startTurn(t, c, th.Thread.ID, "next question")
	c.until("turn/completed")
	next := strings.Join(lastRequest(t, f.srv).texts(), "\n")
	action := "user: <user_action>\n  <context>User initiated a review task, but was interrupted. If user asks about this, tell them to re-initiate a review with `/review` and wait for it to complete.</context>\n" +
		"  <action>review</action>\n  <results>\n  None.\n  </results>\n</user_action>\n\n\nassistant: " + said + "\n"
	if !strings.Contains(next, action) {
		t.Errorf("the next turn's request:\n%s", next)
	}
	want := []string{"interrupted: enteredReviewMode=current changes, exitedReviewMode=Reviewer failed to output a response., agentMessage=" + said,
		"completed: userMessage=, agentMessage=after"}
	if got := readTurns(t, c, th.Thread.ID); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("thread/read turns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
