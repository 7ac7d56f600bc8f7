package model

import (
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/sse"
	"github.com/codexgo/common/protocol"
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

// FuzzRateLimits: any header values give a snapshot whose windows have
// their used percentage, or nil; never a panic.
func FuzzRateLimits(f *testing.F) {
	f.Add("42.5", "300", "1900000000", "true", "12.5")
	f.Add("", "x", "-1", "maybe", "")
	f.Add("NaN", "9223372036854775808", "1e3", "0", " 3 ")
	f.Fuzz(func(t *testing.T, used, minutes, reset, credits, balance string) {
		h := http.Header{}
		h.Set("x-codex-primary-used-percent", used)
		h.Set("x-codex-primary-window-minutes", minutes)
		h.Set("x-codex-primary-reset-at", reset)
		h.Set("x-codex-secondary-used-percent", minutes)
		h.Set("x-codex-credits-has-credits", credits)
		h.Set("x-codex-credits-balance", balance)
		snap := ParseRateLimits(h)
		if snap == nil {
			return
		}
		if snap.Primary == nil && snap.Secondary == nil && snap.Credits == nil {
			t.Fatalf("empty snapshot %+v", snap)
		}
		for _, w := range []*protocol.RateLimitWindow{snap.Primary, snap.Secondary} {
			if w != nil && (math.IsNaN(w.UsedPercent) || math.IsInf(w.UsedPercent, 0)) {
				t.Fatalf("used percent %v", w.UsedPercent)
			}
		}
	})
}
