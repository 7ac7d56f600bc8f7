package authfile

import (
	"time"

	"github.com/codexgo/codex-login/jwt"
)

// AccessTokenEnv holds an access token (an agent identity JWT) that is
// used before auth.json (and, by `login status`, before API keys). It is
// here, beside ModeAgentIdentity, so that packages without net/http
// (codex-login/status) can name it; agentidentity.AccessTokenEnv is it.
const AccessTokenEnv = "CODEX_ACCESS_TOKEN"

// Account is what a login's tokens say about it, read as they are: no
// refresh, no signature checked.
type Account struct {
	// ID is tokens.account_id, else the ID token's account claim.
	ID       string
	Email    string
	PlanType string
	// Expires is the access token's expiry, zero if unknown.
	Expires time.Time
}

// Account reads the ChatGPT tokens of f (the zero Account without any):
// the ID token's email and plan, the access token's plan when it has one,
// and Expiry.
func (f *File) Account() Account {
	if f.Tokens == nil {
		return Account{}
	}
	a := Account{ID: f.AccountID(), Expires: f.Expiry()}
	if cl, err := jwt.Parse(f.Tokens.IDToken); err == nil {
		a.Email = cl.Email
		a.PlanType = cl.PlanType
		if a.ID == "" {
			a.ID = cl.AccountID
		}
	}
	if cl, err := jwt.Parse(f.Tokens.AccessToken); err == nil && cl.PlanType != "" {
		a.PlanType = cl.PlanType
	}
	return a
}

// Expiry is the access token's exp, else the stored expires_at of an
// opaque token, else zero.
func (f *File) Expiry() time.Time {
	if f.Tokens == nil {
		return time.Time{}
	}
	if cl, err := jwt.Parse(f.Tokens.AccessToken); err == nil && !cl.Exp.IsZero() {
		return cl.Exp
	}
	if f.OIDC != nil {
		return f.OIDC.ExpiresAt
	}
	return time.Time{}
}
