package session

import (
	"context"
	_ "embed" // the review guidelines
	"encoding/json"
	"strconv"
	"strings"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
)

// reviewGuidelines are a review turn's instructions in place of the base
// instructions: the text Codex CLI 0.169 sends its review sub-agent as its
// first developer message (captured from its requests to a local model
// server).
//
//go:embed review_guidelines.md
var reviewGuidelines string

// ReviewOp runs a code review (the app-server's review/start and `codex
// exec review`; ReviewRequest builds it): the model
// sees a context of its own — the review guidelines as its instructions,
// the session's initial context and Prompt — and none of the thread's history. When it ends the
// thread's history gains the review (ReviewText) as a user action and an
// assistant message, as 0.169 records it, and nothing else of the review.
type ReviewOp struct {
	Prompt string `json:"prompt"`
	// Hint says what is reviewed (the enteredReviewMode item's review);
	// the rollout keeps it, so a thread read back shows the review.
	Hint string `json:"hint"`
}

// OpType names the op.
func (ReviewOp) OpType() string { return "review" }

// noReview is the review text when the reviewer said nothing usable.
const noReview = "Reviewer failed to output a response."

// ReviewInterrupted is the message that ends an interrupted review (0.169's
// words).
const ReviewInterrupted = "Review was interrupted. Please re-run /review and wait for it to complete."

// reviewFinding is one finding of the reviewer's JSON answer.
type reviewFinding struct {
	Title        string `json:"title"`
	Body         string `json:"body"`
	CodeLocation struct {
		Path      string `json:"absolute_file_path"`
		LineRange struct {
			Start int `json:"start"`
			End   int `json:"end"`
		} `json:"line_range"`
	} `json:"code_location"`
}

// reviewOutput is the reviewer's JSON answer (the schema the guidelines
// ask for); the fields the review text shows.
type reviewOutput struct {
	Findings    []reviewFinding `json:"findings"`
	Explanation string          `json:"overall_explanation"`
}

// parseReview reads the reviewer's answer: JSON, or JSON inside other
// text (a fenced block); anything else is the explanation itself.
func parseReview(answer string) reviewOutput {
	var out reviewOutput
	if json.Unmarshal([]byte(answer), &out) == nil {
		return out
	}
	if i, j := strings.Index(answer, "{"), strings.LastIndex(answer, "}"); i >= 0 && j > i {
		if json.Unmarshal([]byte(answer[i:j+1]), &out) == nil {
			return out
		}
	}
	return reviewOutput{Explanation: answer}
}

// ReviewText is what a review reports, from the reviewer's last answer:
// the overall explanation, then the findings ("- TITLE — PATH:START-END"
// and the body indented), as 0.169's exitedReviewMode item and final
// message show it.
func ReviewText(answer string) string {
	out := parseReview(answer)
	var parts []string
	if e := strings.TrimSpace(out.Explanation); e != "" {
		parts = append(parts, e)
	}
	if len(out.Findings) > 0 {
		var b strings.Builder
		if len(out.Findings) == 1 {
			b.WriteString("Review comment:")
		} else {
			b.WriteString("Full review comments:")
		}
		for _, f := range out.Findings {
			loc := f.CodeLocation
			b.WriteString("\n\n- " + f.Title + " — " + loc.Path + ":" + strconv.Itoa(loc.LineRange.Start) + "-" + strconv.Itoa(loc.LineRange.End))
			for _, line := range strings.Split(f.Body, "\n") {
				b.WriteString("\n  " + line)
			}
		}
		parts = append(parts, b.String())
	}
	if len(parts) == 0 {
		return noReview
	}
	return strings.Join(parts, "\n\n")
}

// reviewInterruptedRecord is what the thread's history keeps of an
// interrupted review (0.169's text, its layout included).
func reviewInterruptedRecord() []model.Item {
	action := "<user_action>\n  <context>User initiated a review task, but was interrupted. If user asks about this, tell them to re-initiate a review with `/review` and wait for it to complete.</context>\n" +
		"  <action>review</action>\n  <results>\n  None.\n  </results>\n</user_action>\n\n"
	return []model.Item{model.UserMessage(action), model.AssistantMessage(ReviewInterrupted)}
}

