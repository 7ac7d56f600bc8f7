package login_test

import (
	"os"
	"strings"
	"testing"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/issuertest"
)

// TestAccessTokenStatusRegistersTask: status registers a task as 0.169's
// does, and reports each way the auth API refuses, in 0.169's words; a
// 429 or 5xx is tried three times (0.169 too), a 4xx once.
func TestAccessTokenStatusRegistersTask(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	tok := agentToken(t, s, nil, nil)
	if err := authfile.Save(home, &authfile.File{AuthMode: authfile.ModeAgentIdentity, AgentIdentity: tok}); err != nil {
		t.Fatal(err)
	}
	c := cli{env: agentEnv(s, home)}
	tests := []struct {
		name, reply string
		fail        int
		revoke      bool
		tries       int
		want        string
	}{
		{name: "encrypted_task_id", tries: 1, want: "Logged in using access token\n"},
		{name: "task_id", reply: "plain", tries: 1, want: "Logged in using access token\n"},
		{name: "taskId", reply: "camel", tries: 1, want: "Logged in using access token\n"},
		{name: "503", fail: 503, tries: 3, want: "Error checking login status: retryable agent identity registration failure: agent task registration failed with status 503 Service Unavailable: {"},
		{name: "403", fail: 403, tries: 1, want: "Error checking login status: agent task registration failed with status 403 Forbidden: {"},
		{name: "revoked runtime", revoke: true, tries: 1, want: "Error checking login status: agent task registration failed with status 404 Not Found: {"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetAgentTaskReply(tt.reply)
			s.FailAgentTasks(tt.fail)
			defer s.FailAgentTasks(0)
			if tt.revoke {
				s.RevokeAgent("agent-runtime-1")
			}
			before := s.Stats().AgentTaskRegistrations
			code, _, stderr := c.run(t, "", "status")
			if !strings.HasPrefix(stderr, tt.want) || strings.Count(stderr, "\n") != 1 || (code == 0) != (tt.want == "Logged in using access token\n") {
				t.Errorf("status = %d %q, want %q", code, stderr, tt.want)
			}
			if n := s.Stats().AgentTaskRegistrations - before; n != tt.tries {
				t.Errorf("%d registrations, want %d", n, tt.tries)
			}
		})
	}
}

// TestAccessTokenEnvironmentRule: with chatgpt_base_url outside OpenAI's
// production and staging backends, status refuses before any request
// unless the key set override names that backend itself (then the auth
// API override is used), and login refuses a key set elsewhere, as 0.169.
func TestAccessTokenEnvironmentRule(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	tok := agentToken(t, s, nil, nil)
	local := `chatgpt_base_url="` + s.URL + `/backend-api"`
	const refusal = "Agent Identity only supports production and staging ChatGPT environments"

	c := cli{env: map[string]string{"CODEX_HOME": home, "CODEX_AGENT_IDENTITY_JWKS_BASE_URL": s.URL}}
	if code, _, stderr := c.run(t, tok, "login", "--with-access-token", "-c", local); code != 1 || !strings.Contains(stderr, refusal) {
		t.Errorf("login, key set elsewhere = %d %q", code, stderr)
	}
	if err := os.WriteFile(home+"/config.toml", []byte(local+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c = cli{env: map[string]string{"CODEX_HOME": home}}
	if code, _, stderr := c.run(t, tok, "login", "--with-access-token"); code != 0 {
		t.Fatalf("login from chatgpt_base_url = %d %q", code, stderr)
	}
	before := s.Stats()
	c.env[issuerAuthEnv] = s.URL + issuertest.AgentAuthAPIPath
	if code, _, stderr := c.run(t, "", "status"); code != 1 || stderr != "Error checking login status: "+refusal+"\n" {
		t.Errorf("status, auth API override alone = %d %q", code, stderr)
	}
	if after := s.Stats(); after.AgentJWKSRequests != before.AgentJWKSRequests || after.AgentTaskRegistrations != before.AgentTaskRegistrations {
		t.Errorf("status refused after requests: %+v -> %+v", before, after)
	}
	c.env["CODEX_AGENT_IDENTITY_JWKS_BASE_URL"] = s.URL + "/backend-api/"
	if code, _, stderr := c.run(t, "", "status"); code != 0 || stderr != "Logged in using access token\n" || len(s.AgentTasks()) != 1 {
		t.Errorf("status, both overrides = %d %q (%d tasks)", code, stderr, len(s.AgentTasks()))
	}
}

const issuerAuthEnv = "CODEX_AGENT_IDENTITY_AUTHAPI_BASE_URL"

// TestAccessTokenFromEnvironment: $CODEX_ACCESS_TOKEN is what status
// reports before auth.json and before API keys in the environment, as
// 0.169's status does, and nothing is written.
func TestAccessTokenFromEnvironment(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	key := "sk-stored-1234567890ABCD"
	if err := authfile.Save(home, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(authfile.Path(home))
	env := agentEnv(s, home)
	env["CODEX_ACCESS_TOKEN"] = " " + agentToken(t, s, nil, nil) + "\n"
	env["CODEX_API_KEY"] = "sk-env-1234567890ABCDEFG"
	c := cli{env: env}
	if code, _, stderr := c.run(t, "", "status"); code != 0 || stderr != "Logged in using access token\n" || len(s.AgentTasks()) != 1 {
		t.Errorf("status = %d %q", code, stderr)
	}
	if after, _ := os.ReadFile(authfile.Path(home)); string(after) != string(before) {
		t.Errorf("auth.json changed:\n%s", after)
	}
	env["CODEX_ACCESS_TOKEN"] = "garbage"
	if code, _, stderr := c.run(t, "", "status"); code != 1 || stderr != "Error checking login status: failed to decode agent identity JWT: invalid agent identity JWT format\n" {
		t.Errorf("status, garbage = %d %q", code, stderr)
	}
	env["CODEX_ACCESS_TOKEN"] = " "
	if code, _, stderr := c.run(t, "", "status"); code != 0 || !strings.HasPrefix(stderr, "API key configured via $CODEX_API_KEY") {
		t.Errorf("status, blank token = %d %q", code, stderr)
	}
}
