// Package jwt decodes the claims Codex reads from the id_token and
// access_token of a ChatGPT (or any OpenID Connect) login. Signatures are
// not verified: the tokens come straight from the issuer over TLS and are
// only read for display and expiry, exactly as the Codex CLI does.
package jwt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Claim namespaces used by OpenAI's issuer.
const (
	AuthClaim    = "https://api.openai.com/auth"
	ProfileClaim = "https://api.openai.com/profile"
)

// Claims holds the claims Codex reads. Missing claims are zero values.
type Claims struct {
	Subject string
	Email   string
	// Exp is the expiry; zero when the token has no (usable) exp claim.
	Exp time.Time

	PlanType                    string
	UserID                      string
	AccountID                   string
	OrganizationID              string
	ProjectID                   string
	CompletedPlatformOnboarding bool
	IsOrgOwner                  bool
}

// ErrNotJWT reports a token that is not three dot-separated base64url
// segments with a JSON object payload (an opaque or encrypted token).
var ErrNotJWT = errors.New("not a JWT")

// maxTokenLen bounds what we are willing to decode; real tokens are a few KiB.
const maxTokenLen = 1 << 20

// Parse decodes the payload of token without verifying its signature.
func Parse(token string) (Claims, error) {
	payload, err := Payload(token)
	if err != nil {
		return Claims{}, err
	}
	var raw struct {
		Sub     json.RawMessage `json:"sub"`
		Email   json.RawMessage `json:"email"`
		Exp     json.RawMessage `json:"exp"`
		Profile *struct {
			Email json.RawMessage `json:"email"`
		} `json:"https://api.openai.com/profile"`
		Auth *struct {
			PlanType                    json.RawMessage `json:"chatgpt_plan_type"`
			ChatGPTUserID               json.RawMessage `json:"chatgpt_user_id"`
			UserID                      json.RawMessage `json:"user_id"`
			AccountID                   json.RawMessage `json:"chatgpt_account_id"`
			OrganizationID              json.RawMessage `json:"organization_id"`
			ProjectID                   json.RawMessage `json:"project_id"`
			CompletedPlatformOnboarding json.RawMessage `json:"completed_platform_onboarding"`
			IsOrgOwner                  json.RawMessage `json:"is_org_owner"`
		} `json:"https://api.openai.com/auth"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return Claims{}, fmt.Errorf("decode JWT payload: %w", err)
	}
	c := Claims{
		Subject: str(raw.Sub),
		Email:   str(raw.Email),
		Exp:     unixTime(raw.Exp),
	}
	if c.Email == "" && raw.Profile != nil {
		c.Email = str(raw.Profile.Email)
	}
	if a := raw.Auth; a != nil {
		c.PlanType = str(a.PlanType)
		c.UserID = str(a.ChatGPTUserID)
		if c.UserID == "" {
			c.UserID = str(a.UserID)
		}
		c.AccountID = str(a.AccountID)
		c.OrganizationID = str(a.OrganizationID)
		c.ProjectID = str(a.ProjectID)
		c.CompletedPlatformOnboarding = boolean(a.CompletedPlatformOnboarding)
		c.IsOrgOwner = boolean(a.IsOrgOwner)
	}
	return c, nil
}

// Payload returns the decoded JSON payload (middle segment) of token.
func Payload(token string) ([]byte, error) {
	if len(token) > maxTokenLen {
		return nil, fmt.Errorf("%w: token longer than %d bytes", ErrNotJWT, maxTokenLen)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d segments, want 3", ErrNotJWT, len(parts))
	}
	// base64url without padding is the standard; tolerate padding too.
	seg := strings.TrimRight(parts[1], "=")
	payload, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrNotJWT, err)
	}
	if t := bytes.TrimSpace(payload); len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrNotJWT)
	}
	return payload, nil
}

// str returns a JSON string's value, or "" for null or any other type.
func str(m json.RawMessage) string {
	var s string
	if len(m) == 0 || json.Unmarshal(m, &s) != nil {
		return ""
	}
	return s
}

func boolean(m json.RawMessage) bool {
	var b bool
	if len(m) == 0 || json.Unmarshal(m, &b) != nil {
		return false
	}
	return b
}

// unixTime reads a NumericDate (seconds, possibly fractional); anything
// else, or a value outside what time.Time can hold sensibly, is zero.
func unixTime(m json.RawMessage) time.Time {
	var f float64
	if len(m) == 0 || json.Unmarshal(m, &f) != nil {
		return time.Time{}
	}
	if math.IsNaN(f) || f <= 0 || f > 1e13 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}
