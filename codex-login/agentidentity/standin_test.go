package agentidentity_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-login/agentidentity"
	"github.com/codexgo/codex-login/issuertest"
)

// TestStartAndStandIn: Start against the local issuer (key set, auth API)
// yields an identity whose headers the backend stand-in accepts, and the
// stand-in refuses each way a header can be wrong, so a model server that
// uses it is as strict as the backend must be.
func TestStartAndStandIn(t *testing.T) {
	s, err := issuertest.Start(issuertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	env := map[string]string{agentidentity.BaseURLEnv: s.URL, agentidentity.AuthAPIBaseURLEnv: s.URL + issuertest.AgentAuthAPIPath}
	start := func() *agentidentity.Identity {
		c, err := s.AgentIdentityClaims(time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.SignAgentIdentity(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		id, err := agentidentity.Start(context.Background(), tok, agentidentity.StartOptions{Getenv: func(k string) string { return env[k] }})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	id, other := start(), start()
	now := time.Now()
	headers := func(id *agentidentity.Identity, at time.Time) http.Header {
		h := http.Header{}
		id.SetHeaders(h, at)
		return h
	}
	if err := s.VerifyAgentAssertion(headers(id, now), now); err != nil {
		t.Fatalf("a good assertion is refused: %v", err)
	}
	// rewrite decodes the assertion, lets f edit it, and encodes it again.
	rewrite := func(f func(map[string]string)) http.Header {
		h := headers(id, now)
		raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(h.Get("Authorization"), "AgentAssertion "))
		var a map[string]string
		_ = json.Unmarshal(raw, &a)
		f(a)
		b, _ := json.Marshal(a)
		h.Set("Authorization", "AgentAssertion "+base64.RawURLEncoding.EncodeToString(b))
		return h
	}
	otherSig := func() string {
		raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(headers(other, now).Get("Authorization"), "AgentAssertion "))
		var a map[string]string
		_ = json.Unmarshal(raw, &a)
		return a["signature"]
	}()
	tests := map[string]struct {
		h    http.Header
		want string
	}{
		"bearer": {http.Header{"Authorization": {"Bearer x"}}, "is not an AgentAssertion"},
		"padded": {func() http.Header {
			h := headers(id, now)
			h.Set("Authorization", h.Get("Authorization")+"=")
			return h
		}(), "not unpadded base64url"},
		"stale":            {headers(id, now.Add(-6*time.Minute)), "outside the accepted window"},
		"future":           {headers(id, now.Add(6*time.Minute)), "outside the accepted window"},
		"another's task":   {rewrite(func(a map[string]string) { a["task_id"] = other.TaskID }), "is not registered for runtime"},
		"unknown task":     {rewrite(func(a map[string]string) { a["task_id"] = "task-x" }), "is not registered for runtime"},
		"another's key":    {rewrite(func(a map[string]string) { a["signature"] = otherSig }), "signature does not verify"},
		"timestamp edited": {rewrite(func(a map[string]string) { a["timestamp"] = agentidentity.Timestamp(now.Add(-time.Second)) }), "signature does not verify"},
		"extra field":      {rewrite(func(a map[string]string) { a["x"] = "y" }), "not an object of four strings"},
		"account": {func() http.Header {
			h := headers(id, now)
			h.Set("ChatGPT-Account-ID", "acct-other")
			return h
		}(), "is not the runtime's account"},
	}
	for name, tt := range tests {
		if err := s.VerifyAgentAssertion(tt.h, now); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", name, err, tt.want)
		}
	}
	s.RevokeAgent(id.Claims.AgentRuntimeID)
	if err := s.VerifyAgentAssertion(headers(id, now), now); err == nil || !strings.Contains(err.Error(), "is not known") {
		t.Errorf("revoked runtime: %v", err)
	}
}
