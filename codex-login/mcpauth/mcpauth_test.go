package mcpauth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codexgo/codex-login/mcpauth/mcpauthtest"
)

func login(t *testing.T, srv Server, home string, opts ...func(*LoginOptions)) error {
	t.Helper()
	o := LoginOptions{Store: Store{Home: home}, Timeout: time.Minute}
	for _, f := range opts {
		f(&o)
	}
	if o.OnURL == nil {
		o.OnURL = browser(t, nil)
	}
	return Login(context.Background(), srv, o)
}

func client(src *Source) *http.Client { return &http.Client{Transport: &Transport{Source: src}} }

// TestLoginToolCallRefreshLogout is the whole life of a login against the
// SDK's OAuth server: dynamic registration, PKCE through the "browser",
// the resource indicator, the stored file, a tool call with the token, a
// refresh shortly before expiry, a refresh on 401, and logout.
func TestLoginToolCallRefreshLogout(t *testing.T) {
	s := mcpauthtest.Start(t, "STRICT_RESOURCE=1")
	home := t.TempDir()
	srv := Server{Name: "demo", URL: s.URL}
	if got := Status(context.Background(), nil, Store{Home: home}, srv); got != StatusNotLoggedIn {
		t.Fatalf("status before login = %q, want %q", got, StatusNotLoggedIn)
	}
	var page string
	if err := login(t, srv, home, func(o *LoginOptions) { o.OnURL = browser(t, &page) }); err != nil {
		t.Fatalf("login: %v", err)
	}
	st := s.Stats(t)
	if st.Registrations != 1 || st.CodeExchanges != 1 {
		t.Errorf("stats after login = %+v, want one registration and one code exchange", st)
	}
	if st.LastAuthorize.Resource != s.URL || st.LastToken.Resource != s.URL {
		t.Errorf("resource indicator: authorize %q, token %q; want %q", st.LastAuthorize.Resource, st.LastToken.Resource, s.URL)
	}
	if strings.Join(st.LastAuthorize.Scopes, " ") != "mcp:tools mcp:read" {
		t.Errorf("scopes asked = %v, want the advertised mcp:tools mcp:read", st.LastAuthorize.Scopes)
	}
	if !strings.HasPrefix(st.LastAuthorize.RedirectURI, "http://127.0.0.1:") || !strings.Contains(st.LastAuthorize.RedirectURI, "/callback/") {
		t.Errorf("redirect_uri = %q", st.LastAuthorize.RedirectURI)
	}

	// The store: 0600, the Codex CLI's layout and key.
	path := filepath.Join(home, FileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s mode = %v, want 0600", path, fi.Mode().Perm())
	}
	var file map[string]map[string]any
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	e := file[srv.Key()]
	for _, k := range []string{"server_name", "server_url", "client_id", "access_token", "expires_at", "refresh_token", "scopes"} {
		if _, ok := e[k]; !ok {
			t.Errorf("stored entry lacks %s: %s", k, data)
		}
	}
	if got := Status(context.Background(), nil, Store{Home: home}, srv); got != StatusOAuth {
		t.Errorf("status after login = %q, want %q", got, StatusOAuth)
	}

	ctx := context.Background()
	src := &Source{Store: Store{Home: home}, Server: srv}
	out, err := whoami(ctx, client(src), s.URL)
	if err != nil {
		t.Fatalf("tool call with the token: %v", err)
	}
	if !strings.Contains(out, `"resource":"`+s.URL+`"`) {
		t.Errorf("whoami = %s, want the token bound to %s", out, s.URL)
	}
	first, _ := src.Token(ctx)

	// Shortly before expiry the token is refreshed before it is sent.
	late := &Source{Store: Store{Home: home}, Server: srv, Now: func() time.Time { return time.Now().Add(time.Hour - 10*time.Second) }}
	if _, err := whoami(ctx, client(late), s.URL); err != nil {
		t.Fatalf("tool call near expiry: %v", err)
	}
	st = s.Stats(t)
	if st.Refreshes != 1 || st.LastToken.Grant != "refresh_token" || st.LastToken.Resource != s.URL {
		t.Errorf("after the near-expiry call: %+v, want one refresh with the resource", st)
	}
	second, _ := Store{Home: home}.Load(srv.Key())
	if second.AccessToken == first {
		t.Error("the stored access token did not change on refresh")
	}

	// A 401 (the server revoked every token): src first takes the token
	// late stored (no refresh), which is revoked too, then refreshes and
	// repeats the request.
	s.RevokeAccess(t)
	if _, err := whoami(ctx, client(src), s.URL); err != nil {
		t.Fatalf("tool call after revocation: %v", err)
	}
	st = s.Stats(t)
	if st.Refreshes != 2 || st.Unauthorized != 2 {
		t.Errorf("after the 401s: refreshes %d, unauthorized %d; want 2 and 2", st.Refreshes, st.Unauthorized)
	}

	// Logout removes the entry (and the file, now empty).
	found, err := Store{Home: home}.Delete(ctx, srv.Key())
	if err != nil || !found {
		t.Fatalf("delete = %v, %v", found, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still exists after logout: %v", path, err)
	}
	_, err = whoami(ctx, client(&Source{Store: Store{Home: home}, Server: srv}), s.URL)
	var lr *LoginRequiredError
	if !errors.As(err, &lr) || !strings.Contains(err.Error(), "codex mcp login demo") {
		t.Errorf("call after logout: %v, want a login-required error naming codex mcp login demo", err)
	}
	if page != "Authentication complete. You may close this window." {
		t.Errorf("callback page = %q", page)
	}
}

// TestRefreshRace: several processes (Sources) meet the same 401 at once.
// The server rotates refresh tokens (each works once), so only a refresh
// under the store lock that re-reads what another one stored keeps them
// all logged in.
func TestRefreshRace(t *testing.T) {
	s := mcpauthtest.Start(t)
	home := t.TempDir()
	srv := Server{Name: "demo", URL: s.URL}
	if err := login(t, srv, home); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 6
	srcs := make([]*Source, n)
	for i := range srcs {
		srcs[i] = &Source{Store: Store{Home: home}, Server: srv}
		if _, err := whoami(ctx, client(srcs[i]), s.URL); err != nil {
			t.Fatal(err)
		}
	}
	s.RevokeAccess(t)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = whoami(ctx, client(srcs[i]), s.URL)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("source %d: %v", i, err)
		}
	}
	if st := s.Stats(t); st.Refreshes != 1 {
		t.Errorf("refreshes = %d, want exactly 1 for %d concurrent 401s", st.Refreshes, n)
	}
}

