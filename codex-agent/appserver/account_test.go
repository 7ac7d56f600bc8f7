package appserver_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/codexgo/codex-login/issuertest"
)

// TestAccountReadAccessToken: account/read reports a login made with an
// access token (`codex login --with-access-token`, stored in auth.json as
// auth_mode agentIdentity, or $CODEX_ACCESS_TOKEN) as the Codex CLI
// 0.169 does (measured against its app-server with the same local key
// set and auth API): once the token verifies and a task registers, a
// chatgpt account with the token's email (null when it has none) and
// plan, and its chatgpt_user_id as userId; a token that does not verify
// (expired), whose task cannot register, or that is no JWT, no account.
// Plans read as 0.169 reads them: the schema's names, "hc" as
// enterprise, "education" as edu, anything else (case counts) unknown.
func TestAccountReadAccessToken(t *testing.T) {
	t.Parallel()
	iss, err := issuertest.Start(issuertest.Options{Email: "agent@example.com", PlanType: "pro", AccountID: "acct-agent-1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	token := func(edit func(map[string]any)) string {
		c, err := iss.AgentIdentityClaims(time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		c["chatgpt_user_id"] = "user-agent-1"
		if edit != nil {
			edit(c)
		}
		tok, err := iss.SignAgentIdentity(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	plan := func(p string) func(map[string]any) { return func(c map[string]any) { c["plan_type"] = p } }
	const (
		chatgptPro = `{"account":{"email":"agent@example.com","planType":"pro","type":"chatgpt","workspaceName":null},"requiresOpenaiAuth":true,"userId":"user-agent-1"}`
		none       = `{"account":null,"requiresOpenaiAuth":true,"userId":null}`
	)
	for _, tc := range []struct {
		name    string
		token   string
		env     bool   // $CODEX_ACCESS_TOKEN instead of auth.json
		authAPI string // the auth API's path on the issuer
		want    string
	}{
		{"auth.json", token(nil), false, "", chatgptPro},
		{"CODEX_ACCESS_TOKEN", token(nil), true, "", chatgptPro},
		{"no email", token(func(c map[string]any) { delete(c, "email") }), false, "",
			`{"account":{"email":null,"planType":"pro","type":"chatgpt","workspaceName":null},"requiresOpenaiAuth":true,"userId":"user-agent-1"}`},
		{"plan hc", token(plan("hc")), false, "",
			`{"account":{"email":"agent@example.com","planType":"enterprise","type":"chatgpt","workspaceName":null},"requiresOpenaiAuth":true,"userId":"user-agent-1"}`},
		{"plan education", token(plan("education")), true, "",
			`{"account":{"email":"agent@example.com","planType":"edu","type":"chatgpt","workspaceName":null},"requiresOpenaiAuth":true,"userId":"user-agent-1"}`},
		{"plan of the schema", token(plan("self_serve_business_usage_based")), false, "",
			`{"account":{"email":"agent@example.com","planType":"self_serve_business_usage_based","type":"chatgpt","workspaceName":null},"requiresOpenaiAuth":true,"userId":"user-agent-1"}`},
		{"plan in capitals", token(plan("Business")), false, "",
			`{"account":{"email":"agent@example.com","planType":"unknown","type":"chatgpt","workspaceName":null},"requiresOpenaiAuth":true,"userId":"user-agent-1"}`},
		{"expired", token(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), false, "", none},
		{"task refused", token(nil), false, "/nope", none},
		{"not a JWT", "not.a.jwt", false, "", none},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			authAPI := issuertest.AgentAuthAPIPath
			if tc.authAPI != "" {
				authAPI = tc.authAPI
			}
			f.env = append(f.env, "CODEX_API_KEY=", "CODEX_ACCESS_TOKEN=",
				"CODEX_AGENT_IDENTITY_JWKS_BASE_URL="+iss.URL, "CODEX_AGENT_IDENTITY_AUTHAPI_BASE_URL="+iss.URL+authAPI)
			if tc.env {
				f.env = append(f.env, "CODEX_ACCESS_TOKEN="+tc.token)
			} else {
				auth, err := json.Marshal(map[string]any{"auth_mode": "agentIdentity", "OPENAI_API_KEY": nil, "agent_identity": tc.token})
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(f.home, "auth.json"), auth, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c := f.start(t)
			for _, refresh := range []bool{false, true} {
				m := c.call("account/read", map[string]any{"refreshToken": refresh})
				var got any
				m.decode(t, &got)
				b, err := json.Marshal(got) // keys sorted
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != tc.want {
					t.Errorf("account/read (refreshToken %v) = %s\nwant %s", refresh, b, tc.want)
				}
			}
		})
	}
}
