package appserver

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"

	"github.com/codexgo/codex-agent/session"
	"github.com/codexgo/common/protocol"
)

// reviewTarget is review/start's target, as sent.
type reviewTarget struct {
	Type         *string `json:"type"`
	Branch       *string `json:"branch"`
	Sha          *string `json:"sha"`
	Title        *string `json:"title"`
	Instructions *string `json:"instructions"`
}

// reviewTargetTypes are the targets review/start knows, in 0.169's order
// (its error message lists them).
const reviewTargetTypes = "`uncommittedChanges`, `baseBranch`, `commit`, `custom`"

// reviewRequest is the review's prompt for the model and the hint the
// enteredReviewMode item shows, as Codex CLI 0.169 words them (captured
// from its requests to a local model server). cwd is where a base
// branch's merge base is looked up. Errors are 0.169's, word for word.
func reviewRequest(t reviewTarget, cwd string) (prompt, hint string, err error) {
	field := func(p *string, name string) (string, error) {
		if p == nil {
			return "", invalidRequest("Invalid request: missing field `%s`", name)
		}
		if strings.TrimSpace(*p) == "" {
			return "", invalidRequest("%s must not be empty", name)
		}
		return strings.TrimSpace(*p), nil
	}
	if t.Type == nil {
		return "", "", invalidRequest("Invalid request: missing field `type`")
	}
	switch *t.Type {
	case "uncommittedChanges":
		return "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.", "current changes", nil
	case "baseBranch":
		branch, err := field(t.Branch, "branch")
		if err != nil {
			return "", "", err
		}
		hint = "changes against '" + branch + "'"
		if base := mergeBase(cwd, branch); base != "" {
			return "Review the code changes against the base branch '" + branch + "'. The merge base commit for this comparison is " + base +
				". Run `git diff " + base + "` to inspect the changes relative to " + branch + ". Provide prioritized, actionable findings.", hint, nil
		}
		return "Review the code changes against the base branch '" + branch + "'. Start by finding the merge diff between the current branch and " + branch +
			"'s upstream e.g. (`git merge-base HEAD \"$(git rev-parse --abbrev-ref \"" + branch + "@{upstream}\")\"`), then run `git diff` against that SHA to see what changes we would merge into the " +
			branch + " branch. Provide prioritized, actionable findings.", hint, nil
	case "commit":
		sha, err := field(t.Sha, "sha")
		if err != nil {
			return "", "", err
		}
		short := sha
		if len(short) > 7 {
			short = short[:7]
		}
		if t.Title != nil && strings.TrimSpace(*t.Title) != "" {
			title := strings.TrimSpace(*t.Title)
			return "Review the code changes introduced by commit " + sha + " (\"" + title + "\"). Provide prioritized, actionable findings.", "commit " + short + ": " + title, nil
		}
		return "Review the code changes introduced by commit " + sha + ". Provide prioritized, actionable findings.", "commit " + short, nil
	case "custom":
		// The instructions are the prompt as they are: the review
		// guidelines come with every review (session.ReviewOp).
		text, err := field(t.Instructions, "instructions")
		return text, text, err
	}
	return "", "", invalidRequest("Invalid request: unknown variant `%s`, expected one of %s", *t.Type, reviewTargetTypes)
}

// mergeBase is the merge base of HEAD and branch in cwd, or "" when git
// cannot tell (no repository, no such branch).
func mergeBase(cwd, branch string) string {
	cmd := exec.Command("git", "merge-base", "HEAD", branch)
	cmd.Dir = cwd
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// reviewStart runs a review inline on the thread (the only delivery
// 0.169 takes): enteredReviewMode, the reviewer's turn on a context of
// its own, then exitedReviewMode and the review as the final message.
func (s *server) reviewStart(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID string          `json:"threadId"`
		Target   json.RawMessage `json:"target"`
		Delivery *string         `json:"delivery"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if len(p.Target) == 0 || string(p.Target) == "null" {
		return nil, invalidRequest("Invalid request: missing field `target`")
	}
	var target reviewTarget
	if err := json.Unmarshal(p.Target, &target); err != nil {
		return nil, invalidRequest("Invalid request: %v", err)
	}
	if p.Delivery != nil && *p.Delivery != "inline" {
		return nil, invalidRequest("Invalid request: unknown variant `%s`, expected `inline`", *p.Delivery)
	}
	th, err := s.loaded(p.ThreadID)
	if err != nil {
		return nil, err
	}
	th.mu.Lock()
	cwd := th.meta.Cwd
	th.mu.Unlock()
	prompt, hint, err := reviewRequest(target, cwd)
	if err != nil {
		return nil, err
	}
	input, _ := json.Marshal(map[string]any{"type": "text", "text": prompt, "text_elements": []any{}})
	t, err := th.beginTurn([]json.RawMessage{input}, func() protocol.Op {
		return session.ReviewOp{Prompt: prompt, Hint: hint}
	}, false, hint)
	if err != nil {
		return nil, err
	}
	// The turn as 0.169 answers it: its one item the hint, as a user
	// message with the turn's id.
	turn := t.object()
	turn["items"] = []any{map[string]any{"type": "userMessage", "id": t.id,
		"content": []any{map[string]any{"type": "text", "text": hint, "text_elements": []any{}}}}}
	return then{map[string]any{"reviewThreadId": th.id, "turn": turn}, t.release}, nil
}

// reviewEntered opens a review turn: the enteredReviewMode item, started
// and completed, before the turn starts.
func reviewEntered(t *turnState, started, completed func(map[string]any)) {
	item := map[string]any{"type": "enteredReviewMode", "id": t.nextID("review"), "review": t.review}
	started(item)
	completed(item)
}

// reviewExited closes a review that ended with the reviewer's answer:
// exitedReviewMode with the review, then the review as the turn's agent
// message.
func reviewExited(t *turnState, answer string, started, completed func(map[string]any)) {
	text := session.ReviewText(answer)
	exited := map[string]any{"type": "exitedReviewMode", "id": t.nextID("review"), "review": text}
	started(exited)
	completed(exited)
	msg := map[string]any{"type": "agentMessage", "id": t.nextID("msg"), "text": text}
	started(msg)
	completed(msg)
}

// reviewInterrupted closes an interrupted review as 0.169 does: the
// exitedReviewMode item without a review, then a message saying so.
func reviewInterrupted(t *turnState, started, completed func(map[string]any)) {
	exited := map[string]any{"type": "exitedReviewMode", "id": t.nextID("review"), "review": session.ReviewText("")}
	started(exited)
	completed(exited)
	msg := map[string]any{"type": "agentMessage", "id": t.nextID("msg"), "text": session.ReviewInterrupted}
	started(msg)
	completed(msg)
}
