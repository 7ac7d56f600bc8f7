package login_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	login "github.com/codexgo/codex-login"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/issuertest"
	"github.com/codexgo/codex-login/oauth"
)

func startIssuer(t *testing.T, opts issuertest.Options) *issuertest.Server {
	t.Helper()
	s, err := issuertest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type flowResult struct {
	res login.Result
	err error
}

// startBrowser runs BrowserLogin in the background and returns the
// authorize URL it offers and a channel with its outcome.
func startBrowser(t *testing.T, ctx context.Context, o login.Options) (string, <-chan flowResult) {
	t.Helper()
	urls := make(chan string, 1)
	o.OnURL = func(u string) { urls <- u }
	if o.Ports == nil {
		o.Ports = []int{0}
	}
	done := make(chan flowResult, 1)
	go func() {
		r, err := login.BrowserLogin(ctx, o)
		done <- flowResult{r, err}
	}()
	select {
	case u := <-urls:
		return u, done
	case r := <-done:
		t.Fatalf("BrowserLogin ended before offering a URL: %v", r.err)
	case <-time.After(10 * time.Second):
		t.Fatal("no authorize URL within 10 s")
	}
	return "", nil
}

func wait(t *testing.T, done <-chan flowResult) flowResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("login did not finish within 20 s")
	}
	return flowResult{}
}

func callbackBase(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	ru, err := url.Parse(u.Query().Get("redirect_uri"))
	if err != nil {
		t.Fatal(err)
	}
	return "http://" + ru.Host
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func noAuthFile(t *testing.T, home string) {
	t.Helper()
	if _, err := os.Stat(authfile.Path(home)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("auth.json exists after a failed login (stat: %v)", err)
	}
}

// wellFormed checks the page parses as XML (it is written as polyglot
// HTML) and has the expected title.
func wellFormed(t *testing.T, body, title string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(body))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("page is not well-formed: %v\n%s", err, body)
		}
	}
	if !strings.Contains(body, "<title>"+title+"</title>") {
		t.Errorf("page lacks title %q:\n%s", title, body)
	}
}

func TestBrowserLoginEndToEnd(t *testing.T) {
	s := startIssuer(t, issuertest.Options{Email: "dev@example.com", PlanType: "pro", AccountID: "acct-42"})
	home := t.TempDir()
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI()})

	base := callbackBase(t, authURL)
	if want := s.URL + "/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&redirect_uri=" +
		url.QueryEscape(base+"/auth/callback") + "&code_challenge="; !strings.HasPrefix(authURL, want) {
		t.Errorf("authorize URL %s\ndoes not start with %s", authURL, want)
	}
	if !strings.HasSuffix(authURL, "&id_token_add_organizations=true&codex_cli_simplified_flow=true&originator=codex_cli_rs") {
		t.Errorf("authorize URL lacks the Codex parameters: %s", authURL)
	}

	// The "browser": follows the issuer's redirect to our callback, and
	// the callback's redirect to the success page.
	status, body, err := issuertest.Visit(context.Background(), nil, authURL)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Fatalf("final status %d: %s", status, body)
	}
	wellFormed(t, body, "Signed in to Codex")
	if !strings.Contains(body, "dev@example.com") || !strings.Contains(body, "close this tab") {
		t.Errorf("success page does not greet the user:\n%s", body)
	}

	r := wait(t, done)
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := login.Result{Mode: "chatgpt", Email: "dev@example.com", PlanType: "pro", AccountID: "acct-42", APIKey: true}
	if r.res != want {
		t.Errorf("result = %+v, want %+v", r.res, want)
	}
	f, err := authfile.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	if f.AuthMode != "chatgpt" || f.APIKey == nil || *f.APIKey != s.APIKey() || f.AccountID() != "acct-42" || f.LastRefresh.IsZero() || f.OIDC != nil {
		t.Errorf("auth.json = %+v", f)
	}
	if !s.RefreshTokenValid(f.Tokens.RefreshToken) {
		t.Error("stored refresh token is not the issued one")
	}
	fi, err := os.Stat(authfile.Path(home))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("auth.json mode = %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	// The server is gone once the login returns.
	if _, err := http.Get(base + "/success"); err == nil {
		t.Error("callback server still listening after the login")
	}
}

