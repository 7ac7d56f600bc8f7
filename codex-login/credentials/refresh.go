package credentials

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/jwt"
	"github.com/codexgo/codex-login/oauth"
)

// refreshLocked refreshes the tokens whose access token is stale. Callers
// hold m.mu. Under the file lock it re-reads auth.json first: if another
// process already replaced stale (and, proactively, the new token is
// fresh), that is adopted without a request. On success m.file holds the
// current file.
func (m *Manager) refreshLocked(ctx context.Context, stale, reason string, reactive bool) (err error) {
	unlock, err := authfile.Lock(ctx, m.home)
	if err != nil {
		return err
	}
	defer func() {
		if uerr := unlock(); err == nil && uerr != nil {
			err = uerr
		}
	}()
	f, err := authfile.Load(m.home)
	if err != nil {
		return err
	}
	if f.Mode() != authfile.ModeChatGPT || f.Tokens == nil {
		m.file = f
		return nil
	}
	if f.Tokens.AccessToken != stale && (reactive || !m.needsRefresh(f)) {
		m.file = f
		return nil
	}
	rt := f.Tokens.RefreshToken
	if rt == "" {
		return ErrLoginExpired
	}
	if e, ok := m.dead[rt]; ok {
		return e
	}
	is := IssuerFor(f, m.issuer, m.getenv)
	c := oauth.Client{Issuer: is, HTTP: m.hc}
	tr, err := c.Refresh(ctx, rt, reason)
	if err != nil {
		var oe *oauth.Error
		if errors.As(err, &oe) && oe.Permanent() {
			e := fmt.Errorf("%w (%v)", ErrLoginExpired, err)
			m.dead[rt] = e
			return e
		}
		return fmt.Errorf("refresh token: %w", err)
	}
	Apply(f, tr, m.now())
	if err := authfile.Save(m.home, f); err != nil {
		return err
	}
	m.file = f
	return nil
}

// Apply merges a token response into f: present fields replace stored
// ones, last_refresh becomes now, and for an OIDC issuer whose access
// token is opaque the expiry from expires_in is kept in the oidc block.
func Apply(f *authfile.File, tr oauth.TokenResponse, now time.Time) {
	if f.Tokens == nil {
		f.Tokens = &authfile.Tokens{}
	}
	if tr.IDToken != "" {
		f.Tokens.IDToken = tr.IDToken
		if cl, err := jwt.Parse(tr.IDToken); err == nil && cl.AccountID != "" {
			id := cl.AccountID
			f.Tokens.AccountID = &id
		}
	}
	if tr.AccessToken != "" {
		f.Tokens.AccessToken = tr.AccessToken
	}
	if tr.RefreshToken != "" {
		f.Tokens.RefreshToken = tr.RefreshToken
	}
	f.LastRefresh = now.UTC()
	if f.OIDC != nil {
		f.OIDC.ExpiresAt = time.Time{}
		cl, err := jwt.Parse(f.Tokens.AccessToken)
		if (err != nil || cl.Exp.IsZero()) && tr.ExpiresIn > 0 {
			f.OIDC.ExpiresAt = now.Add(tr.ExpiresIn).UTC()
		}
	}
}

// Environment overrides of the refresh and revoke endpoints (the Codex
// CLI's names).
const (
	EnvRefreshURL = "CODEX_REFRESH_TOKEN_URL_OVERRIDE"
	EnvRevokeURL  = "CODEX_REVOKE_TOKEN_URL_OVERRIDE"
)

// IssuerFor is the issuer that refreshes and revokes f's tokens: the one
// recorded in its oidc block, else base with the environment overrides
// applied (a revoke URL is derived from a lone refresh override: same
// origin, path /oauth/revoke).
func IssuerFor(f *authfile.File, base oauth.Issuer, getenv func(string) string) oauth.Issuer {
	if f != nil && f.OIDC != nil {
		return oauth.Issuer{
			URL:                f.OIDC.Issuer,
			ClientID:           f.OIDC.ClientID,
			Scope:              oauth.OIDCScope,
			TokenEndpoint:      f.OIDC.TokenEndpoint,
			RevocationEndpoint: f.OIDC.RevocationEndpoint,
		}
	}
	is := base
	if v := getenv(EnvRefreshURL); v != "" {
		is.TokenEndpoint = v
		if u, err := url.Parse(v); err == nil && u.Host != "" {
			is.RevocationEndpoint = u.Scheme + "://" + u.Host + "/oauth/revoke"
		}
	}
	if v := getenv(EnvRevokeURL); v != "" {
		is.RevocationEndpoint = v
	}
	return is
}
