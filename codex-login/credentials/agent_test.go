package credentials_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
	"github.com/codexgo/codex-login/issuertest"
)

func agentJWT(t *testing.T, s *issuertest.Server) string {
	t.Helper()
	c, err := s.AgentIdentityClaims(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.SignAgentIdentity(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestAgentIdentity: an access token login (auth.json, or
// $CODEX_ACCESS_TOKEN before it) is verified and registers one task per
// manager; every request then carries an assertion the backend accepts;
// a 401 is retried with a fresh assertion and no new task.
func TestAgentIdentity(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	s := fx.iss
	if err := authfile.Save(fx.home, &authfile.File{AuthMode: authfile.ModeAgentIdentity, AgentIdentity: agentJWT(t, s)}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CODEX_AGENT_IDENTITY_JWKS_BASE_URL": s.URL, "CODEX_AGENT_IDENTITY_AUTHAPI_BASE_URL": s.URL + issuertest.AgentAuthAPIPath}
	ctx := context.Background()
	for _, src := range []string{"auth.json", "$CODEX_ACCESS_TOKEN"} {
		if src != "auth.json" {
			env["CODEX_ACCESS_TOKEN"] = agentJWT(t, s)
		}
		m := fx.manager(t, env)
		before := len(s.AgentTasks())
		var c credentials.Credentials
		for range 3 {
			var err error
			if c, err = m.Get(ctx); err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			h := http.Header{}
			c.SetHeaders(h)
			if err := s.VerifyAgentAssertion(h, time.Now()); err != nil {
				t.Errorf("%s: the backend refuses the assertion: %v", src, err)
			}
		}
		if c.Mode != authfile.ModeAgentIdentity || c.AccountID != "acct-test-0001" || !strings.HasSuffix(c.Source, strings.TrimPrefix(src, "$")) {
			t.Errorf("%s: credentials %+v", src, c)
		}
		if again, err := m.RefreshAfterUnauthorized(ctx, c); err != nil || again.Agent != c.Agent {
			t.Errorf("%s: after a 401: %v", src, err)
		}
		if n := len(s.AgentTasks()) - before; n != 1 {
			t.Errorf("%s: %d tasks registered, want one per process", src, n)
		}
	}
	// An API key in the environment comes first, without any request.
	env["CODEX_API_KEY"] = "sk-env-1234567890ABCDEFG"
	before := s.Stats()
	if c, err := fx.manager(t, env).Get(ctx); err != nil || c.Mode != authfile.ModeAPIKey {
		t.Errorf("with CODEX_API_KEY: %+v %v", c, err)
	}
	if after := s.Stats(); after.AgentJWKSRequests != before.AgentJWKSRequests {
		t.Error("the access token was verified although an API key came first")
	}
}

// TestAgentIdentityRefused: a token the backend no longer accepts is an
// error from Get, not credentials without authorization (0.169 then sends
// requests with none).
func TestAgentIdentityRefused(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	s := fx.iss
	env := map[string]string{"CODEX_AGENT_IDENTITY_JWKS_BASE_URL": s.URL, "CODEX_AGENT_IDENTITY_AUTHAPI_BASE_URL": s.URL + issuertest.AgentAuthAPIPath,
		"CODEX_ACCESS_TOKEN": agentJWT(t, s)}
	s.FailAgentTasks(http.StatusForbidden)
	_, err := fx.manager(t, env).Get(context.Background())
	if err == nil || !strings.Contains(err.Error(), "access token ($CODEX_ACCESS_TOKEN): agent task registration failed with status 403") {
		t.Errorf("Get = %v", err)
	}
}
