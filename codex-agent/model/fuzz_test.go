package model

import (
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/sse"
)

// FuzzStreamEvents feeds arbitrary SSE streams to both wire decoders:
// they may fail, but never panic or emit an ItemDone without an item.
func FuzzStreamEvents(f *testing.F) {
	f.Add("event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"message\"}}\n\n")
	f.Add("data: {\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"try again in 3ms\"}}}\n\n")
	f.Add("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":3,\"function\":{\"arguments\":\"{\"}}]},\"finish_reason\":\"x\"}]}\n\ndata: [DONE]\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		check := func(ev StreamEvent) {
			if ev.Kind == EventItemDone && ev.Item == nil {
				t.Fatal("ItemDone without item")
			}
		}
		rd := sse.NewReader(strings.NewReader(s))
		var st chatState
		for {
			ev, err := rd.Next()
			if err != nil {
				break
			}
			_, _ = handleResponsesEvent(ev, check)
			if ev.Data == "[DONE]" {
				st.finish(check)
				continue
			}
			_ = st.add(ev.Data, check)
		}
	})
}
