// Package oauth speaks to the login issuer: OpenAI's (auth.openai.com, with
// its Codex-specific steps) or any OpenID Connect provider found through its
// discovery document. It builds authorize URLs with PKCE, exchanges codes,
// refreshes and revokes tokens and runs device-code logins.
package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// OpenAI issuer facts, as the Codex CLI uses them.
const (
	OpenAIIssuer   = "https://auth.openai.com"
	OpenAIClientID = "app_EMoamEEZ73f0CkXaXp7hrann"
	OpenAIScope    = "openid profile email offline_access api.connectors.read api.connectors.invoke"
	// OIDCScope is what is asked of other OpenID Connect providers.
	OIDCScope = "openid profile email offline_access"
	// Originator is sent in the authorize URL and as a header.
	Originator = "codex_cli_rs"
)

// Issuer describes where and how to log in.
type Issuer struct {
	// URL is the issuer identifier, e.g. https://auth.openai.com.
	URL      string
	ClientID string
	Scope    string

	AuthorizationEndpoint       string
	TokenEndpoint               string
	RevocationEndpoint          string // "" if the issuer has none
	DeviceAuthorizationEndpoint string // RFC 8628; "" if none (OpenAI uses its own device API)
	RegistrationEndpoint        string // RFC 7591 dynamic client registration; "" if none
	// ScopesSupported is the metadata's scopes_supported.
	ScopesSupported []string

	// ClientSecret authenticates a confidential client at the token
	// endpoint (client_secret_post); "" for a public client.
	ClientSecret string
	// Resource is the RFC 8707 resource indicator sent with the
	// authorization and token requests (MCP servers); "" for none.
	Resource string

	// AllowedWorkspaces restricts an OpenAI login to these ChatGPT
	// workspace (account) ids (config forced_chatgpt_workspace_id); the
	// issuer is told, and the login checks the account id it gets.
	AllowedWorkspaces []string

	// OpenAI enables OpenAI's own steps: the extra authorize parameters,
	// the id_token → API key exchange, JSON refresh and revoke bodies and
	// the /api/accounts/deviceauth device flow.
	OpenAI bool
}

// OpenAI returns OpenAI's issuer layout rooted at base (OpenAIIssuer in
// production, a local test issuer in tests), with clientID or the Codex
// client id when empty.
func OpenAI(base, clientID string) Issuer {
	base = strings.TrimRight(base, "/")
	if base == "" {
		base = OpenAIIssuer
	}
	if clientID == "" {
		clientID = OpenAIClientID
	}
	return Issuer{
		URL:                   base,
		ClientID:              clientID,
		Scope:                 OpenAIScope,
		AuthorizationEndpoint: base + "/oauth/authorize",
		TokenEndpoint:         base + "/oauth/token",
		RevocationEndpoint:    base + "/oauth/revoke",
		OpenAI:                true,
	}
}

// Style chooses how an issuer URL is treated by Resolve.
type Style string

// Issuer styles: auto is OpenAI's layout for auth.openai.com and discovery
// for anything else.
const (
	StyleAuto   Style = "auto"
	StyleOpenAI Style = "openai"
	StyleOIDC   Style = "oidc"
)

// ParseStyle checks a --issuer-style value.
func ParseStyle(s string) (Style, error) {
	switch Style(s) {
	case "", StyleAuto:
		return StyleAuto, nil
	case StyleOpenAI, StyleOIDC:
		return Style(s), nil
	}
	return "", fmt.Errorf("unknown issuer style %q (want auto, openai or oidc)", s)
}

// Resolve returns the Issuer for issuerURL ("" means OpenAI's). OpenAI's
// issuer (or style openai) uses its fixed layout; anything else is
// discovered.
func Resolve(ctx context.Context, hc *http.Client, issuerURL, clientID string, style Style) (Issuer, error) {
	u := strings.TrimRight(issuerURL, "/")
	if style == StyleOpenAI || (style != StyleOIDC && (u == "" || u == OpenAIIssuer)) {
		return OpenAI(u, clientID), nil
	}
	if clientID == "" {
		return Issuer{}, errors.New("--client-id is required for an issuer other than OpenAI's")
	}
	return Discover(ctx, hc, u, clientID)
}

// discovery is the subset of OpenID Connect Discovery 1.0 metadata we use.
type discovery struct {
	Issuer                      string   `json:"issuer"`
	AuthorizationEndpoint       string   `json:"authorization_endpoint"`
	TokenEndpoint               string   `json:"token_endpoint"`
	RevocationEndpoint          string   `json:"revocation_endpoint"`
	DeviceAuthorizationEndpoint string   `json:"device_authorization_endpoint"`
	RegistrationEndpoint        string   `json:"registration_endpoint"`
	ScopesSupported             []string `json:"scopes_supported"`
}