// reviewRecord is what the thread's history keeps of a review.
func reviewRecord(text string) []model.Item {
	action := "<user_action>\n  <context>User initiated a review task. Here's the full review output from reviewer model. User may select one or more comments to resolve.</context>\n" +
		"  <action>review</action>\n  <results>\n  " + text + "\n  </results>\n  </user_action>\n"
	return []model.Item{model.UserMessage(action), model.AssistantMessage(text)}
}

// reviewRun is a running review's state: the thread's history and
// approval policy it set aside and, once the reviewer answered, its last
// answer.
type reviewRun struct {
	history  []model.Item
	approval protocol.AskForApproval
	hint     string
	done     bool
	answer   string
	// ended says endReview ran (it runs once, before the turn's last
	// event when the turn got that far).
	ended bool
}

// beginReview sets the thread's history aside and gives the review a
// context of its own, which is not recorded in the rollout. The reviewer
// asks for no approval (the thread's sandbox stays), as 0.169's does, and
// its context says so.
func (s *Session) beginReview(hint string) *reviewRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	rv := &reviewRun{history: s.history, approval: s.cfg.ApprovalPolicy, hint: hint}
	s.cfg.ApprovalPolicy = protocol.ApprovalNever
	s.history = nil
	for _, it := range s.cfg.InitialContext {
		s.history = append(s.history, reviewContext(it, s.cfg.Sandbox, s.cfg.ApprovalPolicy))
	}
	s.reviewing = true
	return rv
}

// reviewContext is an item of the thread's initial context as the
// reviewer gets it: the permissions message and the environment context's
// approval policy are the reviewer's (sp, ap).
func reviewContext(it model.Item, sp protocol.SandboxPolicy, ap protocol.AskForApproval) model.Item {
	out := it
	out.Content = nil
	for _, c := range it.Content {
		switch {
		case strings.HasPrefix(c.Text, "<permissions instructions>"):
			c.Text = PermissionsText(sp, ap)
		case strings.HasPrefix(c.Text, "<environment_context>"):
			lines := strings.Split(c.Text, "\n")
			for i, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), "<approval_policy>") {
					lines[i] = "  <approval_policy>" + string(ap) + "</approval_policy>"
				}
			}
			c.Text = strings.Join(lines, "\n")
		}
		out.Content = append(out.Content, c)
	}
	return out
}

// endReview puts the thread's history back, with the review's outcome
// when the reviewer answered, or word of the interruption when ctx (the
// turn's) was cancelled. A thread that had no history yet still
// gets its initial context at its next turn. The thread's approval
// policy comes back.
func (s *Session) endReview(ctx context.Context, rv *reviewRun) {
	if rv == nil || rv.ended {
		return
	}
	rv.ended = true
	s.mu.Lock()
	s.history = rv.history
	s.cfg.ApprovalPolicy = rv.approval
	s.reviewing = false
	if len(rv.history) == 0 {
		s.needContext = true
	}
	s.mu.Unlock()
	switch {
	case rv.done:
		text := ReviewText(rv.answer)
		s.recordReviewEnd(text)
		s.appendHistory(reviewRecord(text)...)
	case ctx.Err() != nil:
		s.recordReviewEnd(ReviewText(""))
		s.appendHistory(reviewInterruptedRecord()...)
	}
}

// recordReviewStart records the review's start in the rollout, inside
// its turn.
func (s *Session) recordReviewStart(rv *reviewRun) {
	if rv != nil && s.cfg.Recorder != nil {
		s.cfg.Recorder.reviewMode("entered_review_mode", "user_facing_hint", rv.hint)
	}
}

// recordReviewEnd records the review's end in the rollout.
func (s *Session) recordReviewEnd(text string) {
	if s.cfg.Recorder != nil {
		s.cfg.Recorder.reviewMode("exited_review_mode", "review", text)
	}
}
