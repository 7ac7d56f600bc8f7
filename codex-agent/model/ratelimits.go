package model

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/codexgo/common/protocol"
)

// ParseRateLimits reads the account's usage from the x-codex-* headers
// the ChatGPT backend puts on every Responses answer, as the Codex CLI
// reads them: x-codex-primary-used-percent, -window-minutes, -reset-at
// (Unix seconds) and their secondary equivalents, and
// x-codex-credits-has-credits, -unlimited, -balance. It returns nil when
// the answer carries none of them (an API-key provider). Unparsable
// values count as absent.
func ParseRateLimits(h http.Header) *protocol.RateLimitSnapshot {
	snap := &protocol.RateLimitSnapshot{LimitID: "codex",
		Primary:   parseWindow(h, "x-codex-primary"),
		Secondary: parseWindow(h, "x-codex-secondary"),
		Credits:   parseCredits(h)}
	if snap.Primary == nil && snap.Secondary == nil && snap.Credits == nil {
		return nil
	}
	return snap
}

// parseWindow reads one window; a window needs its used percentage.
func parseWindow(h http.Header, prefix string) *protocol.RateLimitWindow {
	used, err := strconv.ParseFloat(strings.TrimSpace(h.Get(prefix+"-used-percent")), 64)
	if err != nil || math.IsNaN(used) || math.IsInf(used, 0) {
		return nil
	}
	return &protocol.RateLimitWindow{UsedPercent: used,
		WindowMinutes: headerInt(h, prefix+"-window-minutes"), ResetsAt: headerInt(h, prefix+"-reset-at")}
}

func parseCredits(h http.Header) *protocol.CreditsSnapshot {
	has, ok := headerBool(h, "x-codex-credits-has-credits")
	if !ok {
		return nil
	}
	unlimited, _ := headerBool(h, "x-codex-credits-unlimited")
	c := &protocol.CreditsSnapshot{HasCredits: has, Unlimited: unlimited}
	if b := strings.TrimSpace(h.Get("x-codex-credits-balance")); b != "" {
		c.Balance = &b
	}
	return c
}

func headerInt(h http.Header, name string) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(h.Get(name)), 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

func headerBool(h http.Header, name string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(h.Get(name))) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}
