package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/codexgo/common/version"
)

// maxBody bounds what we read from the issuer.
const maxBody = 1 << 20

// Grant and token type URIs.
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	GrantDeviceCode    = "urn:ietf:params:oauth:grant-type:device_code"
	TokenTypeIDToken   = "urn:ietf:params:oauth:token-type:id_token"
)

// Client sends requests to one issuer.
type Client struct {
	Issuer Issuer
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client
}

// TokenResponse is a token endpoint reply. Fields the issuer omitted are "".
type TokenResponse struct {
	IDToken      string
	AccessToken  string
	RefreshToken string
	TokenType    string
	// Scope is the granted scope (space-separated), "" when not sent.
	Scope string
	// ExpiresIn is the access token lifetime; 0 when not sent.
	ExpiresIn time.Duration
}

// Error is an error reply from the issuer.
type Error struct {
	Endpoint string // "token endpoint", "revoke endpoint", ...
	Status   int
	Code     string // OAuth error code, e.g. invalid_grant, refresh_token_reused
	Message  string
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Code
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s returned status %d: %s", e.Endpoint, e.Status, msg)
}

// Permanent reports a refresh failure that retrying cannot fix: the user
// has to log in again.
func (e *Error) Permanent() bool {
	switch e.Code {
	case "refresh_token_expired", "refresh_token_reused", "refresh_token_invalidated", "invalid_grant":
		return true
	}
	return e.Status == http.StatusUnauthorized
}

// ExchangeCode trades an authorization code for tokens (RFC 6749 §4.1.3,
// form-encoded, public client with PKCE verifier).
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI, verifier string) (TokenResponse, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirectURI},
		"client_id":     {c.Issuer.ClientID},
		"code_verifier": {verifier},
	}
	order := c.clientParams(form, "grant_type", "code", "redirect_uri", "client_id", "code_verifier")
	tr, err := c.tokenRequest(ctx, c.Issuer.TokenEndpoint, formBody(form, order...))
	if err != nil {
		return tr, err
	}
	if tr.AccessToken == "" {
		return tr, errors.New("token endpoint reply has no access_token")
	}
	if c.Issuer.OpenAI && (tr.IDToken == "" || tr.RefreshToken == "") {
		return tr, errors.New("token endpoint reply lacks id_token or refresh_token")
	}
	return tr, nil
}

// ExchangeAPIKey trades an id_token for an OpenAI API key (RFC 8693 token
// exchange, OpenAI's issuer only).
func (c *Client) ExchangeAPIKey(ctx context.Context, idToken string) (string, error) {
	form := url.Values{
		"grant_type":         {GrantTokenExchange},
		"client_id":          {c.Issuer.ClientID},
		"requested_token":    {"openai-api-key"},
		"subject_token":      {idToken},
		"subject_token_type": {TokenTypeIDToken},
	}
	tr, err := c.tokenRequest(ctx, c.Issuer.TokenEndpoint, formBody(form, "grant_type", "client_id", "requested_token", "subject_token", "subject_token_type"))
	if err != nil {
		return "", err
	}
	if tr.AccessToken == "" {
		return "", errors.New("token exchange reply has no access_token")
	}
	return tr.AccessToken, nil
}

// Refresh uses a refresh token. OpenAI's issuer gets the Codex CLI's JSON
// body (with refresh_reason); other issuers a standard RFC 6749 §6 form.
func (c *Client) Refresh(ctx context.Context, refreshToken, reason string) (TokenResponse, error) {
	var b body
	if c.Issuer.OpenAI {
		m := map[string]string{
			"client_id":     c.Issuer.ClientID,
			"grant_type":    "refresh_token",
			"refresh_token": refreshToken,
		}
		if reason != "" {
			m["refresh_reason"] = reason
		}
		b = jsonBody(m)
	} else {
		form := url.Values{
			"grant_type":    {"refresh_token"},
			"refresh_token": {refreshToken},
			"client_id":     {c.Issuer.ClientID},
		}
		b = formBody(form, c.clientParams(form, "grant_type", "refresh_token", "client_id")...)
	}
	tr, err := c.tokenRequest(ctx, c.Issuer.TokenEndpoint, b)
	if err != nil {
		return tr, err
	}
	if tr.AccessToken == "" && tr.IDToken == "" {
		return tr, errors.New("refresh reply has no tokens")
	}
	return tr, nil
}

// clientParams adds a generic issuer's client secret (client_secret_post)
// and resource indicator (RFC 8707) to a token request form and returns
// the key order with them.
func (c *Client) clientParams(form url.Values, order ...string) []string {
	if c.Issuer.OpenAI {
		return order
	}
	if c.Issuer.ClientSecret != "" {
		form.Set("client_secret", c.Issuer.ClientSecret)
		order = append(order, "client_secret")
	}
	if c.Issuer.Resource != "" {
		form.Set("resource", c.Issuer.Resource)
		order = append(order, "resource")
	}
	return order
}

