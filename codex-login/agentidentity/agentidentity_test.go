package agentidentity_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-login/agentidentity"
	"github.com/codexgo/codex-login/issuertest"
)

func startIssuer(t *testing.T) *issuertest.Server {
	t.Helper()
	s, err := issuertest.Start(issuertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestJWKSURLAsCodex(t *testing.T) {
	// Observed from 0.169 (the paths it requested from a local server).
	for base, want := range map[string]string{
		"https://chatgpt.com/backend-api/": "https://chatgpt.com/backend-api/wham/agent-identities/jwks",
		"http://127.0.0.1:1":               "http://127.0.0.1:1/agent-identities/jwks",
		"http://127.0.0.1:1/":              "http://127.0.0.1:1/agent-identities/jwks",
		"http://127.0.0.1:1/x/api/codex":   "http://127.0.0.1:1/x/api/codex/agent-identities/jwks",
		"http://127.0.0.1:1/foo":           "http://127.0.0.1:1/foo/agent-identities/jwks",
		"http://127.0.0.1:1/backend-api/":  "http://127.0.0.1:1/backend-api/wham/agent-identities/jwks",
	} {
		if got := agentidentity.JWKSURL(base); got != want {
			t.Errorf("JWKSURL(%q) = %q, want %q", base, got, want)
		}
	}
}

// TestVerify is the verifier against the local issuer's key set, case by
// case as 0.169 answered the same tokens (see the commit message): what it
// accepts is accepted, what it refuses is refused.
func TestVerify(t *testing.T) {
	s := startIssuer(t)
	ctx := context.Background()
	set, err := agentidentity.FetchJWKS(ctx, nil, agentidentity.JWKSURL(s.URL))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || set.Keys[0].ID != issuertest.AgentKeyID {
		t.Fatalf("key set = %+v", set)
	}
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	base, err := s.AgentIdentityClaims(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	claims := func(edit func(c map[string]any)) map[string]any {
		c := map[string]any{}
		for k, v := range base {
			c[k] = v
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	sign := func(c map[string]any, hdr map[string]any) string {
		tok, err := s.SignAgentIdentity(c, hdr)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	valid := sign(claims(nil), nil)
	h, rest, _ := strings.Cut(valid, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	tampered := func() string {
		raw, _ := base64.RawURLEncoding.DecodeString(payload)
		var c map[string]any
		_ = json.Unmarshal(raw, &c)
		c["account_id"] = "acct-someone-else"
		b, _ := json.Marshal(c)
		return h + "." + base64.RawURLEncoding.EncodeToString(b) + "." + sig
	}()
	flipped := []byte(sig)
	i := len(flipped) / 2
	if flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	foreignTok, err := issuertest.SignRS256(foreign, claims(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	foreignNoKid, err := issuertest.SignRS256(foreign, claims(nil), map[string]any{"alg": "RS256", "typ": "JWT"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token, wantErr string
	}{
		{"valid", valid, ""},
		{"no kid, published key", sign(claims(nil), map[string]any{"alg": "RS256", "typ": "JWT"}), ""},
		{"email missing", sign(claims(func(c map[string]any) { delete(c, "email") }), nil), ""},
		{"unknown plan", sign(claims(func(c map[string]any) { c["plan_type"] = "enterprise-2030" }), nil), ""},
		{"expired within leeway", sign(claims(func(c map[string]any) { c["exp"] = now.Add(-30 * time.Second).Unix() }), nil), ""},
		{"nbf in the future is not checked", sign(claims(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), nil), ""},
		{"signed by another key", foreignTok, "signature does not match"},
		{"no kid, another key", foreignNoKid, "signature does not match"},
		{"payload changed", tampered, "signature does not match"},
		{"signature changed", h + "." + payload + "." + string(flipped), "signature does not match"},
		{"untrusted kid", sign(claims(nil), map[string]any{"alg": "RS256", "kid": "other"}), "kid other is not trusted"},
		{"HS256", sign(claims(nil), map[string]any{"alg": "HS256", "kid": issuertest.AgentKeyID}), "signed with HS256"},
		{"RS512", sign(claims(nil), map[string]any{"alg": "RS512", "kid": issuertest.AgentKeyID}), "signed with RS512"},
		{"alg none", h[:0] + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + payload + ".", "invalid agent identity JWT format"},
		{"wrong issuer", sign(claims(func(c map[string]any) { c["iss"] = "https://evil.example" }), nil), `issuer "https://evil.example"`},
		{"wrong audience", sign(claims(func(c map[string]any) { c["aud"] = "other" }), nil), `audience "other"`},
		{"audience array", sign(claims(func(c map[string]any) { c["aud"] = []string{"codex-app-server"} }), nil), "claim aud: want a string"},
		{"expired", sign(claims(func(c map[string]any) { c["exp"] = now.Add(-90 * time.Second).Unix() }), nil), "expired at"},
		{"exp not whole seconds", sign(claims(func(c map[string]any) { c["exp"] = 1.5 }), nil), "claim exp: want whole seconds"},
		{"no exp", sign(claims(func(c map[string]any) { delete(c, "exp") }), nil), "no exp claim"},
		{"no iat", sign(claims(func(c map[string]any) { delete(c, "iat") }), nil), "no iat claim"},
		{"no account", sign(claims(func(c map[string]any) { delete(c, "account_id") }), nil), "no account_id claim"},
		{"fedramp as string", sign(claims(func(c map[string]any) { c["chatgpt_account_is_fedramp"] = "false" }), nil), "want true or false"},
		{"two parts", h + "." + payload, "invalid agent identity JWT format"},
		{"four parts", valid + ".x", "invalid agent identity JWT format"},
		{"payload not base64url", h + ".a+b/." + sig, "not valid base64url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := agentidentity.Verify(tt.token, set, now)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.AccountID != base["account_id"] || c.AgentRuntimeID != "agent-runtime-1" {
					t.Errorf("claims = %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Verify = %v, want an error containing %q", err, tt.wantErr)
			}
			if tt.name == "untrusted kid" && !errors.Is(err, agentidentity.ErrUntrustedKey) {
				t.Errorf("untrusted kid: %v is not ErrUntrustedKey", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestFetchJWKSErrors(t *testing.T) {
	s := startIssuer(t)
	ctx := context.Background()
	// The backend layout serves the same set.
	if set, err := agentidentity.FetchJWKS(ctx, nil, agentidentity.JWKSURL(s.URL+"/backend-api")); err != nil || len(set.Keys) != 1 {
		t.Fatalf("backend-api layout: %v %+v", err, set)
	}
	s.FailAgentJWKS(http.StatusServiceUnavailable)
	_, err := agentidentity.FetchJWKS(ctx, nil, agentidentity.JWKSURL(s.URL))
	if err == nil || !strings.Contains(err.Error(), "agent identity JWKS endpoint returned an error: 503") {
		t.Errorf("503: %v", err)
	}
	_, err = agentidentity.FetchJWKS(ctx, nil, s.URL+"/oauth/authorize") // answers, but not with a key set
	if err == nil {
		t.Error("a non-JWKS answer was accepted")
	}
	s.Close()
	_, err = agentidentity.FetchJWKS(ctx, nil, agentidentity.JWKSURL(s.URL))
	if err == nil || !strings.Contains(err.Error(), "failed to request agent identity JWKS") {
		t.Errorf("down: %v", err)
	}
}

func TestParseJWKSSkipsUnusableKeys(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(map[string]any{"keys": []any{
		map[string]string{"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
		issuertest.RSAJWK("small", &small.PublicKey),
	}})
	set, err := agentidentity.ParseJWKS(doc)
	if err != nil || len(set.Keys) != 0 {
		t.Fatalf("ParseJWKS = %+v, %v; want no usable keys", set, err)
	}
	for _, bad := range []string{`[]`, `{}`, `{"keys":[{"kty":"RSA","n":"!","e":"AQAB"}]}`, `{"keys":[1]}`} {
		if _, err := agentidentity.ParseJWKS([]byte(bad)); err == nil {
			t.Errorf("ParseJWKS(%s) succeeded", bad)
		}
	}
}
