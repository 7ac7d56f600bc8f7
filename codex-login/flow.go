// Package login signs in to Codex: the browser flow (OAuth 2.0
// authorization code with PKCE and a local callback server), the device
// code flow, API keys, status, token and logout. Main is the codex-login
// command; BrowserLogin and DeviceLogin are the flows for in-process use
// (the TUI), and package credentials hands the result to other tools.
package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
	"github.com/codexgo/codex-login/jwt"
	"github.com/codexgo/codex-login/oauth"
)

// Defaults for the interactive flows.
const (
	DefaultTimeout = 10 * time.Minute
	DefaultPort    = 1455
	// FallbackPort is on OpenAI's redirect allow-list too.
	FallbackPort = 1457
)

// ErrCancelled is returned when the login was cancelled through /cancel
// (for example by a newer login taking over the port).
//
//lint:ignore ST1005 the Codex CLI's exact text
var ErrCancelled = errors.New("Login cancelled") //nolint:staticcheck // the Codex CLI's exact text

// ErrTimeout is returned when no callback arrived in time.
var ErrTimeout = errors.New("timed out waiting for the browser to complete the login")

// Options configures BrowserLogin and DeviceLogin. Zero fields get the
// production defaults.
type Options struct {
	// Home is CODEX_HOME, where auth.json is written. Required.
	Home string
	// Issuer to log in with; the zero value means OpenAI's.
	Issuer oauth.Issuer
	// HTTP talks to the issuer; nil means http.DefaultClient.
	HTTP *http.Client
	// Now is the clock for last_refresh; nil means time.Now.
	Now func() time.Time
	// Timeout bounds the whole login; 0 means DefaultTimeout (for the
	// device flow, the code's own expiry applies as well).
	Timeout time.Duration

	// Ports to try for the callback server, in order; nil means 1455 then
	// 1457. Port 0 picks a free port.
	Ports []int
	// BindRetries and BindInterval say how long a busy port is retried
	// after asking a stale login server there to cancel; 0 means 10 × 200 ms.
	BindRetries  int
	BindInterval time.Duration

	// OnURL receives the authorize URL once the callback server is
	// listening: show it and/or open a browser. Called once, before
	// BrowserLogin waits.
	OnURL func(authorizeURL string)
	// OnDeviceCode receives the code for the user to enter (device flow).
	OnDeviceCode func(dc *oauth.DeviceCode)
	// DeviceSlowDown is added to the poll interval on slow_down; 0 means 5 s.
	DeviceSlowDown time.Duration
}

// Result describes a completed login.
type Result struct {
	// Mode is authfile.ModeChatGPT for the interactive flows.
	Mode      string
	Email     string
	PlanType  string
	AccountID string
	// APIKey reports whether the id_token → API key exchange succeeded.
	APIKey bool
	// SetAside is where an unreadable auth.json was moved before this
	// login replaced it ("" if there was none).
	SetAside string
}

func (o *Options) defaults() error {
	if o.Home == "" {
		return errors.New("login: CODEX_HOME not set")
	}
	if o.Issuer.TokenEndpoint == "" {
		o.Issuer = oauth.OpenAI("", "")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if len(o.Ports) == 0 {
		o.Ports = []int{DefaultPort, FallbackPort}
	}
	if o.BindRetries <= 0 {
		o.BindRetries = 10
	}
	if o.BindInterval <= 0 {
		o.BindInterval = 200 * time.Millisecond
	}
	return nil
}

// persist turns a token response into auth.json: for OpenAI's issuer the
// best-effort API-key exchange runs first (skipped for device logins);
// for other issuers the oidc block records where to refresh.
func persist(ctx context.Context, o *Options, tr oauth.TokenResponse, exchangeKey bool) (Result, error) {
	if err := checkWorkspace(o.Issuer.AllowedWorkspaces, tr.IDToken); err != nil {
		return Result{}, err
	}
	c := oauth.Client{Issuer: o.Issuer, HTTP: o.HTTP}
	f := &authfile.File{AuthMode: authfile.ModeChatGPT}
	if o.Issuer.OpenAI && exchangeKey && tr.IDToken != "" {
		if key, err := c.ExchangeAPIKey(ctx, tr.IDToken); err == nil {
			f.APIKey = &key
		}
	}
	if !o.Issuer.OpenAI {
		f.OIDC = &authfile.OIDC{
			Issuer:             o.Issuer.URL,
			ClientID:           o.Issuer.ClientID,
			TokenEndpoint:      o.Issuer.TokenEndpoint,
			RevocationEndpoint: o.Issuer.RevocationEndpoint,
		}
	}
	f.Tokens = &authfile.Tokens{}
	credentials.Apply(f, tr, o.Now())
	old, aside, err := authfile.PrepareReplace(o.Home, o.Now())
	if err != nil {
		return Result{}, err
	}
	if err := authfile.Save(o.Home, f); err != nil {
		return Result{}, err
	}
	if old != nil && old.Tokens != nil && old.Tokens.RefreshToken != "" && old.Tokens.RefreshToken != f.Tokens.RefreshToken {
		revokeBestEffort(ctx, credentials.IssuerFor(old, o.Issuer, func(string) string { return "" }), o.HTTP, old.Tokens)
	}
	r := Result{Mode: authfile.ModeChatGPT, APIKey: f.APIKey != nil, AccountID: f.AccountID(), SetAside: aside}
	if cl, err := jwt.Parse(tr.IDToken); err == nil {
		r.Email, r.PlanType = cl.Email, cl.PlanType
	}
	if cl, err := jwt.Parse(tr.AccessToken); err == nil && cl.PlanType != "" {
		r.PlanType = cl.PlanType
	}
	return r, nil
}

// revokeBestEffort revokes the refresh token (or, without one, the access
// token) with a 10 s bound, ignoring failures as the Codex CLI does.
func revokeBestEffort(ctx context.Context, is oauth.Issuer, hc *http.Client, t *authfile.Tokens) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	c := oauth.Client{Issuer: is, HTTP: hc}
	if t.RefreshToken != "" {
		_ = c.Revoke(ctx, t.RefreshToken, "refresh_token")
	} else if t.AccessToken != "" {
		_ = c.Revoke(ctx, t.AccessToken, "access_token")
	}
}

// wrapCtx names why a login context ended.
func wrapCtx(ctx context.Context, timeout time.Duration) error {
	if errors.Is(context.Cause(ctx), ErrTimeout) {
		return fmt.Errorf("%w (%s)", ErrTimeout, timeout)
	}
	return fmt.Errorf("login interrupted: %w", context.Cause(ctx))
}

// ErrWorkspaceNotAllowed refuses a login into a workspace outside the
// configured list.
var ErrWorkspaceNotAllowed = errors.New("login is restricted to another workspace")

// checkWorkspace enforces Issuer.AllowedWorkspaces on the id_token's
// chatgpt_account_id.
func checkWorkspace(allowed []string, idToken string) error {
	if len(allowed) == 0 {
		return nil
	}
	cl, err := jwt.Parse(idToken)
	if err != nil {
		return fmt.Errorf("%w: cannot read the account id: %v", ErrWorkspaceNotAllowed, err)
	}
	for _, id := range allowed {
		if id == cl.AccountID {
			return nil
		}
	}
	return fmt.Errorf("%w (allowed: %s; this account: %s)", ErrWorkspaceNotAllowed, strings.Join(allowed, ", "), cl.AccountID)
}
