package oauth_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

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

func TestDiscover(t *testing.T) {
	s := startIssuer(t, issuertest.Options{ClientID: "my-client"})
	ctx := context.Background()
	is, err := oauth.Resolve(ctx, nil, s.URL+"/", "my-client", oauth.StyleAuto)
	if err != nil {
		t.Fatal(err)
	}
	want := oauth.Issuer{
		URL: s.URL, ClientID: "my-client", Scope: oauth.OIDCScope,
		AuthorizationEndpoint: s.URL + "/oauth/authorize", TokenEndpoint: s.URL + "/oauth/token",
		RevocationEndpoint: s.URL + "/oauth/revoke", DeviceAuthorizationEndpoint: s.URL + "/oauth/device/code",
	}
	if !reflect.DeepEqual(is, want) {
		t.Errorf("got %+v\nwant %+v", is, want)
	}
	if _, err := oauth.Resolve(ctx, nil, s.URL, "", oauth.StyleOIDC); err == nil {
		t.Error("Resolve without client id accepted a generic issuer")
	}
	if _, err := oauth.Discover(ctx, nil, "http://127.0.0.1:1", "c"); err == nil {
		t.Error("Discover of a closed port succeeded")
	}
	// A document naming another issuer is refused (mix-up defence).
	if _, err := oauth.Discover(ctx, nil, strings.Replace(s.URL, "127.0.0.1", "localhost", 1), "c"); err == nil {
		t.Error("Discover accepted a document for a different issuer")
	}
}

func TestOpenAIRefreshBodyIsJSONAndRotates(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	toks, err := s.Mint(0)
	if err != nil {
		t.Fatal(err)
	}
	c := oauth.Client{Issuer: s.OpenAI()}
	ctx := context.Background()
	tr, err := c.Refresh(ctx, toks.RefreshToken, "proactive_expiry")
	if err != nil {
		t.Fatal(err)
	}
	if tr.RefreshToken == "" || tr.RefreshToken == toks.RefreshToken {
		t.Errorf("refresh token not rotated: %q", tr.RefreshToken)
	}
	want := `{"client_id":"app_EMoamEEZ73f0CkXaXp7hrann","grant_type":"refresh_token","refresh_reason":"proactive_expiry","refresh_token":"` + toks.RefreshToken + `"}`
	if got := s.Stats().RefreshBodies[0]; got != want {
		t.Errorf("refresh body\ngot  %s\nwant %s", got, want)
	}
	_, err = c.Refresh(ctx, toks.RefreshToken, "")
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.Code != "refresh_token_reused" || !oe.Permanent() {
		t.Errorf("reusing a rotated token: %v, want permanent refresh_token_reused", err)
	}
}

func TestGenericRefreshIsForm(t *testing.T) {
	s := startIssuer(t, issuertest.Options{ClientID: "c1"})
	is, err := oauth.Discover(context.Background(), nil, s.URL, "c1")
	if err != nil {
		t.Fatal(err)
	}
	toks, err := s.Mint(0)
	if err != nil {
		t.Fatal(err)
	}
	c := oauth.Client{Issuer: is}
	if _, err := c.Refresh(context.Background(), toks.RefreshToken, "ignored"); err != nil {
		t.Fatal(err)
	}
	body := s.Stats().RefreshBodies[0]
	v, err := url.ParseQuery(body)
	if err != nil || v.Get("grant_type") != "refresh_token" || v.Get("refresh_token") != toks.RefreshToken || v.Get("client_id") != "c1" || v.Has("refresh_reason") {
		t.Errorf("refresh body %q is not an RFC 6749 form", body)
	}
	_, err = c.Refresh(context.Background(), toks.RefreshToken, "")
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || !oe.Permanent() {
		t.Errorf("reused token: %v, want permanent invalid_grant", err)
	}
}

func TestRevoke(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	toks, _ := s.Mint(0)
	c := oauth.Client{Issuer: s.OpenAI()}
	if err := c.Revoke(context.Background(), toks.RefreshToken, "refresh_token"); err != nil {
		t.Fatal(err)
	}
	if s.RefreshTokenValid(toks.RefreshToken) {
		t.Error("refresh token still valid after revoke")
	}
	c.Issuer.RevocationEndpoint = ""
	if err := c.Revoke(context.Background(), "x", "access_token"); err != nil {
		t.Errorf("Revoke without endpoint = %v, want nil", err)
	}
}

func TestOpenAIDeviceFlow(t *testing.T) {
	s := startIssuer(t, issuertest.Options{})
	c := oauth.Client{Issuer: s.OpenAI()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dc, err := c.StartDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dc.VerificationURI != s.URL+"/codex/device" || dc.ExpiresIn != 15*time.Minute {
		t.Errorf("device code = %+v", dc)
	}
	if err := s.ApproveDeviceAfter(dc.UserCode, 3); err != nil {
		t.Fatal(err)
	}
	tr, err := c.WaitDevice(ctx, dc, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tr.RefreshToken == "" || tr.IDToken == "" {
		t.Errorf("device login tokens incomplete: %+v", tr)
	}
	if got := s.Stats().DevicePolls; got != 3 {
		t.Errorf("polls = %d, want 3 (two pending answers first)", got)
	}
	if got := s.Stats().CodeExchanges; got != 1 {
		t.Errorf("code exchanges = %d, want 1", got)
	}
}

func TestRFC8628SlowDownDenyAndExpiry(t *testing.T) {
	s := startIssuer(t, issuertest.Options{ClientID: "c1", DeviceExpiresIn: time.Second})
	is, err := oauth.Discover(context.Background(), nil, s.URL, "c1")
	if err != nil {
		t.Fatal(err)
	}
	c := oauth.Client{Issuer: is}
	ctx := context.Background()

	// slow_down twice, then denied.
	s.SlowDown(2)
	dc, err := c.StartDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApproveDevice(dc.UserCode, true); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.WaitDevice(ctx, dc, 20*time.Millisecond)
	if !errors.Is(err, oauth.ErrDeviceDenied) {
		t.Errorf("WaitDevice = %v, want ErrDeviceDenied", err)
	}
	if polls := s.Stats().DevicePolls; polls != 3 {
		t.Errorf("polls = %d, want 3 (two slow_down, one denial)", polls)
	}
	// The interval grew by the slow-down step each time: 20 ms then 40 ms.
	if el := time.Since(start); el < 60*time.Millisecond {
		t.Errorf("slow_down not honoured: finished in %v", el)
	}

	// Never approved: the issuer's expires_in (1 s) ends it.
	dc, err = c.StartDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitDevice(ctx, dc, 0); !errors.Is(err, oauth.ErrDeviceExpired) {
		t.Errorf("WaitDevice = %v, want ErrDeviceExpired", err)
	}
}
