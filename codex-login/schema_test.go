package login_test

import (
	"strings"
	"testing"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/issuertest"
	"github.com/codexgo/common/schemacheck"
)

// TestJSONSchemas: what status --json and token --json really print (an
// API key from the environment, a ChatGPT login, no login) validates
// against schema/, and a renamed field does not.
func TestJSONSchemas(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	c := cli{env: map[string]string{"CODEX_HOME": home}}
	var status, token [][]byte
	add := func(to *[][]byte, args ...string) {
		t.Helper()
		_, stdout, stderr := c.run(t, "", args...)
		if !strings.HasPrefix(stdout, "{") {
			t.Fatalf("%v: stdout %q, stderr %q", args, stdout, stderr)
		}
		*to = append(*to, []byte(strings.TrimSpace(stdout)))
	}
	toks, err := s.Mint(0)
	if err != nil {
		t.Fatal(err)
	}
	acct := "acct-test-0001"
	if err := authfile.Save(home, &authfile.File{AuthMode: "chatgpt", Tokens: &authfile.Tokens{IDToken: toks.IDToken, AccessToken: toks.AccessToken, RefreshToken: toks.RefreshToken, AccountID: &acct}}); err != nil {
		t.Fatal(err)
	}
	add(&status, "status", "--json")
	add(&token, "token", "--json")
	c.env["OPENAI_API_KEY"] = "sk-env-ABCDEFGHIJKLMNOP"
	add(&status, "status", "--json")
	add(&token, "token", "--json")
	c = cli{env: map[string]string{"CODEX_HOME": t.TempDir()}}
	add(&status, "status", "--json")
	// An access-token login, verified against the issuer's key set.
	c.env["CODEX_AGENT_IDENTITY_JWKS_BASE_URL"] = s.URL
	if code, _, stderr := c.run(t, agentToken(t, s, nil, nil), "login", "--with-access-token"); code != 0 {
		t.Fatalf("login --with-access-token: %d %s", code, stderr)
	}
	add(&status, "status", "--json")
	schemacheck.Check(t, "schema/status.schema.json", status, "protocol_version", "logged_in", "email")
	schemacheck.Check(t, "schema/token.schema.json", token, "protocol_version", "token", "mode")
}
