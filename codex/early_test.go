package codex

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codexgo.local/codexversion"
	"github.com/codexgo/codex/internal/early"
)

// TestEarlyMatchesBundle holds package early and codexversion, which run
// the light tools and `codex --version` from the binary's first
// initialisers, to what the dispatcher does with the same argv: same exit
// code, same output; and to doing nothing for every other argv.
func TestEarlyMatchesBundle(t *testing.T) {
	bg := func() context.Context { return context.Background() }
	// Either package runs the command, never both.
	run := func(argv []string, stdout, stderr *bytes.Buffer) (int, bool) {
		if codexversion.Run(argv, stdout) {
			if code, ok := early.Run(bg, argv, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); ok {
				return code, false
			}
			return 0, true
		}
		return early.Run(bg, argv, strings.NewReader(""), stdout, stderr)
	}
	handled := [][]string{
		{"codex", "--version"},
		{"codex", "-V"},
		{"codex", "version"},
		{"/usr/local/bin/codex", "--version"},
		{"codex-execpolicy", "check", "--", "git", "status"},
		{"codex-execpolicy", "check", "--", "rm", "-rf", "/"},
		{"/x/codex-execpolicy", "--help"},
		{"codex-execpolicy"},
		{"codex-execpolicy", "--no-such-flag"},
		{"codex-sandbox", "--help"},
		{"codex-sandbox", "--no-such-flag"},
		{"codex-linux-sandbox", "--help"},
	}
	for _, argv := range handled {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			var eo, ee, bo, be bytes.Buffer
			code, ok := run(argv, &eo, &ee)
			if !ok {
				t.Fatal("neither early nor codexversion ran it")
			}
			want := Default().Run(context.Background(), argv, strings.NewReader(""), &bo, &be)
			if code != want || eo.String() != bo.String() || ee.String() != be.String() {
				t.Errorf("early: %d %q %q\ndispatcher: %d %q %q", code, eo.String(), ee.String(), want, bo.String(), be.String())
			}
			if eo.Len()+ee.Len() == 0 {
				t.Error("no output at all")
			}
		})
	}
	passed := [][]string{
		nil,
		{"codex"},
		{"codex", "--version", "extra"},
		{"codex", "-c", "model=o3", "--version"},
		{"codex", "exec", "--help"},
		{"codex-tui", "--version"},
		{"codex-login", "token"},
		{"codex-login", "--version"},
		{"codex-agent", "--help"},
		{"codex-mcp-client", "--help"},
		{"my-codex", "--version"},
		{"codex-execpolicy.sh", "--help"},
	}
	for _, argv := range passed {
		var out, errb bytes.Buffer
		if code, ok := run(argv, &out, &errb); ok || code != 0 || out.Len()+errb.Len() > 0 {
			t.Errorf("%q: early or codexversion ran it (%v, %d, %q, %q); it belongs to the dispatcher", argv, ok, code, out.String(), errb.String())
		}
	}
	t.Run("codex-login status", func(t *testing.T) { testEarlyLoginStatus(t, run) })
}

// A ChatGPT login as the Codex CLI writes it (codex-login/authfile's
// testdata): an ID token with email, account and plan, an access token
// with exp.
const chatgptAuth = `{"auth_mode": "chatgpt", "OPENAI_API_KEY": null, "tokens": {` +
	`"id_token": "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6InVAZXhhbXBsZS5jb20iLCJodHRwczovL2FwaS5vcGVuYWkuY29tL2F1dGgiOnsiY2hhdGdwdF9hY2NvdW50X2lkIjoiYWNjdC0xIiwiY2hhdGdwdF9wbGFuX3R5cGUiOiJwcm8ifX0.c2ln", ` +
	`"access_token": "eyJhbGciOiJub25lIn0.eyJleHAiOjE3OTU0NjM5MTR9.c2ln", "refresh_token": "rt", "account_id": "acct-1"}, ` +
	`"last_refresh": "2026-11-23T19:51:54Z"}`

// An access token login (agent_identity is no valid JWT: its check fails
// before any request). Its status needs the network, so early leaves it
// to the dispatcher.
const agentAuth = `{"auth_mode": "agentIdentity", "OPENAI_API_KEY": null, "agent_identity": "a.b.c"}`

