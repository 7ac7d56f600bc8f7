package credentials_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
	"github.com/codexgo/codex-login/issuertest"
	"github.com/codexgo/codex-login/oauth"
)

type fixture struct {
	iss  *issuertest.Server
	home string
	now  time.Time
}

func newFixture(t *testing.T, opts issuertest.Options) *fixture {
	t.Helper()
	s, err := issuertest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return &fixture{iss: s, home: t.TempDir(), now: time.Now()}
}

// seed writes a ChatGPT auth.json with freshly minted tokens.
func (fx *fixture) seed(t *testing.T, ttl time.Duration, lastRefresh time.Time) issuertest.Tokens {
	t.Helper()
	toks, err := fx.iss.Mint(ttl)
	if err != nil {
		t.Fatal(err)
	}
	acct := "acct-test-0001"
	f := &authfile.File{AuthMode: authfile.ModeChatGPT, Tokens: &authfile.Tokens{
		IDToken: toks.IDToken, AccessToken: toks.AccessToken, RefreshToken: toks.RefreshToken, AccountID: &acct,
	}, LastRefresh: lastRefresh}
	if err := authfile.Save(fx.home, f); err != nil {
		t.Fatal(err)
	}
	return toks
}

func (fx *fixture) manager(t *testing.T, env map[string]string) *credentials.Manager {
	t.Helper()
	is := fx.iss.OpenAI()
	m, err := credentials.New(credentials.Options{
		Home:   fx.home,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return fx.now },
		Issuer: &is,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEnvironmentFirst(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	fx.seed(t, time.Hour, fx.now)
	tests := []struct {
		env    map[string]string
		source string
		bearer string
	}{
		{map[string]string{"CODEX_API_KEY": "sk-codex", "OPENAI_API_KEY": "sk-openai"}, "CODEX_API_KEY", "sk-codex"},
		{map[string]string{"OPENAI_API_KEY": " sk-openai\n"}, "OPENAI_API_KEY", "sk-openai"},
	}
	for _, tt := range tests {
		c, err := fx.manager(t, tt.env).Get(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Source != tt.source || c.Bearer() != tt.bearer || c.Mode != authfile.ModeAPIKey {
			t.Errorf("env %v: got source %q bearer %q mode %q", tt.env, c.Source, c.Bearer(), c.Mode)
		}
	}
	c, err := fx.manager(t, nil).Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != authfile.ModeChatGPT || c.AccountID != "acct-test-0001" || c.Email != "user@example.com" || c.PlanType != "plus" {
		t.Errorf("from auth.json: %+v", c)
	}
}

func TestNotLoggedInAndAPIKeyFile(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	if _, err := fx.manager(t, nil).Get(context.Background()); !errors.Is(err, credentials.ErrNotLoggedIn) {
		t.Errorf("Get = %v, want ErrNotLoggedIn", err)
	}
	key := "sk-file-key-123456"
	if err := authfile.Save(fx.home, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key}); err != nil {
		t.Fatal(err)
	}
	m := fx.manager(t, nil)
	c, err := m.Get(context.Background())
	if err != nil || c.Bearer() != key {
		t.Fatalf("Get = %+v, %v", c, err)
	}
	if _, err := m.RefreshAfterUnauthorized(context.Background(), c); err == nil {
		t.Error("a rejected API key was 'refreshed'")
	}
}

func TestProactiveRefresh(t *testing.T) {
	tests := []struct {
		name        string
		ttl         time.Duration
		lastRefresh time.Duration // before now
		want        int           // refreshes
	}{
		{"fresh token", time.Hour, 0, 0},
		{"expired token", -time.Minute, 0, 1},
		{"expires within the skew", 10 * time.Second, 0, 1},
		{"old last_refresh but valid exp", time.Hour, 30 * 24 * time.Hour, 1},
		{"recent last_refresh", time.Hour, 7 * 24 * time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, issuertest.Options{})
			old := fx.seed(t, tt.ttl, fx.now.Add(-tt.lastRefresh))
			c, err := fx.manager(t, nil).Get(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			st := fx.iss.Stats()
			if st.Refreshes != tt.want {
				t.Fatalf("refreshes = %d, want %d", st.Refreshes, tt.want)
			}
			if tt.want == 0 {
				if c.AccessToken != old.AccessToken {
					t.Error("token changed without a refresh")
				}
				return
			}
			if !strings.Contains(st.RefreshBodies[0], `"refresh_reason":"proactive_expiry"`) {
				t.Errorf("refresh body %s lacks the proactive reason", st.RefreshBodies[0])
			}
			f, err := authfile.Load(fx.home)
			if err != nil {
				t.Fatal(err)
			}
			if f.Tokens.AccessToken != c.AccessToken || c.AccessToken == old.AccessToken || f.Tokens.RefreshToken == old.RefreshToken {
				t.Error("auth.json not rewritten with the rotated tokens")
			}
			if !f.LastRefresh.Equal(fx.now.UTC()) {
				t.Errorf("last_refresh = %v, want %v", f.LastRefresh, fx.now.UTC())
			}
			if f.AccountID() != "acct-test-0001" {
				t.Errorf("account id lost: %q", f.AccountID())
			}
		})
	}
}

func TestOpaqueTokenUsesLastRefreshInterval(t *testing.T) {
	for _, tt := range []struct {
		age  time.Duration
		want int
	}{{7 * 24 * time.Hour, 0}, {9 * 24 * time.Hour, 1}} {
		fx := newFixture(t, issuertest.Options{OpaqueAccessTokens: true})
		fx.seed(t, time.Hour, fx.now.Add(-tt.age))
		if _, err := fx.manager(t, nil).Get(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := fx.iss.Stats().Refreshes; got != tt.want {
			t.Errorf("last_refresh %v ago: refreshes = %d, want %d", tt.age, got, tt.want)
		}
	}
}

func TestReactiveRefresh(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	fx.seed(t, time.Hour, fx.now)
	m := fx.manager(t, nil)
	ctx := context.Background()
	c1, err := m.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := m.RefreshAfterUnauthorized(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	if c2.AccessToken == c1.AccessToken || fx.iss.Stats().Refreshes != 1 {
		t.Fatalf("no refresh after 401: refreshes=%d", fx.iss.Stats().Refreshes)
	}
	if strings.Contains(fx.iss.Stats().RefreshBodies[0], "proactive") {
		t.Errorf("reactive refresh sent a proactive reason: %s", fx.iss.Stats().RefreshBodies[0])
	}
	// A second 401 for the old token (a request that was in flight) must
	// not refresh again: the new token is returned.
	c3, err := m.RefreshAfterUnauthorized(ctx, c1)
	if err != nil || c3.AccessToken != c2.AccessToken || fx.iss.Stats().Refreshes != 1 {
		t.Errorf("stale 401 refreshed again: %v, refreshes=%d", err, fx.iss.Stats().Refreshes)
	}
}

func TestAdoptsAnotherProcessesRefresh(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	fx.seed(t, time.Hour, fx.now)
	ctx := context.Background()
	a, b := fx.manager(t, nil), fx.manager(t, nil)
	ca, err := a.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx); err != nil {
		t.Fatal(err)
	}
	// b is rejected first and refreshes (rotating the refresh token)...
	cb, err := b.RefreshAfterUnauthorized(ctx, ca)
	if err != nil {
		t.Fatal(err)
	}
	// ...then a is rejected with the same old token: it must pick up b's
	// tokens from disk instead of sending the now-dead refresh token.
	ca2, err := a.RefreshAfterUnauthorized(ctx, ca)
	if err != nil {
		t.Fatalf("a lost the login: %v", err)
	}
	if ca2.AccessToken != cb.AccessToken || fx.iss.Stats().Refreshes != 1 {
		t.Errorf("a did not adopt b's refresh (refreshes=%d)", fx.iss.Stats().Refreshes)
	}
}

func TestConcurrentGetRefreshesOnce(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	fx.seed(t, -time.Minute, fx.now)
	m := fx.manager(t, nil)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	errs := make([]error, 8)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := m.Get(context.Background())
			tokens[i], errs[i] = c.AccessToken, err
		}()
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Errorf("goroutine %d: %v, token differs: %v", i, errs[i], tokens[i] != tokens[0])
		}
	}
	if got := fx.iss.Stats().Refreshes; got != 1 {
		t.Errorf("refreshes = %d, want 1", got)
	}
}