func TestAPIKeyExchangeIsBestEffort(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	s.FailAPIKeyExchange(true)
	home := t.TempDir()
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI()})
	if _, _, err := issuertest.Visit(context.Background(), nil, authURL); err != nil {
		t.Fatal(err)
	}
	r := wait(t, done)
	if r.err != nil || r.res.APIKey {
		t.Fatalf("result %+v, %v; want success without API key", r.res, r.err)
	}
	data, err := os.ReadFile(authfile.Path(home))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\"OPENAI_API_KEY\": null,") {
		t.Errorf("OPENAI_API_KEY not null:\n%s", data)
	}
}

func TestWrongStateKeepsWaiting(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI()})
	base := callbackBase(t, authURL)
	for _, q := range []string{"?code=x&state=forged", "?code=x", ""} {
		status, body := get(t, base+"/auth/callback"+q)
		if status != http.StatusBadRequest || body != "State mismatch" {
			t.Errorf("callback%s = %d %q, want 400 State mismatch", q, status, body)
		}
	}
	select {
	case r := <-done:
		t.Fatalf("login ended on a forged callback: %v", r.err)
	default:
	}
	if _, _, err := issuertest.Visit(context.Background(), nil, authURL); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, done); r.err != nil {
		t.Fatal(r.err)
	}
}

func TestDeniedConsent(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	s.Deny("access_denied")
	home := t.TempDir()
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI()})
	status, body, err := issuertest.Visit(context.Background(), nil, authURL)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Errorf("error page status %d", status)
	}
	wellFormed(t, body, "Sign-in failed")
	r := wait(t, done)
	if r.err == nil || !strings.Contains(r.err.Error(), "access_denied") {
		t.Errorf("err = %v, want access_denied", r.err)
	}
	noAuthFile(t, home)
}

func TestCancelAndNotFound(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI()})
	base := callbackBase(t, authURL)
	if status, _ := get(t, base+"/favicon.ico"); status != http.StatusNotFound {
		t.Errorf("unknown path status %d, want 404", status)
	}
	if status, _ := get(t, base+"/success"); status != http.StatusNotFound {
		t.Errorf("/success before login: status %d, want 404", status)
	}
	status, body := get(t, base+"/cancel")
	if status != http.StatusOK || body != "Login cancelled" {
		t.Errorf("/cancel = %d %q", status, body)
	}
	if r := wait(t, done); !errors.Is(r.err, login.ErrCancelled) {
		t.Errorf("err = %v, want ErrCancelled", r.err)
	}
	noAuthFile(t, home)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPortBusy(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	// A foreign socket that ignores /cancel holds the port.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = busy.Close() }()
	go func() {
		for {
			c, err := busy.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	port := busy.Addr().(*net.TCPAddr).Port
	home := t.TempDir()
	o := login.Options{Home: home, Issuer: s.OpenAI(), Ports: []int{port}, BindRetries: 3, BindInterval: 10 * time.Millisecond,
		OnURL: func(string) { t.Error("OnURL called although no port was free") }}
	_, err = login.BrowserLogin(context.Background(), o)
	if want := "Port 127.0.0.1:" + strconv.Itoa(port) + " is already in use"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}

	// With a fallback port the login comes up there.
	fallback := freePort(t)
	o.Ports, o.OnURL = []int{port, fallback}, nil
	authURL, done := startBrowser(t, context.Background(), o)
	if got := callbackBase(t, authURL); got != "http://127.0.0.1:"+strconv.Itoa(fallback) {
		t.Errorf("callback on %s, want the fallback port %d", got, fallback)
	}
	if _, _, err := issuertest.Visit(context.Background(), nil, authURL); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, done); r.err != nil {
		t.Fatal(r.err)
	}
}

func TestNewLoginCancelsStaleServer(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	firstURL, first := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI()})
	port, err := strconv.Atoi(strings.TrimPrefix(callbackBase(t, firstURL), "http://127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	secondURL, second := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI(), Ports: []int{port}, BindInterval: 20 * time.Millisecond})
	if r := wait(t, first); !errors.Is(r.err, login.ErrCancelled) {
		t.Errorf("first login: %v, want ErrCancelled", r.err)
	}
	if callbackBase(t, secondURL) != callbackBase(t, firstURL) {
		t.Errorf("second login on %s, want the same port %d", callbackBase(t, secondURL), port)
	}
	if _, _, err := issuertest.Visit(context.Background(), nil, secondURL); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, second); r.err != nil {
		t.Fatal(r.err)
	}
}

