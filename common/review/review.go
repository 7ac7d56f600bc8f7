// Package review builds the request for a code review by the agent:
// which changes to look at and what to report. The TUI's /review and
// codex exec review send the same text.
package review

// Prompt is the review request for target, a sentence saying which
// changes to review.
func Prompt(target string) string {
	return `Review code changes as a careful senior engineer would. Do not modify any file: read and run read-only commands only.

What to review: ` + target + `

Use git to see the changes (git status, git diff, git diff --cached, git show; read untracked files directly) and open the surrounding code where a change needs context.
Report only problems the author would want to fix before merging: bugs, regressions, security issues, data loss, race conditions, missing error handling, broken or missing tests, misleading names or comments. Skip style nits.
For each finding give: a priority (P0 blocks release, P1 should fix now, P2 should fix, P3 minor), the file and line, what goes wrong and when, and a suggested fix. List them most severe first.
End with one line: "Verdict: correct" if nothing needs changing, else "Verdict: needs changes".`

}

// Uncommitted is the target for the working tree's changes.
const Uncommitted = "The uncommitted changes in the working tree: staged, unstaged and untracked files."

// Base is the target for the current branch reviewed against base.
func Base(base string) string {
	return "The changes of the current branch against `" + base + "`: diff from the merge base (`git merge-base HEAD " + base +
		"`) to the working tree, uncommitted changes included."
}

// Commit is the target for one commit; subject may be empty.
func Commit(sha, subject string) string {
	if subject == "" {
		return "The changes introduced by commit " + sha + ": `git show " + sha + "`."
	}
	return "The changes introduced by commit " + sha + " (\"" + subject + "\"): `git show " + sha + "`."
}