func TestPermanentFailureIsCached(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	toks := fx.seed(t, -time.Minute, fx.now)
	c := oauth.Client{Issuer: fx.iss.OpenAI()}
	if err := c.Revoke(context.Background(), toks.RefreshToken, "refresh_token"); err != nil {
		t.Fatal(err)
	}
	m := fx.manager(t, nil)
	for i := 0; i < 2; i++ {
		_, err := m.Get(context.Background())
		if !errors.Is(err, credentials.ErrLoginExpired) || !strings.Contains(err.Error(), "invalidated") {
			t.Errorf("Get #%d = %v, want ErrLoginExpired naming the issuer's code", i, err)
		}
	}
	if got := fx.iss.Stats().Refreshes; got != 1 {
		t.Errorf("refreshes = %d, want 1 (the failure is cached)", got)
	}
	// auth.json is left alone: the user decides to log in again.
	f, err := authfile.Load(fx.home)
	if err != nil || f.Tokens.RefreshToken != toks.RefreshToken {
		t.Errorf("auth.json changed after a failed refresh: %v", err)
	}
}

func TestTransientFailureIsNotCached(t *testing.T) {
	fx := newFixture(t, issuertest.Options{})
	fx.seed(t, -time.Minute, fx.now)
	is := fx.iss.OpenAI()
	is.TokenEndpoint = fx.iss.URL + "/no-such-endpoint" // 404: transient
	m, err := credentials.New(credentials.Options{Home: fx.home, Issuer: &is, Now: func() time.Time { return fx.now }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Get(context.Background())
	if err == nil || errors.Is(err, credentials.ErrLoginExpired) {
		t.Errorf("Get = %v, want a transient error", err)
	}
}

func TestOIDCOpaqueExpiry(t *testing.T) {
	fx := newFixture(t, issuertest.Options{ClientID: "c1", OpaqueAccessTokens: true, AccessTTL: 90 * time.Second})
	is, err := oauth.Discover(context.Background(), nil, fx.iss.URL, "c1")
	if err != nil {
		t.Fatal(err)
	}
	toks, err := fx.iss.Mint(0)
	if err != nil {
		t.Fatal(err)
	}
	f := &authfile.File{AuthMode: authfile.ModeChatGPT,
		Tokens:      &authfile.Tokens{IDToken: toks.IDToken, AccessToken: toks.AccessToken, RefreshToken: toks.RefreshToken},
		LastRefresh: fx.now,
		OIDC:        &authfile.OIDC{Issuer: is.URL, ClientID: "c1", TokenEndpoint: is.TokenEndpoint, RevocationEndpoint: is.RevocationEndpoint, ExpiresAt: fx.now.Add(-time.Second)},
	}
	if err := authfile.Save(fx.home, f); err != nil {
		t.Fatal(err)
	}
	// No Issuer option: the file's oidc block says where to refresh.
	m, err := credentials.New(credentials.Options{Home: fx.home, Now: func() time.Time { return fx.now }})
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := fx.iss.Stats().Refreshes; got != 1 {
		t.Fatalf("refreshes = %d, want 1", got)
	}
	if want := fx.now.Add(90 * time.Second).UTC(); !c.Expires.Equal(want) {
		t.Errorf("expiry from expires_in = %v, want %v", c.Expires, want)
	}
	if strings.HasPrefix(fx.iss.Stats().RefreshBodies[0], "{") {
		t.Errorf("generic issuer got a JSON refresh body: %s", fx.iss.Stats().RefreshBodies[0])
	}
}

func TestIssuerForOverrides(t *testing.T) {
	base := oauth.OpenAI("", "")
	env := map[string]string{credentials.EnvRefreshURL: "http://127.0.0.1:9/custom/token"}
	is := credentials.IssuerFor(nil, base, func(k string) string { return env[k] })
	if is.TokenEndpoint != "http://127.0.0.1:9/custom/token" || is.RevocationEndpoint != "http://127.0.0.1:9/oauth/revoke" {
		t.Errorf("refresh override: %+v", is)
	}
	env[credentials.EnvRevokeURL] = "http://127.0.0.1:9/r"
	if is := credentials.IssuerFor(nil, base, func(k string) string { return env[k] }); is.RevocationEndpoint != "http://127.0.0.1:9/r" {
		t.Errorf("revoke override: %+v", is)
	}
}

func TestSetHeaders(t *testing.T) {
	h := http.Header{}
	credentials.Credentials{Mode: authfile.ModeChatGPT, AccessToken: "at", AccountID: "acct"}.SetHeaders(h)
	if h.Get("Authorization") != "Bearer at" || h.Get("chatgpt-account-id") != "acct" {
		t.Errorf("chatgpt headers = %v", h)
	}
	h = http.Header{}
	credentials.Credentials{Mode: authfile.ModeAPIKey, APIKey: "sk"}.SetHeaders(h)
	if h.Get("Authorization") != "Bearer sk" || h.Get("chatgpt-account-id") != "" {
		t.Errorf("api key headers = %v", h)
	}
}

func BenchmarkGetCached(b *testing.B) {
	s, err := issuertest.Start(issuertest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	home := b.TempDir()
	toks, err := s.Mint(time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	if err := authfile.Save(home, &authfile.File{AuthMode: "chatgpt", Tokens: &authfile.Tokens{IDToken: toks.IDToken, AccessToken: toks.AccessToken, RefreshToken: toks.RefreshToken}}); err != nil {
		b.Fatal(err)
	}
	m, err := credentials.New(credentials.Options{Home: home})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Get(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
