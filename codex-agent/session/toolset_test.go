package session

import (
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/models"
	"github.com/codexgo/common/protocol"
)

func TestToolSetViewImage(t *testing.T) {
	for _, tc := range []struct {
		tools map[string]any
		wire  string
		oss   bool
		want  bool
	}{
		{nil, "responses", false, true},
		{map[string]any{"view_image": false}, "responses", false, false},
		{nil, "chat", false, false},
		{map[string]any{"view_image": true}, "chat", false, false},
		{nil, "responses", true, false},
	} {
		if got := toolSet(&config.Config{Tools: tc.tools}, tc.wire, tc.oss, nil, nil).ViewImage; got != tc.want {
			t.Errorf("tools %v wire %s oss %v: ViewImage = %v, want %v", tc.tools, tc.wire, tc.oss, got, tc.want)
		}
	}
}

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
		var ts tools.ToolSet
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
	var ts tools.ToolSet
	if err := webSearch(&ts, &config.Config{WebSearch: "sometimes"}, models.Sampling{}, protocol.SandboxPolicy{}, true, nil, nil); err == nil || !strings.Contains(err.Error(), `"disabled", "cached" or "live"`) {
		t.Errorf("bad mode: %v", err)
	}
}
