package tui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/codex-tui/internal/appconn"
	"github.com/codexgo/common/protocol"
)

// lastSubmission is the id of the last submission sent.
func (h *harness) lastSubmission() string {
	h.conn.mu.Lock()
	defer h.conn.mu.Unlock()
	if len(h.conn.sent) == 0 {
		h.t.Fatal("nothing sent")
	}
	return h.conn.sent[len(h.conn.sent)-1].ID
}

// TestSteerAndQueue: while a turn runs, Enter steers it (turn/steer) and
// the message is printed once the agent took it; Tab queues a message
// for the turn's end; a steer the agent refuses is queued, not lost; the
// queue is sent one message per turn end.
func TestSteerAndQueue(t *testing.T) {
	h := newHarness(t)
	h.events(ev("1", protocol.TaskStartedMsg{}))
	h.typeText("also check the tests")
	if v := h.view(); !strings.Contains(v, "⏎ steer · tab to queue message") {
		t.Errorf("footer while a turn runs and a draft is written:\n%s", v)
	}
	h.keys("enter")
	steerID := h.lastSubmission()
	if got, want := h.conn.ops(), []protocol.Op{protocol.SteerOp{Items: protocol.TextInput("also check the tests")}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Enter mid-turn sent %#v, want %#v", got, want)
	}
	if v := h.view(); !strings.Contains(v, "↳ also check the tests") || !strings.Contains(v, "steering: sent to the running turn") {
		t.Errorf("pending steer not shown:\n%s", v)
	}
	if strings.Contains(h.printed(), "also check the tests") {
		t.Errorf("steer printed before the agent took it:\n%s", h.printed())
	}
	h.events(ev("1", protocol.AgentMessageDeltaMsg{Delta: "Looking at the code.\n\nStill "}),
		ev("", appconn.SteerResultMsg{SubmissionID: steerID, Accepted: true}))
	if p := h.printed(); !strings.Contains(p, "› also check the tests") || !strings.Contains(p, "Looking at the code.") {
		t.Errorf("accepted steer not printed after the answer so far:\n%s", p)
	}
	if strings.Contains(h.view(), "steering:") {
		t.Errorf("accepted steer still pending:\n%s", h.view())
	}

	h.typeText("then update the docs")
	h.keys("tab")
	if ops := h.conn.ops(); len(ops) != 0 {
		t.Fatalf("Tab mid-turn sent %#v", ops)
	}
	h.typeText("and the changelog")
	h.keys("enter")
	refusedID := h.lastSubmission()
	h.conn.ops()
	h.events(ev("", appconn.SteerResultMsg{SubmissionID: refusedID, Reason: "not steerable"}))
	if v := h.view(); !strings.Contains(v, "↳ then update the docs\n  ↳ and the changelog\n    queued: sent when the turn ends") {
		t.Errorf("queue not shown in order:\n%s", v)
	}
	h.events(ev("1", protocol.TaskCompleteMsg{}))
	if got, want := h.conn.ops(), []protocol.Op{protocol.UserInputOp{Items: protocol.TextInput("then update the docs")}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("first turn end sent %#v, want %#v", got, want)
	}
	h.events(ev("2", protocol.TaskStartedMsg{}), ev("2", protocol.TaskCompleteMsg{}))
	if got, want := h.conn.ops(), []protocol.Op{protocol.UserInputOp{Items: protocol.TextInput("and the changelog")}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("second turn end sent %#v, want %#v", got, want)
	}

	// Refused after its turn ended, a steer starts the next turn.
	h.events(ev("3", protocol.TaskStartedMsg{}))
	h.typeText("late")
	h.keys("enter")
	lateID := h.lastSubmission()
	h.conn.ops()
	h.events(ev("3", protocol.TaskCompleteMsg{}), ev("", appconn.SteerResultMsg{SubmissionID: lateID, Reason: "no turn is running"}))
	if got, want := h.conn.ops(), []protocol.Op{protocol.UserInputOp{Items: protocol.TextInput("late")}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("late refused steer sent %#v, want %#v", got, want)
	}
}

// TestReviewIsNotSteered: /review starts review/start; a message written
// during the review is queued (a review cannot be steered), and the
// review-mode items print the Codex CLI's banners and the review.
func TestReviewIsNotSteered(t *testing.T) {
	h := newHarness(t)
	h.typeText("/review the error paths")
	h.keys("enter")
	if ops := h.conn.ops(); len(ops) != 1 {
		t.Fatalf("review sent %#v", ops)
	} else if r, ok := ops[0].(appconn.ReviewOp); !ok || r.Target.Type != "custom" {
		t.Fatalf("review sent %#v", ops[0])
	}
	h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", appconn.ReviewModeMsg{Entered: true, Review: "the error paths"}))
	h.typeText("hurry up")
	h.keys("enter")
	if ops := h.conn.ops(); len(ops) != 0 {
		t.Fatalf("Enter during a review sent %#v", ops)
	}
	if !strings.Contains(h.view(), "↳ hurry up") || !strings.Contains(h.printed(), "Steer messages aren't supported during /review") {
		t.Errorf("view:\n%s\nprinted:\n%s", h.view(), h.printed())
	}
	h.events(ev("1", appconn.ReviewModeMsg{Review: "- [P1] parse.go:12 drops the error\n\nVerdict: needs changes"}),
		ev("1", protocol.TaskCompleteMsg{}))
	p := h.printed()
	for _, want := range []string{">> Code review started: the error paths <<", "[P1] parse.go:12 drops the error", "Verdict: needs changes", "<< Code review finished >>"} {
		if !strings.Contains(p, want) {
			t.Errorf("transcript lacks %q:\n%s", want, p)
		}
	}
	if got, want := h.conn.ops(), []protocol.Op{protocol.UserInputOp{Items: protocol.TextInput("hurry up")}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after the review sent %#v, want %#v", got, want)
	}
}
