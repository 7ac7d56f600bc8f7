package agent

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// TestWebSearchTurn offers the web_search tool; the model's
// web_search_call (run by the server) is reported as web_search_begin and
// web_search_end and stays in the history sent back, unchanged.
func TestWebSearchTurn(t *testing.T) {
	search := modelserver.WebSearchCall("ws_1", "go 1.26 release notes")
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{search, modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "true"})}},
		{Items: []json.RawMessage{modelserver.Message("found it")}},
	}, func(cfg *SessionConfig) { cfg.Tools.WebSearch = true })
	msgs := h.turn("look it up", nil)
	begins, ends := find[protocol.WebSearchBeginMsg](msgs), find[protocol.WebSearchEndMsg](msgs)
	if len(begins) != 1 || begins[0].CallID != "ws_1" {
		t.Errorf("web_search_begin = %+v", begins)
	}
	if len(ends) != 1 || ends[0].CallID != "ws_1" || ends[0].Query != "go 1.26 release notes" ||
		string(ends[0].Action) != `{"type":"search","query":"go 1.26 release notes"}` {
		t.Errorf("web_search_end = %+v", ends)
	}
	if got := types(msgs); !strings.Contains(got, "task_started,web_search_begin,web_search_end,") {
		t.Errorf("events = %s", got)
	}
	var body struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if err := h.srv.Requests()[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tool := range body.Tools {
		found = found || string(tool) == `{"type":"web_search","external_web_access":true,"search_content_types":["text","image"]}`
	}
	if !found {
		t.Errorf("tools offered lack web_search: %s", body.Tools)
	}
	resent := false
	for _, it := range h.requestInput(1) {
		if it.Type == "web_search_call" {
			b, _ := json.Marshal(it)
			resent = string(b) == string(search)
		}
	}
	if !resent {
		t.Errorf("the web_search_call is not sent back unchanged: %+v", h.requestInput(1))
	}
}
