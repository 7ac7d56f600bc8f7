package agent

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/models"
	"github.com/codexgo/common/protocol"
)

// TestToolSetWebSearch: the web_search tool follows web_search (cached by
// default, live under danger-full-access), the older switches, the
// wire and the model (common/models decides the spec).
func TestToolSetWebSearch(t *testing.T) {
	const cached = `{"type":"web_search","external_web_access":false,"search_content_types":["text","image"]}`
	const live = `{"type":"web_search","external_web_access":true,"search_content_types":["text","image"]}`
	for _, tc := range []struct {
		name     string
		cfg      config.Config
		full     bool
		possible bool
		enable   []string
		want     string
	}{
		{"cached by default", config.Config{}, false, true, nil, cached},
		{"live", config.Config{WebSearch: "live"}, false, true, nil, live},
		{"disabled", config.Config{WebSearch: "disabled"}, true, true, nil, ""},
		{"full access searches live", config.Config{WebSearch: "cached"}, true, true, nil, live},
		{"tools.web_search = true", config.Config{Tools: map[string]any{"web_search": true}}, false, true, nil, live},
		{"as a table", config.Config{Tools: map[string]any{"web_search": map[string]any{"enabled": false}}}, false, true, nil, ""},
		{"feature flag", config.Config{}, false, true, []string{"web_search_request"}, live},
		{"feature flag off", config.Config{Features: map[string]bool{"web_search_request": false}}, false, true, nil, ""},
		{"chat completions and local models have none", config.Config{WebSearch: "live"}, false, false, nil, ""},
	} {
		var ts ToolSet
		sp := protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}
		if tc.full {
			sp.Mode = protocol.SandboxDangerFullAccess
		}
		if err := webSearch(&ts, &tc.cfg, models.Bundled().Sampling("gpt-5.5", models.Settings{}), sp, tc.possible, tc.enable, nil); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := ""
		if ts.WebSearch {
			got = string(ts.WebSearchSpec)
		}
		if got != tc.want {
			t.Errorf("%s: tool %s, want %s", tc.name, got, tc.want)
		}
	}
	var ts ToolSet
	if err := webSearch(&ts, &config.Config{WebSearch: "sometimes"}, models.Sampling{}, protocol.SandboxPolicy{}, true, nil, nil); err == nil || !strings.Contains(err.Error(), `"disabled", "cached" or "live"`) {
		t.Errorf("bad mode: %v", err)
	}
}

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
