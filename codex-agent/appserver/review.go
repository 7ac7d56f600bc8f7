package appserver

import (
	"context"
	"encoding/json"

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

// reviewRequest is the review of t (session.ReviewRequest builds it,
// for `codex exec review` too): the prompt for the model and the hint
// the enteredReviewMode item shows. cwd is where a base branch's merge
// base is looked up. Errors are 0.169's, word for word.
func reviewRequest(t reviewTarget, cwd string) (prompt, hint string, err error) {
	if t.Type == nil {
		return "", "", invalidRequest("Invalid request: missing field `type`")
	}
	// The fields each kind needs, as JSON: one missing is a decoding
	// error; one empty is the session's.
	need := map[string][]struct {
		p    *string
		name string
	}{
		session.ReviewUncommitted: nil,
		session.ReviewBaseBranch:  {{t.Branch, "branch"}},
		session.ReviewCommit:      {{t.Sha, "sha"}},
		session.ReviewCustom:      {{t.Instructions, "instructions"}},
	}
	fields, ok := need[*t.Type]
	if !ok {
		return "", "", invalidRequest("Invalid request: unknown variant `%s`, expected one of %s", *t.Type, reviewTargetTypes)
	}
	for _, f := range fields {
		if f.p == nil {
			return "", "", invalidRequest("Invalid request: missing field `%s`", f.name)
		}
	}
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	op, err := session.ReviewRequest(session.ReviewTarget{Kind: *t.Type, Branch: val(t.Branch), Sha: val(t.Sha),
		Title: val(t.Title), Instructions: val(t.Instructions)}, cwd)
	if err != nil {
		return "", "", invalidRequest("%s", err.Error())
	}
	return op.Prompt, op.Hint, nil
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