func TestTimeoutAndInterrupt(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	_, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI(), Timeout: 50 * time.Millisecond})
	if r := wait(t, done); !errors.Is(r.err, login.ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", r.err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, done = startBrowser(t, ctx, login.Options{Home: home, Issuer: s.OpenAI()})
	cancel() // what Ctrl-C does through signal.NotifyContext
	r := wait(t, done)
	if r.err == nil || !strings.Contains(r.err.Error(), "interrupted") {
		t.Errorf("err = %v, want an interruption", r.err)
	}
	noAuthFile(t, home)
}

func TestLoginRevokesSupersededToken(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	home := t.TempDir()
	old, err := s.Mint(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := authfile.Save(home, &authfile.File{AuthMode: "chatgpt", Tokens: &authfile.Tokens{IDToken: old.IDToken, AccessToken: old.AccessToken, RefreshToken: old.RefreshToken}}); err != nil {
		t.Fatal(err)
	}
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI()})
	if _, _, err := issuertest.Visit(context.Background(), nil, authURL); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, done); r.err != nil {
		t.Fatal(r.err)
	}
	if s.RefreshTokenValid(old.RefreshToken) {
		t.Error("superseded refresh token not revoked")
	}
}

func TestGenericOIDCBrowserLogin(t *testing.T) {
	s := startIssuer(t, issuertest.Options{ClientID: "corp-cli", OpaqueAccessTokens: true, AccessTTL: time.Hour})
	is, err := oauth.Resolve(context.Background(), nil, s.URL, "corp-cli", oauth.StyleAuto)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: is})
	if strings.Contains(authURL, "originator=") || !strings.HasSuffix(authURL, "&scope=openid+profile+email+offline_access") {
		t.Errorf("generic authorize URL: %s", authURL)
	}
	if _, _, err := issuertest.Visit(context.Background(), nil, authURL); err != nil {
		t.Fatal(err)
	}
	r := wait(t, done)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if s.Stats().APIKeyExchanges != 0 {
		t.Error("OpenAI's API-key exchange was tried on a generic issuer")
	}
	f, err := authfile.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	if f.OIDC == nil || f.OIDC.Issuer != s.URL || f.OIDC.ClientID != "corp-cli" || f.OIDC.TokenEndpoint != s.URL+"/oauth/token" || f.APIKey != nil {
		t.Fatalf("auth.json oidc block = %+v", f.OIDC)
	}
	if d := time.Until(f.OIDC.ExpiresAt); d < 59*time.Minute || d > time.Hour {
		t.Errorf("expires_at %v is not ~1h from now (opaque token, expires_in)", f.OIDC.ExpiresAt)
	}
}

func TestDeviceLogin(t *testing.T) {
	s := startIssuer(t, issuertest.Options{DeviceApproveAfter: 2})
	home := t.TempDir()
	var shown *oauth.DeviceCode
	r, err := login.DeviceLogin(context.Background(), login.Options{Home: home, Issuer: s.OpenAI(),
		OnDeviceCode: func(dc *oauth.DeviceCode) { shown = dc }})
	if err != nil {
		t.Fatal(err)
	}
	if shown == nil || shown.UserCode == "" || shown.VerificationURI != s.URL+"/codex/device" {
		t.Errorf("device code shown = %+v", shown)
	}
	if r.APIKey || s.Stats().APIKeyExchanges != 0 {
		t.Error("device login must not exchange an API key")
	}
	f, err := authfile.Load(home)
	if err != nil || f.Mode() != "chatgpt" || f.APIKey != nil {
		t.Fatalf("auth.json after device login: %+v, %v", f, err)
	}
}

func TestWorkspaceRestriction(t *testing.T) {
	s := startIssuer(t, issuertest.Options{AccountID: "acct-other"})
	home := t.TempDir()
	is := s.OpenAI()
	is.AllowedWorkspaces = []string{"acct-a", "acct-b"}
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: is})
	if !strings.HasSuffix(authURL, "&originator=codex_cli_rs&allowed_workspace_id=acct-a%2Cacct-b") {
		t.Errorf("authorize URL lacks allowed_workspace_id: %s", authURL)
	}
	if _, _, err := issuertest.Visit(context.Background(), nil, authURL); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, done); !errors.Is(r.err, login.ErrWorkspaceNotAllowed) {
		t.Errorf("err = %v, want ErrWorkspaceNotAllowed", r.err)
	}
	noAuthFile(t, home)

	is.AllowedWorkspaces = []string{"acct-other"}
	authURL, done = startBrowser(t, context.Background(), login.Options{Home: home, Issuer: is})
	if _, _, err := issuertest.Visit(context.Background(), nil, authURL); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, done); r.err != nil {
		t.Fatal(r.err)
	}
}
