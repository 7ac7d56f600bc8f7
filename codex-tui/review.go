package tui

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"time"

	"github.com/codexgo/common/protocol"
)

// reviewPrompt asks the agent for a code review of target (a sentence
// saying which changes), reading, not editing.
func reviewPrompt(target string) string {
	return `Review code changes as a careful senior engineer would. Do not modify any file: read and run read-only commands only.

What to review: ` + target + `

Use git to see the changes (git status, git diff, git diff --cached, git show; read untracked files directly) and open the surrounding code where a change needs context.
Report only problems the author would want to fix before merging: bugs, regressions, security issues, data loss, race conditions, missing error handling, broken or missing tests, misleading names or comments. Skip style nits.
For each finding give: a priority (P0 blocks release, P1 should fix now, P2 should fix, P3 minor), the file and line, what goes wrong and when, and a suggested fix. List them most severe first.
End with one line: "Verdict: correct" if nothing needs changing, else "Verdict: needs changes".`
}

// Review targets, as the picker offers them.
const (
	reviewUncommitted = "The uncommitted changes in the working tree: staged, unstaged and untracked files."
)

// reviewBase is the target for a branch reviewed against base.
func reviewBase(base string) string {
	return "The changes of the current branch against `" + base + "`: diff from the merge base (`git merge-base HEAD " + base +
		"`) to the working tree, uncommitted changes included."
}

// reviewCommit is the target for one commit.
func reviewCommit(sha, subject string) string {
	return "The changes introduced by commit " + sha + " (\"" + subject + "\"): `git show " + sha + "`."
}

// startReview shows what is reviewed and sends the review as a turn.
func (m *model) startReview(summary, target string) {
	m.print(userCell{text: "/review " + summary})
	m.submit(protocol.UserInputOp{Items: protocol.TextInput(reviewPrompt(target))})
}

// reviewPicker offers what to review.
func reviewPicker() *picker {
	p := &picker{title: "Select a review preset", items: []popupItem{
		{"Review uncommitted changes", "staged, unstaged and untracked files"},
		{"Review against a base branch", "what this branch changes, like a pull request"},
		{"Review a commit", "one of the recent commits"},
		{"Custom review instructions", "type what to look at after /review"},
	}}
	p.apply = func(m *model, i int) {
		switch i {
		case 0:
			m.startReview("uncommitted changes", reviewUncommitted)
		case 1:
			m.picker = m.gitPicker("Select a base branch", []string{"for-each-ref", "--format=%(refname:short)", "refs/heads"},
				func(line string) (string, string) { return line, "" },
				func(m *model, name, _ string) { m.startReview("against "+name, reviewBase(name)) })
		case 2:
			m.picker = m.gitPicker("Select a commit to review", []string{"log", "--format=%h%x00%s", "-n", "20"},
				func(line string) (string, string) {
					sha, subject, _ := strings.Cut(line, "\x00")
					return sha, subject
				},
				func(m *model, sha, subject string) { m.startReview("commit "+sha, reviewCommit(sha, subject)) })
		case 3:
			m.comp.Insert("/review ")
		}
	}
	return p
}

// gitPicker lists the lines git prints (split into name and description
// by split) and runs pick with the chosen one; without a repository (or
// with nothing to list) it says so instead and returns nil.
func (m *model) gitPicker(title string, args []string, split func(string) (string, string), pick func(m *model, name, desc string)) *picker {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", m.env.cwd}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		m.print(noticeCell{"error", "/review needs a git repository: " + msg})
		return nil
	}
	p := &picker{title: title}
	var names, descs []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		name, desc := split(line)
		names, descs = append(names, name), append(descs, desc)
		p.items = append(p.items, popupItem{name, desc})
	}
	if len(p.items) == 0 {
		m.print(noticeCell{"error", "/review: nothing to choose from here"})
		return nil
	}
	p.apply = func(m *model, i int) { pick(m, names[i], descs[i]) }
	return p
}
