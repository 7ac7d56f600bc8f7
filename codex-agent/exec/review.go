package exec

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/codexgo/codex-agent/session"
	"github.com/codexgo/common/protocol"
)

// plainErr is an error shown as it is, without "Error: ", exiting with
// code: the Codex CLI's own wording for command lines its parser refuses
// (exit 2) and for an empty prompt on stdin (exit 1).
type plainErr struct {
	msg  string
	code int
}

func (e plainErr) Error() string { return e.msg }

// clapConflict is 0.169's refusal of two review targets together (its
// argument parser's words, usage line included); name is the command as
// the user typed it ("codex exec review" or "codex review").
func clapConflict(name, arg, other, usage string) error {
	return plainErr{fmt.Sprintf("error: the argument '%s' cannot be used with '%s'\n\nUsage: %s %s [PROMPT]\n\nFor more information, try '--help'.", arg, other, name, usage), 2}
}

// errNoReviewTarget is 0.169's error for a review of nothing.
var errNoReviewTarget = errors.New("Specify --uncommitted, --base, --commit, or provide custom review instructions") //nolint:staticcheck // the Codex CLI's message

// reviewTarget is what `codex exec review` reviews, as 0.169 reads its
// command line: one of --uncommitted, --base, --commit or PROMPT (the
// reviewer's instructions; "-" reads them from stdin). Nothing is an
// error; so are two together.
func reviewTarget(name string, f execFlags, pos []string, stdin io.Reader) (session.ReviewTarget, error) {
	type arg struct{ name, usage string }
	var given []arg
	if f.uncommitted {
		given = append(given, arg{"--uncommitted", "--uncommitted"})
	}
	if f.base != "" {
		given = append(given, arg{"--base <BRANCH>", "--base <BRANCH>"})
	}
	if f.commit != "" {
		given = append(given, arg{"--commit <SHA>", "--commit <SHA>"})
	}
	if len(pos) == 1 {
		given = append(given, arg{"[PROMPT]", ""})
	}
	if len(given) > 1 {
		return session.ReviewTarget{}, clapConflict(name, given[0].name, given[1].name, given[0].usage)
	}
	if f.title != "" && f.commit == "" {
		return session.ReviewTarget{}, plainErr{"error: the following required arguments were not provided:\n  --commit <SHA>\n\nUsage: " + name + " --commit <SHA> --title <TITLE> [PROMPT]\n\nFor more information, try '--help'.", 2}
	}
	switch {
	case f.uncommitted:
		return session.ReviewTarget{Kind: session.ReviewUncommitted}, nil
	case f.base != "":
		return session.ReviewTarget{Kind: session.ReviewBaseBranch, Branch: f.base}, nil
	case f.commit != "":
		return session.ReviewTarget{Kind: session.ReviewCommit, Sha: f.commit, Title: f.title}, nil
	case len(pos) == 1 && pos[0] == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return session.ReviewTarget{}, fmt.Errorf("read prompt from stdin: %w", err)
		}
		text := strings.TrimSpace(string(b))
		if text == "" {
			return session.ReviewTarget{}, plainErr{"No prompt provided via stdin.", 1}
		}
		return session.ReviewTarget{Kind: session.ReviewCustom, Instructions: text}, nil
	case len(pos) == 1:
		return session.ReviewTarget{Kind: session.ReviewCustom, Instructions: pos[0]}, nil
	}
	return session.ReviewTarget{}, errNoReviewTarget
}

// reviewView is what `codex exec review` shows of the review's events, as
// 0.169 does: the reviewer's commands, but neither its raw answer nor its
// usage (the reviewer is not the thread); when it answered, the review
// (session.ReviewText, the app-server's exitedReviewMode text) as the
// final message.
type reviewView struct{ failed bool }

// events maps one event of the review's turn to those shown.
func (v *reviewView) events(ev protocol.Event) []protocol.Event {
	switch e := ev.Msg.(type) {
	case protocol.AgentMessageMsg, protocol.AgentMessageDeltaMsg, protocol.TokenCountMsg:
		return nil
	case protocol.ErrorMsg:
		v.failed = true
	case protocol.TaskCompleteMsg:
		if !v.failed {
			text := session.ReviewText(e.LastAgentMessage)
			return []protocol.Event{{ID: ev.ID, Msg: protocol.AgentMessageMsg{Message: text}},
				{ID: ev.ID, Msg: protocol.TaskCompleteMsg{LastAgentMessage: text}}}
		}
	}
	return []protocol.Event{ev}
}
