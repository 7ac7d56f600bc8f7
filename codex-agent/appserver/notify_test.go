package appserver_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestRateLimitsFromHeaders: the x-codex-* headers of a model answer (as
// the ChatGPT backend sends them) reach the client as
// account/rateLimits/updated, and account/rateLimits/read then answers
// with them; before any answer, the windows are unknown.
func TestRateLimitsFromHeaders(t *testing.T) {
	first := turnOf(modelserver.Message("one"))
	first.Headers = modelserver.RateLimitHeaders(42.4, 7, 1900000000, 1900500000)
	second := turnOf(modelserver.Message("two"))
	second.Headers = modelserver.RateLimitHeaders(43.6, 8, 1900000000, 1900500000)
	f := newFixture(t, first, second)
	f.env = append(f.env, "OPENAI_API_KEY=sk-test")
	c := f.start(t)
	type window struct {
		UsedPercent        int    `json:"usedPercent"`
		WindowDurationMins *int64 `json:"windowDurationMins"`
		ResetsAt           *int64 `json:"resetsAt"`
	}
	type snapshot struct {
		LimitID   *string `json:"limitId"`
		Primary   *window `json:"primary"`
		Secondary *window `json:"secondary"`
		Credits   *struct {
			HasCredits bool `json:"hasCredits"`
		} `json:"credits"`
	}
	var before struct {
		RateLimits snapshot `json:"rateLimits"`
	}
	c.call("account/rateLimits/read", nil).decode(t, &before)
	if before.RateLimits.Primary != nil || before.RateLimits.Secondary != nil {
		t.Errorf("limits before any answer = %+v", before.RateLimits)
	}

	th := startThread(t, c, map[string]any{})
	for i, want := range []struct{ primary, secondary int }{{42, 7}, {44, 8}} {
		startTurn(t, c, th.Thread.ID, "hi")
		m, seen := c.until("account/rateLimits/updated")
		if strings.Contains(methods(seen), "turn/completed") {
			t.Errorf("turn %d: rate limits after turn/completed: %s", i, methods(seen))
		}
		var up struct {
			RateLimits snapshot `json:"rateLimits"`
		}
		m.decode(t, &up)
		p, s := up.RateLimits.Primary, up.RateLimits.Secondary
		if p == nil || s == nil || p.UsedPercent != want.primary || s.UsedPercent != want.secondary {
			t.Fatalf("turn %d: update = %s", i, m.raw)
		}
		if *p.WindowDurationMins != 300 || *p.ResetsAt != 1900000000 || *s.WindowDurationMins != 10080 || *s.ResetsAt != 1900500000 {
			t.Errorf("turn %d: windows = %s", i, m.raw)
		}
		if up.RateLimits.Credits == nil || up.RateLimits.Credits.HasCredits || up.RateLimits.LimitID == nil || *up.RateLimits.LimitID != "codex" {
			t.Errorf("turn %d: credits, limit id = %s", i, m.raw)
		}
		c.until("turn/completed")
	}
	var after struct {
		RateLimits          snapshot            `json:"rateLimits"`
		RateLimitsByLimitID map[string]snapshot `json:"rateLimitsByLimitId"`
	}
	c.call("account/rateLimits/read", nil).decode(t, &after)
	if p := after.RateLimits.Primary; p == nil || p.UsedPercent != 44 || after.RateLimitsByLimitID["codex"].Primary == nil {
		t.Errorf("read after the turns = %+v", after)
	}
}

// TestRateLimitsAbsent: an answer without the headers (an API-key
// provider) sends no account/rateLimits/updated.
func TestRateLimitsAbsent(t *testing.T) {
	f := newFixture(t, turnOf(modelserver.Message("one")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{})
	startTurn(t, c, th.Thread.ID, "hi")
	_, seen := c.until("turn/completed")
	if strings.Contains(methods(seen), "account/rateLimits/updated") {
		t.Errorf("rate limits without headers: %s", methods(seen))
	}
}

// TestReasoningStream: a reasoning item with two summary parts and raw
// reasoning text streams as summaryPartAdded, summaryTextDelta (with the
// part's index) and textDelta, and completes with both parts and the
// raw text.
func TestReasoningStream(t *testing.T) {
	f := newFixture(t, turnOf(modelserver.ReasoningParts("rs_1", []string{"**Plan** first", "then act"}, "raw thoughts"),
		modelserver.Message("done")))
	c := f.start(t)
	th := startThread(t, c, map[string]any{})
	startTurn(t, c, th.Thread.ID, "think")
	_, seen := c.until("turn/completed")
	var got []string
	var item map[string]any
	for _, m := range seen {
		var p struct {
			ItemID       string         `json:"itemId"`
			Delta        string         `json:"delta"`
			SummaryIndex *int           `json:"summaryIndex"`
			ContentIndex *int           `json:"contentIndex"`
			Item         map[string]any `json:"item"`
		}
		if m.Method == "" {
			continue
		}
		_ = json.Unmarshal(m.Params, &p)
		switch m.Method {
		case "item/reasoning/summaryPartAdded":
			got = append(got, "part "+itoa(*p.SummaryIndex))
		case "item/reasoning/summaryTextDelta":
			got = append(got, "summary "+itoa(*p.SummaryIndex)+" "+p.Delta)
		case "item/reasoning/textDelta":
			got = append(got, "text "+itoa(*p.ContentIndex)+" "+p.Delta)
		case "item/completed":
			if p.Item["type"] == "reasoning" {
				item = p.Item
			}
		}
	}
	want := []string{"part 0", "summary 0 **Plan** first", "part 1", "summary 1 then act", "text 0 raw thoughts"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("reasoning stream = %q, want %q", got, want)
	}
	b, _ := json.Marshal(item)
	if item == nil || !strings.Contains(string(b), `"summary":["**Plan** first","then act"]`) || !strings.Contains(string(b), `"content":["raw thoughts"]`) {
		t.Errorf("reasoning item = %s", b)
	}
}

// TestModelList: the configured model comes first and is the default;
// the catalogue pages.
func TestModelList(t *testing.T) {
	f := newFixture(t)
	c := f.start(t)
	var r struct {
		Data []struct {
			ID        string `json:"id"`
			IsDefault bool   `json:"isDefault"`
		} `json:"data"`
		NextCursor *string `json:"nextCursor"`
	}
	c.call("model/list", map[string]any{"limit": 1}).decode(t, &r)
	if len(r.Data) != 1 || r.Data[0].ID != "gpt-test" || !r.Data[0].IsDefault || r.NextCursor == nil {
		t.Fatalf("model/list limit 1 = %+v", r)
	}
	cursor := *r.NextCursor
	r.Data, r.NextCursor = nil, nil
	c.call("model/list", map[string]any{"cursor": cursor}).decode(t, &r)
	if len(r.Data) == 0 || r.Data[0].ID == "gpt-test" || r.Data[0].IsDefault {
		t.Errorf("model/list page 2 = %+v", r)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestWarningMCPServerFailed: an MCP server of config.toml that does not
// start is reported to the client as a warning about the thread, and
// the thread goes on without it.
func TestWarningMCPServerFailed(t *testing.T) {
	f := newFixture(t, turnOf(modelserver.Message("still here")))
	cfg, err := os.ReadFile(filepath.Join(f.home, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = append(cfg, "\n[mcp_servers.broken]\ncommand = \"/nonexistent/mcp-server\"\n"...)
	if err := os.WriteFile(filepath.Join(f.home, "config.toml"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	c := f.start(t)
	th := startThread(t, c, map[string]any{})
	m, _ := c.until("warning")
	var w struct {
		Message  string `json:"message"`
		ThreadID string `json:"threadId"`
	}
	m.decode(t, &w)
	if w.ThreadID != th.Thread.ID || !strings.Contains(w.Message, "broken") {
		t.Errorf("warning = %s", m.raw)
	}
	startTurn(t, c, th.Thread.ID, "hi")
	done, _ := c.until("turn/completed")
	if !strings.Contains(string(done.Params), `"completed"`) {
		t.Errorf("turn after the failed server = %s", done.raw)
	}
}
