package tui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/protocol"
)

// Grace period for requests that open under the user's fingers: a key is
// taken as an answer only once input has been quiet for graceQuiet, or
// graceCap after the request appeared, whichever comes first.
const (
	graceQuiet = 425 * time.Millisecond
	graceCap   = 1500 * time.Millisecond
)

// approvalRequest is an exec or a patch approval request.
type approvalRequest struct {
	exec  *protocol.ExecApprovalRequestMsg
	patch *protocol.ApplyPatchApprovalRequestMsg
}

// answer builds the submission op for decision d; remember asks the agent
// to also save an allow rule in $CODEX_HOME/rules/default.rules.
func (r approvalRequest) answer(d protocol.ReviewDecision, remember bool) protocol.Op {
	if r.exec != nil {
		return protocol.ExecApprovalOp{ID: r.exec.CallID, Decision: d, Remember: remember}
	}
	return protocol.PatchApprovalOp{ID: r.patch.CallID, Decision: d}
}

// subject names what was approved, for the decision cell.
func (r approvalRequest) subject() string {
	if r.exec != nil {
		return commandText(r.exec.Command)
	}
	return "these edits"
}

type approvalOption struct {
	label    string
	key      string
	decision protocol.ReviewDecision
	remember bool
}

func (r approvalRequest) options() []approvalOption {
	if r.exec != nil {
		return []approvalOption{
			{"Yes, proceed", "y", protocol.DecisionApproved, false},
			{"Yes, and don't ask again for this command", "a", protocol.DecisionApprovedForSession, false},
			{"Yes, and always allow commands like this (saves a rule)", "p", protocol.DecisionApprovedForSession, true},
			{"No, and tell Codex what to do differently", "esc", protocol.DecisionAbort, false},
		}
	}
	return []approvalOption{
		{"Yes, proceed", "y", protocol.DecisionApproved, false},
		{"Yes, and don't ask again for these files this session", "a", protocol.DecisionApprovedForSession, false},
		{"No, and tell Codex what to do differently", "esc", protocol.DecisionAbort, false},
	}
}

// approvals is the approval overlay with its queue of requests: the head
// is shown, the rest wait their turn.
type approvals struct {
	queue    []approvalRequest
	sel      int
	openedAt time.Time
}

// Active reports whether a request is waiting for an answer.
func (a *approvals) Active() bool { return len(a.queue) > 0 }

// Push queues a request; the first one opens the overlay at now.
func (a *approvals) Push(r approvalRequest, now time.Time) {
	if len(a.queue) == 0 {
		a.openedAt = now
		a.sel = 0
	}
	a.queue = append(a.queue, r)
}

// answered is a decision the user made on one request.
type answered struct {
	req      approvalRequest
	decision protocol.ReviewDecision
	remember bool
}

// pop removes the head and opens the next request at now.
func (a *approvals) pop(now time.Time) approvalRequest {
	r := a.queue[0]
	a.queue = a.queue[1:]
	a.sel = 0
	a.openedAt = now
	return r
}

// HandleKey answers or navigates the head request. prevKey is when the
// previous key arrived; keys inside the grace period are swallowed.
func (a *approvals) HandleKey(msg tea.KeyMsg, now, prevKey time.Time) (*answered, bool) {
	if len(a.queue) == 0 {
		return nil, false
	}
	if msg.Paste {
		return nil, true
	}
	if now.Sub(a.openedAt) < graceCap && now.Sub(prevKey) < graceQuiet {
		return nil, true
	}
	opts := a.queue[0].options()
	pickOpt := func(o approvalOption) (*answered, bool) {
		return &answered{req: a.pop(now), decision: o.decision, remember: o.remember}, true
	}
	pick := func(d protocol.ReviewDecision) (*answered, bool) {
		return pickOpt(approvalOption{decision: d})
	}
	switch k := keyName(msg); k {
	case "y":
		return pick(protocol.DecisionApproved)
	case "a", "p":
		for _, o := range opts {
			if o.key == k {
				return pickOpt(o)
			}
		}
	case "n", "esc":
		return pick(protocol.DecisionAbort)
	case "up", "k":
		a.sel = (a.sel + len(opts) - 1) % len(opts)
	case "down", "j", "tab":
		a.sel = (a.sel + 1) % len(opts)
	case "enter":
		return pickOpt(opts[a.sel])
	case "1", "2", "3", "4":
		if i := int(msg.Runes[0] - '1'); i < len(opts) {
			return pickOpt(opts[i])
		}
	}
	return nil, true
}

// AbortAll answers every queued request with abort (Ctrl+C), so no tool
// call is left waiting, and empties the queue.
func (a *approvals) AbortAll() []answered {
	var out []answered
	for _, r := range a.queue {
		out = append(out, answered{req: r, decision: protocol.DecisionAbort})
	}
	a.queue = nil
	return out
}

// View renders the head request for width columns.
func (a *approvals) View(th *theme, width int) string {
	if len(a.queue) == 0 {
		return ""
	}
	r := a.queue[0]
	w := innerWidth(width, 2)
	var lines []string
	if r.exec != nil {
		lines = append(lines, th.bold.Render(wrapPlain("Would you like to run the following command?", w)), "")
		if reason := strings.TrimSpace(r.exec.Reason); reason != "" {
			lines = append(lines, th.italic.Render(wrapPlain("Reason: "+reason, w)), "")
		}
		lines = append(lines, indent(wrapPlain(commandText(r.exec.Command), w-2), th.dim.Render("$")+" ", "  "))
	} else {
		lines = append(lines, th.bold.Render(wrapPlain("Would you like to make the following edits?", w)), "")
		if reason := strings.TrimSpace(r.patch.Reason); reason != "" {
			lines = append(lines, th.italic.Render(wrapPlain("Reason: "+reason, w)), "")
		}
		// The whole diff was printed just above (proposedPatchCell).
		lines = append(lines, diffSummary(th, "Edit", r.patch.Changes, w),
			"", th.dim.Render(wrapPlain("The full diff is above (scroll up to read it all).", w)))
	}
	lines = append(lines, "")
	for i, o := range r.options() {
		label := wrapPlain(fmt.Sprintf("%d. %s (%s)", i+1, o.label, o.key), w-2)
		if i == a.sel {
			lines = append(lines, indent(th.selected.Render(label), th.selected.Render("›")+" ", "     "))
		} else {
			lines = append(lines, indent(label, "  ", "     "))
		}
	}
	if n := len(a.queue) - 1; n > 0 {
		lines = append(lines, "", th.dim.Render(fmt.Sprintf("%d more request(s) waiting", n)))
	}
	return indent(strings.Join(lines, "\n"), "  ", "  ")
}

func prefixLines(s, p string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := range lines {
		lines[i] = p + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}
