package session

import (
	"errors"
	"os/exec"
	"strings"
)

// Review target kinds, as the app-server's review/start names them.
const (
	ReviewUncommitted = "uncommittedChanges"
	ReviewBaseBranch  = "baseBranch"
	ReviewCommit      = "commit"
	ReviewCustom      = "custom"
)

// ReviewTarget is what a review looks at: the working tree's uncommitted
// changes, the current branch against Branch, commit Sha (with its
// optional Title), or the reviewer's own Instructions. The app-server's
// review/start and `codex exec review` both build their review from one.
type ReviewTarget struct {
	Kind         string
	Branch       string
	Sha          string
	Title        string
	Instructions string
}

// ReviewRequest is the review of t as Codex CLI 0.169 asks for it (its
// prompts and hints, captured from its requests to a local model server):
// the prompt the reviewer gets and the hint that says what is reviewed.
// cwd is where a base branch's merge base is looked up. A field the kind
// needs that is empty is an error ("branch must not be empty", 0.169's
// words).
func ReviewRequest(t ReviewTarget, cwd string) (ReviewOp, error) {
	field := func(v, name string) (string, error) {
		if v = strings.TrimSpace(v); v == "" {
			return "", errors.New(name + " must not be empty")
		}
		return v, nil
	}
	switch t.Kind {
	case ReviewUncommitted:
		return ReviewOp{Prompt: "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.", Hint: "current changes"}, nil
	case ReviewBaseBranch:
		branch, err := field(t.Branch, "branch")
		if err != nil {
			return ReviewOp{}, err
		}
		hint := "changes against '" + branch + "'"
		if base := mergeBase(cwd, branch); base != "" {
			return ReviewOp{Prompt: "Review the code changes against the base branch '" + branch + "'. The merge base commit for this comparison is " + base +
				". Run `git diff " + base + "` to inspect the changes relative to " + branch + ". Provide prioritized, actionable findings.", Hint: hint}, nil
		}
		return ReviewOp{Prompt: "Review the code changes against the base branch '" + branch + "'. Start by finding the merge diff between the current branch and " + branch +
			"'s upstream e.g. (`git merge-base HEAD \"$(git rev-parse --abbrev-ref \"" + branch + "@{upstream}\")\"`), then run `git diff` against that SHA to see what changes we would merge into the " +
			branch + " branch. Provide prioritized, actionable findings.", Hint: hint}, nil
	case ReviewCommit:
		sha, err := field(t.Sha, "sha")
		if err != nil {
			return ReviewOp{}, err
		}
		short := sha
		if len(short) > 7 {
			short = short[:7]
		}
		if title := strings.TrimSpace(t.Title); title != "" {
			return ReviewOp{Prompt: "Review the code changes introduced by commit " + sha + " (\"" + title + "\"). Provide prioritized, actionable findings.", Hint: "commit " + short + ": " + title}, nil
		}
		return ReviewOp{Prompt: "Review the code changes introduced by commit " + sha + ". Provide prioritized, actionable findings.", Hint: "commit " + short}, nil
	case ReviewCustom:
		// The instructions are the prompt as they are: the review
		// guidelines come with every review (ReviewOp).
		text, err := field(t.Instructions, "instructions")
		return ReviewOp{Prompt: text, Hint: text}, err
	}
	return ReviewOp{}, errors.New("unknown review target " + t.Kind)
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