// Revoke revokes token (RFC 7009). hint is "refresh_token" or
// "access_token". It is a no-op when the issuer has no revocation endpoint.
func (c *Client) Revoke(ctx context.Context, token, hint string) error {
	ep := c.Issuer.RevocationEndpoint
	if ep == "" {
		return nil
	}
	var b body
	if c.Issuer.OpenAI {
		m := map[string]string{"token": token, "token_type_hint": hint}
		if hint == "refresh_token" {
			m["client_id"] = c.Issuer.ClientID
		}
		b = jsonBody(m)
	} else {
		b = formBody(url.Values{"token": {token}, "token_type_hint": {hint}, "client_id": {c.Issuer.ClientID}},
			"token", "token_type_hint", "client_id")
	}
	resp, data, err := c.post(ctx, ep, b)
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return parseError("revoke endpoint", resp.StatusCode, data)
	}
	return nil
}

// body is a request body with its content type.
type body struct {
	contentType string
	data        []byte
}

// formBody encodes values in the given key order (url.Values.Encode
// sorts, and we want the CLI's order on the wire).
func formBody(v url.Values, order ...string) body {
	parts := make([]string, 0, len(order))
	for _, k := range order {
		for _, val := range v[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(val))
		}
	}
	return body{"application/x-www-form-urlencoded", []byte(strings.Join(parts, "&"))}
}

// jsonBody marshals a string map; keys come out sorted, which matches the
// captured refresh body.
func jsonBody(m map[string]string) body {
	data, _ := json.Marshal(m) // a map[string]string always marshals
	return body{"application/json", data}
}

func (c *Client) tokenRequest(ctx context.Context, endpoint string, b body) (TokenResponse, error) {
	resp, data, err := c.post(ctx, endpoint, b)
	if err != nil {
		return TokenResponse{}, fmt.Errorf("token request: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return TokenResponse{}, parseError("token endpoint", resp.StatusCode, data)
	}
	return ParseTokenResponse(data)
}

func (c *Client) post(ctx context.Context, endpoint string, b body) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(b.data))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", b.contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("originator", Originator)
	req.Header.Set("User-Agent", "codex-login/"+version.Version)
	resp, err := client(c.HTTP).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := readBody(resp)
	if err != nil {
		return nil, nil, err
	}
	return resp, data, nil
}

// ParseTokenResponse decodes a successful token endpoint reply.
// expires_in may be a number or a numeric string (both are seen in the wild).
func ParseTokenResponse(data []byte) (TokenResponse, error) {
	var raw struct {
		IDToken      *string         `json:"id_token"`
		AccessToken  *string         `json:"access_token"`
		RefreshToken *string         `json:"refresh_token"`
		TokenType    *string         `json:"token_type"`
		Scope        *string         `json:"scope"`
		ExpiresIn    json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return TokenResponse{}, fmt.Errorf("bad token response: %w", err)
	}
	tr := TokenResponse{
		IDToken:      deref(raw.IDToken),
		AccessToken:  deref(raw.AccessToken),
		RefreshToken: deref(raw.RefreshToken),
		TokenType:    deref(raw.TokenType),
		Scope:        deref(raw.Scope),
	}
	if len(raw.ExpiresIn) > 0 && string(raw.ExpiresIn) != "null" {
		s := strings.Trim(string(raw.ExpiresIn), `"`)
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n < 0 || n > 1e9 {
			return TokenResponse{}, fmt.Errorf("bad token response: expires_in %s", raw.ExpiresIn)
		}
		tr.ExpiresIn = time.Duration(n * float64(time.Second))
	}
	return tr, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseError reads the error shapes the issuers send: {"error":"code",
// "error_description":"…"}, {"error":{"code":…,"message":…}} or
// {"code":…,"message":…}.
func parseError(endpoint string, status int, data []byte) *Error {
	e := &Error{Endpoint: endpoint, Status: status}
	var raw struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
		Code        string          `json:"code"`
		Message     string          `json:"message"`
	}
	if json.Unmarshal(data, &raw) != nil {
		e.Message = strings.TrimSpace(string(truncate(data, 200)))
		return e
	}
	var s string
	var obj struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	switch {
	case json.Unmarshal(raw.Error, &s) == nil:
		e.Code = s
	case json.Unmarshal(raw.Error, &obj) == nil:
		e.Code, e.Message = obj.Code, obj.Message
	}
	if e.Code == "" {
		e.Code = raw.Code
	}
	if raw.Description != "" {
		e.Message = raw.Description
	}
	if e.Message == "" {
		e.Message = raw.Message
	}
	return e
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func client(hc *http.Client) *http.Client {
	if hc == nil {
		return http.DefaultClient
	}
	return hc
}

func readBody(resp *http.Response) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if len(data) > maxBody {
		return nil, fmt.Errorf("response larger than %d bytes", maxBody)
	}
	return data, nil
}
