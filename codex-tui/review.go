package tui

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"time"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/review"
)

// startReview shows what is reviewed and sends the review as a turn.
func (m *model) startReview(summary, target string) {
	m.print(userCell{text: "/review " + summary})
	m.submit(protocol.UserInputOp{Items: protocol.TextInput(review.Prompt(target))})
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
			m.startReview("uncommitted changes", review.Uncommitted)
		case 1:
			m.picker = m.gitPicker("Select a base branch", []string{"for-each-ref", "--format=%(refname:short)", "refs/heads"},
				func(line string) (string, string) { return line, "" },
				func(m *model, name, _ string) { m.startReview("against "+name, review.Base(name)) })
		case 2:
			m.picker = m.gitPicker("Select a commit to review", []string{"log", "--format=%h%x00%s", "-n", "20"},
				func(line string) (string, string) {
					sha, subject, _ := strings.Cut(line, "\x00")
					return sha, subject
				},
				func(m *model, sha, subject string) { m.startReview("commit "+sha, review.Commit(sha, subject)) })
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
