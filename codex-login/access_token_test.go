package login_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/issuertest"
)

// agentToken signs the issuer's default agent identity claims, edited by
// edit, with its published key (or with key when non-nil).
func agentToken(t *testing.T, s *issuertest.Server, key *rsa.PrivateKey, edit func(map[string]any)) string {
	t.Helper()
	c, err := s.AgentIdentityClaims(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(c)
	}
	var tok string
	if key != nil {
		tok, err = issuertest.SignRS256(key, c, nil)
	} else {
		tok, err = s.SignAgentIdentity(c, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestAccessTokenLoginStatusLogout: `login --with-access-token` stores the
// verified token as 0.169 does (its exact auth.json, 0600), status
// verifies it again and reports it, token refuses it, logout removes it.
func TestAccessTokenLoginStatusLogout(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	c := cli{env: agentEnv(s, home)}
	tok := agentToken(t, s, nil, nil)

	code, stdout, stderr := c.run(t, tok+"\n", "login", "--with-access-token")
	if want := "Reading access token from stdin...\nSuccessfully logged in\n"; code != 0 || stderr != want || stdout != "" {
		t.Fatalf("login --with-access-token = %d %q %q, want 0 %q", code, stdout, stderr, want)
	}
	data, err := os.ReadFile(authfile.Path(home))
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"auth_mode\": \"agentIdentity\",\n  \"OPENAI_API_KEY\": null,\n  \"agent_identity\": \"" + tok + "\"\n}"; string(data) != want {
		t.Errorf("auth.json =\n%s\nwant\n%s", data, want)
	}
	if fi, err := os.Stat(authfile.Path(home)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("auth.json mode: %v %v", fi.Mode(), err)
	}
	if n := s.Stats().AgentJWKSRequests; n != 1 {
		t.Errorf("key set fetched %d times by login, want 1", n)
	}
	if n := s.Stats().AgentTaskRegistrations; n != 0 {
		t.Errorf("login registered %d tasks; 0.169's login registers none", n)
	}

	code, _, stderr = c.run(t, "", "status")
	if code != 0 || stderr != "Logged in using access token\n" {
		t.Errorf("status = %d %q", code, stderr)
	}
	if n := s.Stats().AgentJWKSRequests; n != 2 {
		t.Errorf("status did not verify the token again (%d key set requests)", n)
	}
	if n := len(s.AgentTasks()); n != 1 {
		t.Errorf("status registered %d tasks, want 1 (0.169 registers one)", n)
	}
	code, stdout, _ = c.run(t, "", "status", "--json")
	var st map[string]any
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 0 {
		t.Fatalf("status --json = %d %q: %v", code, stdout, err)
	}
	if st["mode"] != "agentIdentity" || st["account_id"] != "acct-test-0001" || st["email"] != "user@example.com" || st["logged_in"] != true {
		t.Errorf("status --json = %v", st)
	}

	// The key set is unavailable: status says so and fails (0.169 too).
	s.FailAgentJWKS(http.StatusServiceUnavailable)
	code, _, stderr = c.run(t, "", "status")
	if code != 1 || !strings.HasPrefix(stderr, "Error checking login status: agent identity JWKS endpoint returned an error: 503") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("status, key set down = %d %q", code, stderr)
	}
	s.FailAgentJWKS(0)
	// Two hours later the token has expired: status reports it.
	c.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	code, _, stderr = c.run(t, "", "status")
	if code != 1 || !strings.Contains(stderr, "expired at") {
		t.Errorf("status, expired = %d %q", code, stderr)
	}
	c.now = nil

	code, stdout, stderr = c.run(t, "", "token")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "has no bearer token") {
		t.Errorf("token = %d %q %q", code, stdout, stderr)
	}
	code, _, stderr = c.run(t, "", "logout")
	if code != 0 || stderr != "Successfully logged out\n" {
		t.Errorf("logout = %d %q", code, stderr)
	}
	if _, err := os.Stat(authfile.Path(home)); !os.IsNotExist(err) {
		t.Errorf("auth.json after logout: %v", err)
	}
}

// agentEnv points the CLI at the local issuer for the key set and the
// auth API (0.169's two overrides; chatgpt_base_url stays OpenAI's).
func agentEnv(s *issuertest.Server, home string) map[string]string {
	return map[string]string{"CODEX_HOME": home, "CODEX_AGENT_IDENTITY_JWKS_BASE_URL": s.URL,
		"CODEX_AGENT_IDENTITY_AUTHAPI_BASE_URL": s.URL + issuertest.AgentAuthAPIPath}
}

// TestAccessTokenOlderRecord: an auth.json whose agent_identity is the
// record object of an older Codex CLI is kept as it is and reported with
// what to do, not taken for a login.
func TestAccessTokenOlderRecord(t *testing.T) {
	home := t.TempDir()
	old := `{"auth_mode":"agentIdentity","OPENAI_API_KEY":null,"agent_identity":{"agent_runtime_id":"r"}}`
	if err := os.WriteFile(authfile.Path(home), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	c := cli{env: map[string]string{"CODEX_HOME": home}}
	code, _, stderr := c.run(t, "", "status")
	if code != 1 || !strings.Contains(stderr, "run `codex login --with-access-token` again") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("status = %d %q", code, stderr)
	}
	if b, err := os.ReadFile(authfile.Path(home)); err != nil || string(b) != old {
		t.Errorf("auth.json changed: %v %s", err, b)
	}
}

// TestAccessTokenChatGPTBaseURL: without the environment override the key
// set comes from chatgpt_base_url, in the backend-api layout.
func TestAccessTokenChatGPTBaseURL(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	c := cli{env: map[string]string{"CODEX_HOME": t.TempDir()}}
	code, _, stderr := c.run(t, agentToken(t, s, nil, nil), "login", "--with-access-token", "-c", `chatgpt_base_url="`+s.URL+`/backend-api/"`)
	if code != 0 || s.Stats().AgentJWKSRequests != 1 {
		t.Fatalf("login = %d %q (%d key set requests)", code, stderr, s.Stats().AgentJWKSRequests)
	}
}

// TestAccessTokenLoginRefused: every token the verifier must refuse is
// refused with one line and exit status 1, and the login already stored
// is left as it was.
func TestAccessTokenLoginRefused(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := agentToken(t, s, nil, nil)
	tests := []struct {
		name, stdin string
		args        []string
		jwksDown    bool
		code        int
		want        string
	}{
		{name: "another key", stdin: agentToken(t, s, foreign, nil), code: 1,
			want: "Error logging in with access token: failed to verify agent identity JWT: the signature does not match the published keys"},
		{name: "wrong issuer", stdin: agentToken(t, s, nil, func(c map[string]any) { c["iss"] = s.URL }), code: 1,
			want: `Error logging in with access token: failed to verify agent identity JWT: issuer "` + s.URL + `"`},
		{name: "wrong audience", stdin: agentToken(t, s, nil, func(c map[string]any) { c["aud"] = "codex-cli" }), code: 1,
			want: `Error logging in with access token: failed to verify agent identity JWT: audience "codex-cli"`},
		{name: "expired", stdin: agentToken(t, s, nil, func(c map[string]any) { c["exp"] = time.Now().Add(-5 * time.Minute).Unix() }), code: 1,
			want: "Error logging in with access token: failed to verify agent identity JWT: expired at"},
		{name: "not a JWT", stdin: "sk-not-a-jwt", code: 1,
			want: "Error logging in with access token: failed to decode agent identity JWT: invalid agent identity JWT format"},
		{name: "empty", stdin: " \n", code: 1, want: "No access token provided via stdin."},
		{name: "too long", stdin: strings.Repeat("a", 64<<10+1), code: 1,
			want: "Error logging in with access token: stdin holds more than 65536 bytes"},
		{name: "key set down", stdin: valid, jwksDown: true, code: 1,
			want: "Error logging in with access token: agent identity JWKS endpoint returned an error: 503"},
		{name: "forced api", stdin: valid, args: []string{"-c", `forced_login_method="api"`}, code: 1,
			want: "Access token login is disabled. Use API key login instead."},
		{name: "other workspace", stdin: valid, args: []string{"-c", `forced_chatgpt_workspace_id="acct-other"`}, code: 1,
			want: "Error logging in with access token: Login is restricted to workspace id(s) acct-other."},
		{name: "with api key", stdin: valid, args: []string{"--with-api-key"}, code: 2,
			want: "codex-login: Choose one login credential source: --with-api-key or --with-access-token."},
		{name: "with device auth", stdin: valid, args: []string{"--device-auth"}, code: 2,
			want: "codex-login: --with-access-token and --device-auth cannot be combined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			key := "sk-before-1234567890ABCD"
			if err := authfile.Save(home, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key}); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(authfile.Path(home))
			if err != nil {
				t.Fatal(err)
			}
			if tt.jwksDown {
				s.FailAgentJWKS(http.StatusServiceUnavailable)
				defer s.FailAgentJWKS(0)
			}
			c := cli{env: map[string]string{"CODEX_HOME": home, "CODEX_AGENT_IDENTITY_JWKS_BASE_URL": s.URL}}
			args := append([]string{"login", "--with-access-token"}, tt.args...)
			code, stdout, stderr := c.run(t, tt.stdin, args...)
			stderr = strings.TrimPrefix(stderr, "Reading access token from stdin...\n")
			if code != tt.code || stdout != "" || !strings.HasPrefix(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("login = %d %q %q, want %d and one line starting %q", code, stdout, stderr, tt.code, tt.want)
			}
			after, err := os.ReadFile(authfile.Path(home))
			if err != nil || string(after) != string(before) {
				t.Errorf("the stored login changed: %v\n%s", err, after)
			}
		})
	}
}
