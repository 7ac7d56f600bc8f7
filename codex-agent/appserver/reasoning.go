package appserver

import "github.com/codexgo/common/protocol"

// reasoningState follows the reasoning item being streamed: its summary
// parts and its raw reasoning text, by index, as the deltas built them.
type reasoningState struct {
	item    string
	summary []string
	content []string
}

// reasoningEvent maps the reasoning events of a turn onto the reasoning
// item and its deltas (item/reasoning/summaryPartAdded,
// item/reasoning/summaryTextDelta, item/reasoning/textDelta); it reports
// whether ev was one.
func (th *thread) reasoningEvent(t *turnState, ev protocol.Event, base func(map[string]any) map[string]any,
	started, completed func(map[string]any)) bool {
	r := &t.reasoning
	open := func() {
		if r.item == "" {
			r.item = t.nextID("reasoning")
			r.summary, r.content = nil, nil
			started(map[string]any{"type": "reasoning", "id": r.item, "summary": []string{}, "content": []string{}})
		}
	}
	switch m := ev.Msg.(type) {
	case protocol.AgentReasoningSectionBreakMsg:
		open()
		r.summary = append(r.summary, "")
		th.notify("item/reasoning/summaryPartAdded", base(map[string]any{"itemId": r.item, "summaryIndex": len(r.summary) - 1}))
	case protocol.AgentReasoningDeltaMsg:
		open()
		if len(r.summary) == 0 {
			r.summary = append(r.summary, "")
		}
		i := len(r.summary) - 1
		r.summary[i] += m.Delta
		th.notify("item/reasoning/summaryTextDelta", base(map[string]any{"itemId": r.item, "delta": m.Delta, "summaryIndex": i}))
	case protocol.AgentReasoningRawContentDeltaMsg:
		open()
		i := max(m.ContentIndex, 0)
		for len(r.content) <= i {
			r.content = append(r.content, "")
		}
		r.content[i] += m.Delta
		th.notify("item/reasoning/textDelta", base(map[string]any{"itemId": r.item, "delta": m.Delta, "contentIndex": i}))
	case protocol.AgentReasoningMsg:
		id, summary := r.item, []string{m.Text}
		if id == "" {
			id = t.nextID("reasoning")
		} else if len(r.summary) > 0 {
			summary = r.summary
		}
		completed(map[string]any{"type": "reasoning", "id": id, "summary": summary, "content": nonNil(r.content)})
		*r = reasoningState{}
	default:
		return false
	}
	return true
}

// done is the open reasoning item as streamed so far (at the turn's end).
func (r *reasoningState) done(item map[string]any) map[string]any {
	return copyItem(item, map[string]any{"summary": nonNil(r.summary), "content": nonNil(r.content)})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
