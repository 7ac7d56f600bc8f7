package appserver

import (
	"context"
	"encoding/json"
	"math"

	"github.com/codexgo/common/protocol"
)

// rateLimitsSeen records the account's rate limits a model answer
// reported (its x-codex-* headers, carried by the token_count event) and
// tells the client: account/rateLimits/updated, and the snapshot
// account/rateLimits/read answers with from then on.
func (s *server) rateLimitsSeen(snap *protocol.RateLimitSnapshot) {
	if snap == nil {
		return
	}
	s.mu.Lock()
	s.limits = snap
	s.mu.Unlock()
	s.c.notify("account/rateLimits/updated", map[string]any{"rateLimits": s.rateLimitSnapshot(snap)})
}

// rateLimits answers account/rateLimits/read with the limits the model
// API reported last in this server; before any answer reported them, the
// windows are unknown (null). The usage service of ChatGPT accounts is
// not queried.
func (s *server) rateLimits(_ context.Context, _ json.RawMessage) (any, error) {
	acct, _ := s.account()
	if acct == nil {
		return nil, invalidRequest("not logged in")
	}
	s.mu.Lock()
	snap := s.limits
	s.mu.Unlock()
	if snap == nil {
		return map[string]any{"rateLimits": map[string]any{"primary": nil, "secondary": nil, "credits": nil, "planType": nil}}, nil
	}
	v := s.rateLimitSnapshot(snap)
	return map[string]any{"rateLimits": v, "rateLimitsByLimitId": map[string]any{snap.LimitID: v}}, nil
}

// rateLimitSnapshot is the protocol's RateLimitSnapshot of snap; the plan
// is the logged-in ChatGPT account's.
func (s *server) rateLimitSnapshot(snap *protocol.RateLimitSnapshot) map[string]any {
	window := func(w *protocol.RateLimitWindow) any {
		if w == nil {
			return nil
		}
		return map[string]any{"usedPercent": int32(math.Round(w.UsedPercent)),
			"windowDurationMins": w.WindowMinutes, "resetsAt": w.ResetsAt}
	}
	var credits any
	if c := snap.Credits; c != nil {
		credits = map[string]any{"hasCredits": c.HasCredits, "unlimited": c.Unlimited, "balance": c.Balance}
	}
	var plan any
	if snap.PlanType != nil {
		plan = planType(*snap.PlanType)
	} else if acct, _ := s.account(); acct != nil && acct["planType"] != nil {
		plan = acct["planType"]
	}
	return map[string]any{"limitId": nilIfEmpty(snap.LimitID), "limitName": nil, "primary": window(snap.Primary),
		"secondary": window(snap.Secondary), "credits": credits, "planType": plan}
}
