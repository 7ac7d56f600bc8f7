package login_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	login "github.com/codexgo/codex-login"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/issuertest"
	"github.com/codexgo/common/selfexec"
)

// TestMain lets the test binary act as codex-login when re-executed under
// that name (the two-process refresh test).
func TestMain(m *testing.M) {
	if selfexec.Name(os.Args[0]) == "codex-login" {
		os.Exit(login.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer safe to write from the command's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type cli struct {
	env     map[string]string
	browser func(string) error
	now     func() time.Time // nil: the real clock
}

func (c cli) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb syncBuffer
	code := login.Run(context.Background(), args, login.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv:      func(k string) string { return c.env[k] },
		OpenBrowser: c.browser, Now: c.now,
	})
	return code, out.String(), errb.String()
}

func TestAPIKeyLoginStatusLogout(t *testing.T) {
	home := t.TempDir()
	c := cli{env: map[string]string{"CODEX_HOME": home}}

	code, _, stderr := c.run(t, "", "status")
	if code != 1 || stderr != "Not logged in\n" {
		t.Errorf("status (none) = %d %q", code, stderr)
	}
	code, _, stderr = c.run(t, "sk-test-1234567890ABCDEFGH\n", "login", "--with-api-key")
	if want := "Reading API key from stdin...\nAPI key saved. Authentication is checked when you send a request.\n"; code != 0 || stderr != want {
		t.Errorf("login --with-api-key = %d %q, want 0 %q", code, stderr, want)
	}
	data, err := os.ReadFile(authfile.Path(home))
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"auth_mode\": \"apikey\",\n  \"OPENAI_API_KEY\": \"sk-test-1234567890ABCDEFGH\"\n}"; string(data) != want {
		t.Errorf("auth.json = %q, want the CLI's %q", data, want)
	}
	code, _, stderr = c.run(t, "", "status")
	if want := "API key configured - sk-test-***DEFGH\nAuthentication is checked when you send a request.\n"; code != 0 || stderr != want {
		t.Errorf("status (api key) = %d %q, want %q", code, stderr, want)
	}
	code, stdout, _ := c.run(t, "", "token")
	if code != 0 || stdout != "sk-test-1234567890ABCDEFGH\n" {
		t.Errorf("token = %d %q", code, stdout)
	}
	code, _, stderr = c.run(t, "", "logout")
	if code != 0 || stderr != "Successfully logged out\n" {
		t.Errorf("logout = %d %q", code, stderr)
	}
	code, _, stderr = c.run(t, "", "logout")
	if code != 0 || stderr != "Not logged in\n" {
		t.Errorf("second logout = %d %q", code, stderr)
	}
	code, _, stderr = c.run(t, "  \n", "login", "--with-api-key")
	if code != 1 || !strings.HasSuffix(stderr, "No API key provided via stdin.\n") {
		t.Errorf("empty stdin = %d %q", code, stderr)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"sk-test-1234567890ABCDEFGH": "sk-test-***DEFGH",
		"sk-1234567890":              "***",
		"sk-12345678901":             "sk-12345***78901",
		"":                           "***",
	} {
		if got := login.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStatusVariants(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	c := cli{env: map[string]string{"CODEX_HOME": home}}

	toks, err := s.Mint(0)
	if err != nil {
		t.Fatal(err)
	}
	acct := "acct-test-0001"
	if err := authfile.Save(home, &authfile.File{AuthMode: "chatgpt", Tokens: &authfile.Tokens{IDToken: toks.IDToken, AccessToken: toks.AccessToken, RefreshToken: toks.RefreshToken, AccountID: &acct}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := c.run(t, "", "status", "--json")
	if code != 0 || stderr != "Logged in using ChatGPT\n" {
		t.Errorf("status (chatgpt) = %d %q", code, stderr)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatalf("status --json output %q: %v", stdout, err)
	}
	if st["logged_in"] != true || st["mode"] != "chatgpt" || st["email"] != "user@example.com" || st["account_id"] != acct || st["plan_type"] != "plus" {
		t.Errorf("status --json = %v", st)
	}

	c.env["OPENAI_API_KEY"] = "sk-env-ABCDEFGHIJKLMNOP"
	code, _, stderr = c.run(t, "", "status")
	if code != 0 || !strings.HasPrefix(stderr, "API key configured via $OPENAI_API_KEY - sk-env-A***LMNOP") {
		t.Errorf("status (env) = %d %q", code, stderr)
	}
	delete(c.env, "OPENAI_API_KEY")

	if err := os.WriteFile(authfile.Path(home), []byte("{\n  \"auth_mode\": \"chatgpt\",\n  \"tokens\": oops\n}"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = c.run(t, "", "status")
	if code != 1 || !strings.Contains(stderr, "invalid JSON at line 3, column 13") {
		t.Errorf("status (corrupt) = %d %q", code, stderr)
	}
	// token refuses too, and neither touched the file.
	if code, _, _ := c.run(t, "", "token"); code != 1 {
		t.Errorf("token on a corrupt file = %d, want 1", code)
	}
	data, _ := os.ReadFile(authfile.Path(home))
	if !strings.Contains(string(data), "oops") {
		t.Error("corrupt auth.json was replaced")
	}
}

func TestUsage(t *testing.T) {
	c := cli{env: map[string]string{"CODEX_HOME": t.TempDir()}}
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--bogus"}, 2, "unknown flag --bogus (see codex-login --help)"},
		{[]string{"login", "--api-key", "sk-x"}, 2, "codex-login login: --api-key is not a flag: a key on the command line would show in ps and your shell history; pipe it on stdin with --with-api-key, e.g. printenv OPENAI_API_KEY | codex login --with-api-key"},
		{[]string{"login", "--timeout", "5"}, 2, "--timeout 5: a duration needs a unit: write --timeout 5s"},
		{[]string{"status", "--jsn"}, 2, "unknown flag --jsn (did you mean --json?)"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"login", "--with-api-key", "--device-auth"}, 2, "cannot be combined"},
		{[]string{"login", "--issuer-style", "saml"}, 2, "unknown issuer style"},
		{[]string{"status", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"login", "--port", "70000"}, 2, "out of range"},
	}
	for _, tt := range tests {
		code, _, stderr := c.run(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("%v = %d %q, want %d and %q", tt.args, code, stderr, tt.code, tt.msg)
		}
		if strings.Count(stderr, "\n") > 1 {
			t.Errorf("%v: usage error is not one line: %q", tt.args, stderr)
		}
	}
	// Help goes to stdout, exit 0, and shows flags as users type them.
	for _, h := range []struct {
		args []string
		want []string
	}{
		{[]string{"-h"}, []string{"codex-login [login] [flags]", "--with-api-key", "Exit status:", "Examples:"}},
		{[]string{"login", "--help"}, []string{"codex-login login [--with-api-key", "--device-auth", "--timeout DURATION"}},
		{[]string{"status", "-h"}, []string{"codex-login status [--json]", "--json"}},
	} {
		code, stdout, stderr := c.run(t, "", h.args...)
		if code != 0 || stderr != "" {
			t.Errorf("%v = %d, stderr %q; want 0 and nothing", h.args, code, stderr)
		}
		for _, w := range h.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: help lacks %q:\n%s", h.args, w, stdout)
			}
		}
	}
}

func TestCLIBrowserLogin(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	opened := make(chan string, 1)
	c := cli{env: map[string]string{"CODEX_HOME": home}, browser: func(u string) error { opened <- u; return nil }}
	done := make(chan [3]any, 1)
	go func() {
		code, out, errs := c.run(t, "", "login", "--issuer", s.URL, "--issuer-style", "openai", "--port", "0")
		done <- [3]any{code, out, errs}
	}()
	var authURL string
	select {
	case authURL = <-opened:
	case <-time.After(10 * time.Second):
		t.Fatal("browser was not opened")
	}
	if _, _, err := issuertest.Visit(context.Background(), nil, authURL); err != nil {
		t.Fatal(err)
	}
	r := <-done
	stderr := r[2].(string)
	if r[0].(int) != 0 || !strings.HasSuffix(stderr, "Successfully logged in\n") {
		t.Fatalf("login = %v %q", r[0], stderr)
	}
	for _, want := range []string{"Starting local login server on http://127.0.0.1:", "If your browser did not open, navigate to this URL to authenticate:\n\n" + authURL + "\n\n", "--device-auth"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// token prints the stored access token; --refresh rotates it.
	f, err := authfile.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	c.env["CODEX_REFRESH_TOKEN_URL_OVERRIDE"] = s.URL + "/oauth/token"
	code, out, _ := c.run(t, "", "token")
	if code != 0 || out != f.Tokens.AccessToken+"\n" {
		t.Errorf("token = %d %q", code, out)
	}
	code, out, _ = c.run(t, "", "token", "--refresh")
	if code != 0 || out == f.Tokens.AccessToken+"\n" || s.Stats().Refreshes != 1 {
		t.Errorf("token --refresh = %d, refreshes %d", code, s.Stats().Refreshes)
	}
	// logout revokes at the issuer (override derives /oauth/revoke) and removes the file.
	f, _ = authfile.Load(home)
	code, _, stderr = c.run(t, "", "logout")
	if code != 0 || stderr != "Successfully logged out\n" || s.RefreshTokenValid(f.Tokens.RefreshToken) {
		t.Errorf("logout = %d %q, token still valid: %v", code, stderr, s.RefreshTokenValid(f.Tokens.RefreshToken))
	}
}

func TestCLINoBrowserTimeout(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	c := cli{env: map[string]string{"CODEX_HOME": home}, browser: func(string) error { t.Error("browser opened despite --no-browser"); return nil }}
	code, _, stderr := c.run(t, "", "login", "--issuer", s.URL, "--issuer-style", "openai", "--port", "0", "--no-browser", "--timeout", "100ms")
	if code != 1 || !strings.Contains(stderr, s.URL+"/oauth/authorize?") || !strings.Contains(stderr, "Error logging in: timed out") {
		t.Errorf("login = %d %q", code, stderr)
	}
	noAuthFile(t, home)
}

func TestCLIDeviceLogin(t *testing.T) {
	s := startIssuer(t, issuertest.Options{DeviceApproveAfter: 2})
	home := t.TempDir()
	c := cli{env: map[string]string{"CODEX_HOME": home}}
	code, _, stderr := c.run(t, "", "login", "--device-auth", "--issuer", s.URL, "--issuer-style", "openai")
	if code != 0 || !strings.Contains(stderr, s.URL+"/codex/device") || !strings.HasSuffix(stderr, "Successfully logged in\n") {
		t.Errorf("device login = %d %q", code, stderr)
	}
	if _, err := authfile.Load(home); err != nil {
		t.Error(err)
	}
}

// Two processes whose access token has expired start at once; refresh
// tokens rotate, so without the file lock one of them would lose the login.
func TestTwoProcessesRefreshAtOnce(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	toks, err := s.Mint(-time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := authfile.Save(home, &authfile.File{AuthMode: "chatgpt", Tokens: &authfile.Tokens{IDToken: toks.IDToken, AccessToken: toks.AccessToken, RefreshToken: toks.RefreshToken}}); err != nil {
		t.Fatal(err)
	}
	const n = 4
	outs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		cmd, err := selfexec.Command(context.Background(), "codex-login", "token")
		if err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(os.Environ(), "CODEX_HOME="+home, "CODEX_REFRESH_TOKEN_URL_OVERRIDE="+s.URL+"/oauth/token",
			"CODEX_API_KEY=", "OPENAI_API_KEY=")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = cmd.Run()
			outs[i] = out.String()
			if errs[i] != nil {
				errs[i] = &exec.ExitError{ProcessState: cmd.ProcessState, Stderr: errb.Bytes()}
			}
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Errorf("process %d failed: %v: %s", i, errs[i], errs[i].(*exec.ExitError).Stderr)
		}
		if outs[i] != outs[0] || outs[i] == toks.AccessToken+"\n" {
			t.Errorf("process %d printed %q, want the one refreshed token %q", i, outs[i], outs[0])
		}
	}
	if got := s.Stats().Refreshes; got != 1 {
		t.Errorf("refreshes = %d, want exactly 1", got)
	}
}

func TestCLIGenericOIDCDeviceLogin(t *testing.T) {
	s := startIssuer(t, issuertest.Options{ClientID: "corp-cli", DeviceApproveAfter: 1, OpaqueAccessTokens: true})
	home := t.TempDir()
	c := cli{env: map[string]string{"CODEX_HOME": home}}
	code, _, stderr := c.run(t, "", "login", "--device-auth", "--issuer", s.URL, "--client-id", "corp-cli")
	if code != 0 || !strings.Contains(stderr, "/codex/device?user_code=") {
		t.Fatalf("device login = %d %q", code, stderr)
	}
	code, _, stderr = c.run(t, "", "status")
	if code != 0 || stderr != "Logged in using "+s.URL+"\n" {
		t.Errorf("status = %d %q", code, stderr)
	}
	// A generic issuer needs a client id.
	code, _, stderr = c.run(t, "", "login", "--issuer", s.URL)
	if code != 1 || !strings.Contains(stderr, "--client-id is required") {
		t.Errorf("login without client id = %d %q", code, stderr)
	}
}

func TestLoginSetsCorruptFileAside(t *testing.T) {
	home := t.TempDir()
	corrupt := []byte(`{"auth_mode": "chatgpt", "tokens": {`)
	if err := os.WriteFile(authfile.Path(home), corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	c := cli{env: map[string]string{"CODEX_HOME": home}}
	code, _, stderr := c.run(t, "sk-test-1234567890ABCDEFGH", "login", "--with-api-key")
	if code != 0 || !strings.Contains(stderr, "The unreadable auth.json was moved to "+authfile.Path(home)+".corrupt-") {
		t.Fatalf("login = %d %q", code, stderr)
	}
	ents, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "auth.json.corrupt-") {
			data, err := os.ReadFile(home + "/" + e.Name())
			found = err == nil && bytes.Equal(data, corrupt)
		}
	}
	if !found {
		t.Errorf("corrupt content not preserved; CODEX_HOME holds %v", ents)
	}
	if code, _, _ := c.run(t, "", "status"); code != 0 {
		t.Errorf("status after the new login = %d", code)
	}
}

// TestForcedLoginMethod: config.toml's forced_login_method (or -c) turns
// the other method away with the Codex CLI's words, before anything is
// stored or a browser opened; forced_chatgpt_workspace_id refuses a
// ChatGPT account outside the workspaces.
func TestForcedLoginMethod(t *testing.T) {
	s := startIssuer(t, issuertest.Options{DeviceApproveAfter: 1, AccountID: "acct-other"})
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte("forced_login_method = \"chatgpt\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := cli{env: map[string]string{"CODEX_HOME": home}, browser: func(string) error { t.Error("browser opened for a refused login"); return nil }}
	for _, tc := range []struct {
		name       string
		stdin      string
		args       []string
		wantStderr string
	}{
		{"api key under chatgpt", "sk-test-1234567890ABCDEFGH\n", []string{"login", "--with-api-key"},
			"API key login is disabled. Use ChatGPT login instead.\n"},
		{"chatgpt under -c api", "", []string{"login", "-c", `forced_login_method="api"`, "--issuer", s.URL, "--issuer-style", "openai", "--port", "0"},
			"ChatGPT login is disabled. Use API key login instead.\n"},
		{"device login under -c api", "", []string{"login", "-c", `forced_login_method="api"`, "--device-auth", "--issuer", s.URL, "--issuer-style", "openai"},
			"ChatGPT login is disabled. Use API key login instead.\n"},
		{"unknown method", "", []string{"login", "-c", `forced_login_method="sso"`, "--device-auth"},
			"Error logging in: forced_login_method = \"sso\": want \"chatgpt\" or \"api\"\n"},
	} {
		code, _, stderr := c.run(t, tc.stdin, tc.args...)
		if code != 1 || stderr != tc.wantStderr {
			t.Errorf("%s: exit %d, stderr %q; want 1, %q", tc.name, code, stderr, tc.wantStderr)
		}
		noAuthFile(t, home)
	}
	// ChatGPT is the allowed method, but not this account's workspace.
	code, _, stderr := c.run(t, "", "login", "-c", `forced_chatgpt_workspace_id="acct-a,acct-b"`, "--device-auth", "--issuer", s.URL, "--issuer-style", "openai")
	if code != 1 || !strings.Contains(stderr, "Error logging in:") || !strings.Contains(stderr, "acct-other") {
		t.Errorf("login outside the workspaces: exit %d, stderr %q", code, stderr)
	}
	noAuthFile(t, home)
	code, _, stderr = c.run(t, "", "login", "-c", `forced_chatgpt_workspace_id="acct-a,acct-other"`, "--device-auth", "--issuer", s.URL, "--issuer-style", "openai")
	if code != 0 || !strings.HasSuffix(stderr, "Successfully logged in\n") {
		t.Errorf("login inside the workspaces: exit %d, stderr %q", code, stderr)
	}
}