// TestRejectedLogin: the user (or the server) denies access; the login
// fails with the server's reason and stores nothing.
func TestRejectedLogin(t *testing.T) {
	s := mcpauthtest.Start(t, "DENY=1")
	home := t.TempDir()
	err := login(t, Server{Name: "demo", URL: s.URL}, home)
	if err == nil || !strings.Contains(err.Error(), "access_denied") || !strings.Contains(err.Error(), "denied access") {
		t.Fatalf("login = %v, want the server's access_denied reason", err)
	}
	if _, err := os.Stat(filepath.Join(home, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("credentials written after a refused login: %v", err)
	}
}

// TestWrongResource: a token asked for another resource is refused by a
// strict server with a clear message (and oauth_resource is what we send).
func TestWrongResource(t *testing.T) {
	s := mcpauthtest.Start(t, "STRICT_RESOURCE=1")
	err := login(t, Server{Name: "demo", URL: s.URL, Resource: "https://elsewhere.example/mcp"}, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "exchange the authorization code") || !strings.Contains(err.Error(), "resource") {
		t.Fatalf("login = %v, want the token endpoint's resource refusal", err)
	}
}

// TestPreregisteredClient: a configured client id and secret are used as
// they are (no registration), with a port-less loopback callback URL as
// `codex mcp add --oauth-client-id` writes it; scopes come from the
// config; the secret goes to the token endpoint on refresh too.
func TestPreregisteredClient(t *testing.T) {
	s := mcpauthtest.Start(t, "CLIENT=cid:csecret")
	home := t.TempDir()
	srv := Server{Name: "pre", URL: s.URL, ClientID: "cid", ClientSecret: "csecret", CallbackURL: "http://127.0.0.1/callback", Scopes: []string{"mcp:read"}}
	if err := login(t, srv, home); err != nil {
		t.Fatalf("login: %v", err)
	}
	st := s.Stats(t)
	if st.Registrations != 0 || st.LastAuthorize.ClientID != "cid" || strings.Join(st.LastAuthorize.Scopes, " ") != "mcp:read" {
		t.Errorf("stats = %+v", st)
	}
	s.RevokeAccess(t)
	src := &Source{Store: Store{Home: home}, Server: srv}
	if _, err := whoami(context.Background(), client(src), s.URL); err != nil {
		t.Fatalf("call after revocation (confidential refresh): %v", err)
	}
}

// TestDeadRefreshToken: when the refresh token is refused the caller is
// told to log in again, naming the command.
func TestDeadRefreshToken(t *testing.T) {
	s := mcpauthtest.Start(t)
	home := t.TempDir()
	srv := Server{Name: "demo", URL: s.URL}
	if err := login(t, srv, home); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err := Store{Home: home}.Update(ctx, srv.Key(), func(e *Entry) (*Entry, error) {
		e.RefreshToken = "not-a-refresh-token"
		return e, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.RevokeAccess(t)
	_, err = whoami(ctx, client(&Source{Store: Store{Home: home}, Server: srv}), s.URL)
	var lr *LoginRequiredError
	if !errors.As(err, &lr) || !strings.Contains(err.Error(), "codex mcp login demo") {
		t.Fatalf("call = %v, want a login-required error", err)
	}
}

// TestStatusWithoutOAuth: a server without metadata is unsupported, an
// unreachable one unknown.
func TestStatusWithoutOAuth(t *testing.T) {
	plain := http.NewServeMux()
	plain.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) })
	hs := newLocalServer(t, plain)
	home := t.TempDir()
	if got := Status(context.Background(), nil, Store{Home: home}, Server{Name: "p", URL: hs + "/mcp"}); got != StatusUnsupported {
		t.Errorf("plain server: %q, want %q", got, StatusUnsupported)
	}
	if got := Status(context.Background(), nil, Store{Home: home}, Server{Name: "d", URL: "http://127.0.0.1:9/mcp"}); got != StatusUnknown {
		t.Errorf("unreachable server: %q, want %q", got, StatusUnknown)
	}
}

// TestNoBrowserPaste: with --no-browser the user pastes the URL the
// browser ended on; the login completes from it without the callback
// ever being reached.
func TestNoBrowserPaste(t *testing.T) {
	s := mcpauthtest.Start(t)
	home := t.TempDir()
	pr, pw := io.Pipe()
	done := make(chan struct{})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	err := login(t, Server{Name: "demo", URL: s.URL}, home, func(o *LoginOptions) {
		o.Paste = pr
		o.OnURL = func(u string) {
			go func() {
				defer close(done)
				resp, err := noFollow.Get(u)
				if err != nil {
					t.Errorf("authorize: %v", err)
					return
				}
				_ = resp.Body.Close()
				_, _ = io.WriteString(pw, "\n  not a callback\n"+resp.Header.Get("Location")+"\n")
			}()
		}
	})
	<-done
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if e, _ := (Store{Home: home}).Load(Server{Name: "demo", URL: s.URL}.Key()); e == nil {
		t.Error("no token stored after the pasted callback")
	}
}