// Discover reads issuerURL/.well-known/openid-configuration.
func Discover(ctx context.Context, hc *http.Client, issuerURL, clientID string) (Issuer, error) {
	if err := checkEndpoint("issuer", issuerURL); err != nil {
		return Issuer{}, err
	}
	base := strings.TrimRight(issuerURL, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/openid-configuration", nil)
	if err != nil {
		return Issuer{}, fmt.Errorf("discover %s: %w", base, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client(hc).Do(req)
	if err != nil {
		return Issuer{}, fmt.Errorf("discover %s: %w", base, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := readBody(resp)
	if err != nil {
		return Issuer{}, fmt.Errorf("discover %s: %w", base, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Issuer{}, fmt.Errorf("discover %s: status %d", base, resp.StatusCode)
	}
	d, err := parseDiscovery(body)
	if err != nil {
		return Issuer{}, fmt.Errorf("discover %s: %w", base, err)
	}
	if strings.TrimRight(d.Issuer, "/") != base {
		return Issuer{}, fmt.Errorf("discover %s: document names issuer %q", base, d.Issuer)
	}
	is := d.issuer(base)
	is.ClientID, is.Scope, is.ScopesSupported = clientID, OIDCScope, nil
	return is, nil
}

// issuer is the Issuer a discovery document describes (no client yet).
func (d discovery) issuer(base string) Issuer {
	return Issuer{
		URL:                         base,
		AuthorizationEndpoint:       d.AuthorizationEndpoint,
		TokenEndpoint:               d.TokenEndpoint,
		RevocationEndpoint:          d.RevocationEndpoint,
		DeviceAuthorizationEndpoint: d.DeviceAuthorizationEndpoint,
		RegistrationEndpoint:        d.RegistrationEndpoint,
		ScopesSupported:             d.ScopesSupported,
	}
}

func parseDiscovery(body []byte) (discovery, error) {
	var d discovery
	if err := json.Unmarshal(body, &d); err != nil {
		return d, fmt.Errorf("bad discovery document: %w", err)
	}
	for _, e := range []struct{ name, v string }{
		{"authorization_endpoint", d.AuthorizationEndpoint},
		{"token_endpoint", d.TokenEndpoint},
	} {
		if e.v == "" {
			return d, fmt.Errorf("discovery document has no %s", e.name)
		}
		if err := checkEndpoint(e.name, e.v); err != nil {
			return d, err
		}
	}
	for _, e := range []struct{ name, v string }{
		{"revocation_endpoint", d.RevocationEndpoint},
		{"device_authorization_endpoint", d.DeviceAuthorizationEndpoint},
		{"registration_endpoint", d.RegistrationEndpoint},
	} {
		if e.v != "" {
			if err := checkEndpoint(e.name, e.v); err != nil {
				return d, err
			}
		}
	}
	return d, nil
}

// checkEndpoint insists on an absolute http(s) URL; plain http is only
// accepted for loopback hosts (local issuers and tests).
func checkEndpoint(name, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s %q is not an absolute URL", name, v)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if h == "localhost" || h == "127.0.0.1" || h == "::1" {
			return nil
		}
		return fmt.Errorf("%s %q must use https", name, v)
	}
	return fmt.Errorf("%s %q must use https", name, v)
}

// PKCE is an RFC 7636 verifier and its S256 challenge.
type PKCE struct {
	Verifier  string
	Challenge string
}

// NewPKCE makes a fresh verifier from 64 random bytes (86 characters of
// base64url, as the Codex CLI does).
func NewPKCE() (PKCE, error) {
	b := make([]byte, 64)
	if _, err := rand.Read(b); err != nil {
		return PKCE{}, fmt.Errorf("generate PKCE verifier: %w", err)
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	return PKCE{Verifier: v, Challenge: Challenge(v)}, nil
}

// Challenge is the S256 code challenge for verifier.
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// NewState returns 32 random bytes in base64url (43 characters).
func NewState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// AuthorizeURL builds the authorization request. For OpenAI's issuer the
// parameters and their order are exactly the Codex CLI's.
func (is Issuer) AuthorizeURL(redirectURI string, p PKCE, state string) string {
	q := []string{
		"response_type=code",
		"client_id=" + url.QueryEscape(is.ClientID),
		"redirect_uri=" + url.QueryEscape(redirectURI),
		"code_challenge=" + url.QueryEscape(p.Challenge),
		"code_challenge_method=S256",
		"state=" + url.QueryEscape(state),
	}
	if is.Scope != "" || is.OpenAI {
		q = append(q, "scope="+url.QueryEscape(is.Scope))
	}
	if is.Resource != "" && !is.OpenAI {
		q = append(q, "resource="+url.QueryEscape(is.Resource))
	}
	if is.OpenAI {
		q = append(q,
			"id_token_add_organizations=true",
			"codex_cli_simplified_flow=true",
			"originator="+Originator)
		if len(is.AllowedWorkspaces) > 0 {
			q = append(q, "allowed_workspace_id="+url.QueryEscape(strings.Join(is.AllowedWorkspaces, ",")))
		}
	}
	sep := "?"
	if strings.Contains(is.AuthorizationEndpoint, "?") {
		sep = "&"
	}
	return is.AuthorizationEndpoint + sep + strings.Join(q, "&")
}
