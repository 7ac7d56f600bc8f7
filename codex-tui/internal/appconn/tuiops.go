package appconn

// Submissions and events the app-server has and the agent protocol
// (common/protocol) does not: the TUI's model sends and receives them
// through the same Conn as the others.

// SteerResultMsg answers a protocol.SteerOp: whether its input reached
// the running turn (turn/steer), by the submission's id. A refused steer
// (no turn running, a review or a compaction, which the server will not
// steer) is the TUI's to queue for the next turn.
type SteerResultMsg struct {
	SubmissionID string
	Accepted     bool
	// Reason says why it was refused.
	Reason string
}

// MsgType names the event.
func (SteerResultMsg) MsgType() string { return "codex_tui_steer_result" }

// ReviewOp starts a code review of Target in the thread (review/start);
// the review runs as a turn of it.
type ReviewOp struct {
	Target ReviewTarget
}

// OpType names the submission.
func (ReviewOp) OpType() string { return "codex_tui_review" }

// ReviewTarget is what a review looks at, as review/start's target:
// Type "uncommittedChanges", "baseBranch" (Branch), "commit" (Sha, and
// Title for UIs) or "custom" (Instructions).
type ReviewTarget struct {
	Type         string
	Branch       string
	Sha          string
	Title        string
	Instructions string
}

// ReviewModeMsg is an enteredReviewMode (Entered) or exitedReviewMode
// item: Review is what the review looks at, or, leaving, the review's
// findings as text.
type ReviewModeMsg struct {
	Entered bool
	Review  string
}

// MsgType names the event.
func (ReviewModeMsg) MsgType() string { return "codex_tui_review_mode" }

// params is review/start's params for t.
func (t ReviewTarget) params() map[string]any {
	out := map[string]any{"type": t.Type}
	switch t.Type {
	case "baseBranch":
		out["branch"] = t.Branch
	case "commit":
		out["sha"] = t.Sha
		if t.Title != "" {
			out["title"] = t.Title
		}
	case "custom":
		out["instructions"] = t.Instructions
	}
	return out
}
