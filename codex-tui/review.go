package tui

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"time"

	"github.com/codexgo/codex-tui/internal/appconn"
)

// startReview shows what is reviewed and starts the review (review/start),
// which runs as a turn that cannot be steered.
func (m *model) startReview(summary string, target appconn.ReviewTarget) {
	m.print(userCell{text: "/review " + summary})
	m.submit(appconn.ReviewOp{Target: target})
	m.reviewing = true
	if !m.running {
		m.running, m.turnStart = true, m.env.now()
	}
}

// customReview is the target of `/review TEXT`: the text as it is. The
// server sends it as the review's prompt with the review guidelines every
// review gets (as the Codex CLI 0.169's app-server and codex-agent's do),
// so wrapping it here would ask twice.
func customReview(text string) appconn.ReviewTarget {
	return appconn.ReviewTarget{Type: "custom", Instructions: text}
}

// reviewMode shows a review's start and end as the Codex CLI does: a
// banner with what is reviewed; at the end the review's text (unless it
// is the answer already printed) and a closing banner.
func (m *model) reviewMode(e appconn.ReviewModeMsg) {
	m.flushReasoning()
	m.finishStream()
	if e.Entered {
		m.reviewing = true
		m.print(bannerCell{">> Code review started: " + e.Review + " <<"})
		return
	}
	if text := strings.TrimSpace(e.Review); text != "" && text != strings.TrimSpace(m.lastAnswer) {
		var s mdStream
		m.streamFirst = true
		m.printSegments(s.Push(text + "\n"))
		m.printSegments(s.Finish())
		m.lastAnswer = text
		m.reviewEcho = text
	}
	m.streamFirst = true
	m.reviewing = false
	m.print(bannerCell{"<< Code review finished >>"})
}

// bannerCell is a one-line status in the transcript (a review's start
// and end).
type bannerCell struct{ text string }

func (c bannerCell) Render(p *painter, width int) string {
	return p.th.accent.Render(wrapPlain(c.text, innerWidth(width, 0)))
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
			m.startReview("uncommitted changes", appconn.ReviewTarget{Type: "uncommittedChanges"})
		case 1:
			m.picker = m.gitPicker("Select a base branch", []string{"for-each-ref", "--format=%(refname:short)", "refs/heads"},
				func(line string) (string, string) { return line, "" },
				func(m *model, name, _ string) {
					m.startReview("against "+name, appconn.ReviewTarget{Type: "baseBranch", Branch: name})
				})
		case 2:
			m.picker = m.gitPicker("Select a commit to review", []string{"log", "--format=%h%x00%s", "-n", "20"},
				func(line string) (string, string) {
					sha, subject, _ := strings.Cut(line, "\x00")
					return sha, subject
				},
				func(m *model, sha, subject string) {
					m.startReview("commit "+sha, appconn.ReviewTarget{Type: "commit", Sha: sha, Title: subject})
				})
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