// testEarlyLoginStatus holds early's `codex-login status` (package
// codex-login/status, run before net/http initialises) to the
// dispatcher's codex-login in each kind of login, and to leaving
// everything else to it: other arguments, flags it does not parse, flags
// from CODEX_LOGIN_* and access tokens, whose check needs the network.
func testEarlyLoginStatus(t *testing.T, run func([]string, *bytes.Buffer, *bytes.Buffer) (int, bool)) {
	for _, tc := range []struct {
		name    string
		auth    string // auth.json; "" for none
		config  string // config.toml; "" for none
		env     map[string]string
		args    []string
		handled bool
		code    int // the dispatcher's, as a check on the setup
	}{
		{name: "api key", auth: `{"OPENAI_API_KEY": "sk-test-1234567890ABCDEFGH"}`, args: []string{"status"}, handled: true},
		{name: "api key json", auth: `{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-short"}`, args: []string{"status", "--json"}, handled: true},
		{name: "api key from OPENAI_API_KEY", env: map[string]string{"OPENAI_API_KEY": " sk-env-1234567890ABCDEFGH "}, args: []string{"status", "-json"}, handled: true},
		{name: "CODEX_API_KEY first", auth: chatgptAuth, env: map[string]string{"CODEX_API_KEY": "sk-codex-1234567890", "OPENAI_API_KEY": "sk-openai-123456789"}, args: []string{"status"}, handled: true},
		{name: "chatgpt", auth: chatgptAuth, args: []string{"status"}, handled: true},
		{name: "chatgpt json", auth: chatgptAuth, args: []string{"status", "--json"}, handled: true},
		{name: "chatgpt --json=false --", auth: chatgptAuth, args: []string{"status", "--json=false", "--"}, handled: true},
		{name: "oidc", auth: `{"tokens": {"id_token": "x", "access_token": "opaque", "refresh_token": "r"}, "oidc": {"issuer": "https://idp.example.com", "client_id": "c", "expires_at": "2030-01-02T03:04:05Z"}}`, args: []string{"status", "--json"}, handled: true},
		{name: "logged out", args: []string{"status"}, handled: true, code: 1},
		{name: "logged out json", args: []string{"status", "--json"}, handled: true, code: 1},
		{name: "bad auth.json", auth: `{"auth_mode": "chatgpt", "tokens": [}`, args: []string{"status", "--json"}, handled: true, code: 1},
		{name: "bad auth.json field", auth: `{"OPENAI_API_KEY": 42}`, args: []string{"status"}, handled: true, code: 1},
		{name: "older agent identity record", auth: `{"auth_mode": "agentIdentity", "OPENAI_API_KEY": null}`, args: []string{"status", "--json"}, handled: true, code: 1},
		{name: "no CODEX_HOME", env: map[string]string{"CODEX_HOME": "/nonexistent/codex-home"}, args: []string{"status"}, handled: true, code: 1},
		{name: "unknown flag", auth: chatgptAuth, args: []string{"status", "--jsn"}, code: 2},
		{name: "help", auth: chatgptAuth, args: []string{"status", "--help"}},
		{name: "-h after --json", args: []string{"status", "--json", "-h"}},
		{name: "argument", args: []string{"status", "extra"}, code: 2},
		{name: "other case", auth: chatgptAuth, args: []string{"STATUS"}},
		{name: "root flag first", auth: chatgptAuth, args: []string{"--no-browser", "status"}},
		{name: "flag from the environment", auth: chatgptAuth, env: map[string]string{"CODEX_LOGIN_JSON": "1"}, args: []string{"status"}},
		{name: "bad root flag from the environment", auth: chatgptAuth, env: map[string]string{"CODEX_LOGIN_PORT": "x"}, args: []string{"status"}, code: 1},
		{name: "access token from the environment", env: map[string]string{"CODEX_ACCESS_TOKEN": "not-a-jwt", "OPENAI_API_KEY": "sk-env-1234567890ABCDEFGH"}, args: []string{"status"}, code: 1},
		// An access token login in auth.json; chatgpt_base_url too makes
		// its check fail before any request.
		{name: "access token in auth.json", auth: agentAuth, config: "chatgpt_base_url = \"http://127.0.0.1:1/\"\n", args: []string{"status", "--json"}, code: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			for _, k := range []string{"CODEX_API_KEY", "OPENAI_API_KEY", "CODEX_ACCESS_TOKEN", "CODEX_LOGIN_JSON", "CODEX_LOGIN_PORT"} {
				t.Setenv(k, "")
			}
			t.Setenv("CODEX_HOME", home)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			for name, data := range map[string]string{"auth.json": tc.auth, "config.toml": tc.config} {
				if data != "" {
					if err := os.WriteFile(filepath.Join(home, name), []byte(data), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			argv := append([]string{"/usr/bin/codex-login"}, tc.args...)
			var eo, ee, bo, be bytes.Buffer
			code, ok := run(argv, &eo, &ee)
			want := Default().Run(context.Background(), argv, strings.NewReader(""), &bo, &be)
			if want != tc.code {
				t.Errorf("the dispatcher exits %d, want %d (%q %q)", want, tc.code, bo.String(), be.String())
			}
			if !tc.handled {
				if ok || code != 0 || eo.Len()+ee.Len() > 0 {
					t.Errorf("early ran it (%d, %q, %q); it belongs to the dispatcher", code, eo.String(), ee.String())
				}
				return
			}
			if !ok {
				t.Fatal("early did not run it")
			}
			if code != want || eo.String() != bo.String() || ee.String() != be.String() {
				t.Errorf("early: %d %q %q\ndispatcher: %d %q %q", code, eo.String(), ee.String(), want, bo.String(), be.String())
			}
			if ee.Len() == 0 {
				t.Error("nothing on stderr")
			}
		})
	}
}
