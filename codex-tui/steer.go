package tui

import (
	"github.com/codexgo/codex-tui/internal/appconn"
	"github.com/codexgo/common/protocol"
)

// pendingSteer is a message sent into the running turn (turn/steer) that
// the agent has not yet said it took.
type pendingSteer struct {
	id     string // the submission's id
	text   string
	images []string
}

// steer sends a message written while a turn runs into that turn, as the
// Codex CLI does on Enter: the model reads it at its next step. A review
// cannot be steered, so there it waits for the turn's end, as Tab makes
// every message wait.
func (m *model) steer(text string, images []string) {
	if m.reviewing {
		m.queue = append(m.queue, queuedInput{text: text, images: images})
		m.print(noticeCell{"info", "Steer messages aren't supported during /review: queued until the review ends."})
		return
	}
	items, _ := userInput(text, images)
	id := m.submit(protocol.SteerOp{Items: items})
	m.steers = append(m.steers, pendingSteer{id: id, text: text, images: images})
}

// steerResult settles a pending steer: taken, it is printed as the
// user's message; refused (the turn ended, or cannot be steered), it is
// queued for the next turn, so it is never lost.
func (m *model) steerResult(e appconn.SteerResultMsg) {
	i := -1
	for j, s := range m.steers {
		if s.id == e.SubmissionID {
			i = j
		}
	}
	if i < 0 {
		return
	}
	s := m.steers[i]
	m.steers = append(m.steers[:i], m.steers[i+1:]...)
	if e.Accepted {
		// The answer so far is finished: what follows answers this too.
		m.flushReasoning()
		m.finishStream()
		m.streamFirst = true
		_, shown := userInput(s.text, s.images)
		m.print(userCell{text: shown})
		return
	}
	m.queue = append(m.queue, queuedInput{text: s.text, images: s.images})
	m.sendQueued() // the turn may be over already
}
