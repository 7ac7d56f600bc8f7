package appserver

import "github.com/codexgo/common/protocol"

// backgroundCommand is a command item whose turn completed while it ran.
type backgroundCommand struct {
	turnID string
	item   map[string]any
}

// backgroundEvent reports the output, input and end of a command left
// running after its turn (whatever turn the session reports them in)
// under the turn that started it; it reports whether ev was one.
func (th *thread) backgroundEvent(ev protocol.Event, ms int64) bool {
	var id string
	switch m := ev.Msg.(type) {
	case protocol.ExecCommandOutputDeltaMsg:
		id = m.CallID
	case protocol.ExecCommandEndMsg:
		id = m.CallID
	case protocol.TerminalInteractionMsg:
		id = m.CallID
	default:
		return false
	}
	bg, ok := th.background[id]
	if !ok {
		return false
	}
	base := map[string]any{"threadId": th.id, "turnId": bg.turnID, "itemId": id}
	switch m := ev.Msg.(type) {
	case protocol.ExecCommandOutputDeltaMsg:
		base["delta"] = string(m.Chunk)
		th.notify("item/commandExecution/outputDelta", base)
	case protocol.TerminalInteractionMsg:
		base["processId"], base["stdin"] = m.ProcessID, m.Stdin
		th.notify("item/commandExecution/terminalInteraction", base)
	case protocol.ExecCommandEndMsg:
		delete(th.background, id)
		delete(base, "itemId")
		base["item"], base["completedAtMs"] = commandDone(bg.item, m), ms
		th.notify("item/completed", base)
	}
	return true
}

// commandDone is a command item completed by its end event.
func commandDone(item map[string]any, m protocol.ExecCommandEndMsg) map[string]any {
	item = copyItem(item, map[string]any{})
	status := string(m.Status)
	if status == "" {
		status = "completed"
		if m.ExitCode != 0 {
			status = "failed"
		}
	}
	out := m.AggregatedOutput
	if out == "" {
		out = m.Stdout + m.Stderr
	}
	item["status"], item["exitCode"], item["durationMs"], item["aggregatedOutput"] = status, m.ExitCode, m.DurationMS, out
	if status == "declined" {
		item["exitCode"], item["durationMs"] = nil, nil
	}
	return item
}
