package codex

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/codex-login/issuertest"
)

// agentBed is an access token end to end: OpenAI's issuer (key set, auth
// API) and the model API as local stand-ins, the model API refusing every
// request whose AgentAssertion the backend would refuse.
type agentBed struct {
	iss  *issuertest.Server
	srv  *modelserver.Server
	bin  string
	dir  string
	skew time.Duration // the model server's clock runs this far ahead
}

func newAgentBed(t *testing.T, turns int) *agentBed {
	t.Helper()
	b := &agentBed{bin: codexBinary(t), dir: t.TempDir()}
	iss, err := issuertest.Start(issuertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	var ts []modelserver.Turn
	for range turns {
		ts = append(ts, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("signed answer")}})
	}
	srv, err := modelserver.Start(modelserver.Script{Turns: ts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	srv.RequireAuth(func(h http.Header) error { return iss.VerifyAgentAssertion(h, time.Now().Add(b.skew)) })
	b.iss, b.srv = iss, srv
	return b
}

// token mints an agent identity JWT; edit may change its claims.
func (b *agentBed) token(t *testing.T, edit func(map[string]any)) string {
	t.Helper()
	c, err := b.iss.AgentIdentityClaims(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(c)
	}
	tok, err := b.iss.SignAgentIdentity(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// run runs the codex binary with CODEX_HOME home, the model at the model
// server (openai_base_url, which 0.169 honours for every login) and the
// agent identity endpoints at the issuer (0.169's two overrides).
func (b *agentBed) run(t *testing.T, home, stdin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "openai_base_url = \"" + b.srv.URL() + "\"\nmodel = \"gpt-test\"\n"
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(b.bin, args...)
	cmd.Dir = b.dir
	cmd.Env = append(os.Environ(), "CODEX_HOME="+home, "HOME="+b.dir, "OPENAI_API_KEY=", "CODEX_API_KEY=", "OPENAI_BASE_URL=", "CODEX_ACCESS_TOKEN=",
		"CODEX_AGENT_IDENTITY_JWKS_BASE_URL="+b.iss.URL, "CODEX_AGENT_IDENTITY_AUTHAPI_BASE_URL="+b.iss.URL+issuertest.AgentAuthAPIPath)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

var execArgs = []string{"exec", "--skip-git-repo-check", "--sandbox", "read-only", "say hi"}

// TestAccessTokenExecSigned: after `codex login --with-access-token`, and
// with $CODEX_ACCESS_TOKEN instead of a login, codex exec reaches the
// model with 0.169's headers (an AgentAssertion of a task it registered,
// ChatGPT-Account-ID) and the model API, which checks them as the backend
// would, answers.
func TestAccessTokenExecSigned(t *testing.T) {
	b := newAgentBed(t, 2)
	home := filepath.Join(b.dir, "home")
	if code, _, stderr := b.run(t, home, b.token(t, nil), nil, "login", "--with-access-token"); code != 0 {
		t.Fatalf("login = %d %s", code, stderr)
	}
	code, stdout, stderr := b.run(t, home, "", nil, execArgs...)
	if code != 0 || !strings.Contains(stdout, "signed answer") {
		t.Fatalf("exec after login = %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	other := filepath.Join(b.dir, "other")
	code, stdout, stderr = b.run(t, other, "", []string{"CODEX_ACCESS_TOKEN=" + b.token(t, nil)}, execArgs...)
	if code != 0 || !strings.Contains(stdout, "signed answer") {
		t.Fatalf("exec with $CODEX_ACCESS_TOKEN = %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(other, "auth.json")); !os.IsNotExist(err) {
		t.Errorf("$CODEX_ACCESS_TOKEN was stored: %v", err)
	}
	reqs := b.srv.Requests()
	if len(reqs) != 2 || len(b.iss.AgentTasks()) != 2 {
		t.Fatalf("%d model requests, %d tasks; want 2 and 2", len(reqs), len(b.iss.AgentTasks()))
	}
	for i, r := range reqs {
		if r.Header.Get("ChatGPT-Account-ID") != "acct-test-0001" || r.Header.Get("X-OpenAI-Fedramp") != "" {
			t.Errorf("request %d headers: %v", i, r.Header)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(r.Header.Get("Authorization"), "AgentAssertion "))
		var a map[string]string
		if err := json.Unmarshal(raw, &a); err != nil || a["agent_runtime_id"] != "agent-runtime-"+string(rune('1'+i)) {
			t.Errorf("request %d assertion %s: %v", i, raw, err)
		}
	}
}

// TestAccessTokenExecRefused: what the backend refuses ends the run with
// the reason and nothing reaches the model, or the model API answers 401;
// each case is a check of the stand-ins that a broken client would pass
// without it.
func TestAccessTokenExecRefused(t *testing.T) {
	b := newAgentBed(t, 1)
	foreign := func(c map[string]any) {
		// A runtime key that is not the one the backend issued: the
		// registration signature does not verify.
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		c["agent_private_key"] = base64.StdEncoding.EncodeToString(der)
	}
	tests := []struct {
		name   string
		edit   func(map[string]any)
		revoke bool
		skew   time.Duration
		want   string
	}{
		{name: "foreign runtime key", edit: foreign, want: "agent task registration failed with status 401 Unauthorized"},
		{name: "revoked runtime", revoke: true, want: "agent task registration failed with status 404 Not Found"},
		{name: "stale assertion", skew: 10 * time.Minute, want: "is outside the accepted window"},
		{name: "other account", edit: func(c map[string]any) { c["account_id"] = "acct-other" }, want: `ChatGPT-Account-ID "acct-other" is not the runtime's account`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := b.token(t, tt.edit)
			if tt.revoke {
				b.iss.RevokeAgent(b.iss.AgentRuntimes()[len(b.iss.AgentRuntimes())-1])
			}
			b.skew = tt.skew
			defer func() { b.skew = 0 }()
			code, stdout, stderr := b.run(t, filepath.Join(b.dir, strings.ReplaceAll(tt.name, " ", "-")), "",
				[]string{"CODEX_ACCESS_TOKEN=" + tok}, execArgs...)
			if code == 0 || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exec = %d, want a failure with %q\nstdout: %s\nstderr: %s", code, tt.want, stdout, stderr)
			}
			if b.srv.Remaining() != 1 {
				t.Errorf("the model answered a refused request")
			}
		})
	}
}
