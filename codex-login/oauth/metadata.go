package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrNoMetadata means the server publishes no OAuth metadata at the
// well-known locations (every one answered 404 or similar): it does not
// support OAuth.
var ErrNoMetadata = errors.New("no OAuth metadata published")

// ProtectedResource is RFC 9728 protected resource metadata.
type ProtectedResource struct {
	Resource             string   `json:"resource"`
	AuthorizationServers []string `json:"authorization_servers"`
	ScopesSupported      []string `json:"scopes_supported"`
}

// DiscoverResource reads the protected resource metadata of resourceURL:
// from metadataURL when the server named one (the resource_metadata of a
// WWW-Authenticate challenge), else from the path-aware and then the root
// /.well-known/oauth-protected-resource. ErrNoMetadata when there is none.
func DiscoverResource(ctx context.Context, hc *http.Client, resourceURL, metadataURL string) (ProtectedResource, error) {
	var pr ProtectedResource
	u, err := url.Parse(resourceURL)
	if err != nil || u.Host == "" {
		return pr, fmt.Errorf("server URL %q is not an absolute URL", resourceURL)
	}
	cands := []string{}
	if metadataURL != "" {
		cands = append(cands, metadataURL)
	}
	path := strings.TrimRight(u.Path, "/")
	root := u.Scheme + "://" + u.Host
	if path != "" {
		cands = append(cands, root+"/.well-known/oauth-protected-resource"+path)
	}
	cands = append(cands, root+"/.well-known/oauth-protected-resource")
	for _, c := range cands {
		ok, err := getJSON(ctx, hc, c, &pr)
		if err != nil {
			return pr, err
		}
		if ok && len(pr.AuthorizationServers) > 0 {
			return pr, nil
		}
	}
	return ProtectedResource{}, ErrNoMetadata
}

// DiscoverAuthServer reads RFC 8414 authorization server metadata of
// issuerURL (path-aware, then OpenID Connect discovery in both of its
// placements) and returns the Issuer it describes, without a client.
// ErrNoMetadata when none of the locations has it.
func DiscoverAuthServer(ctx context.Context, hc *http.Client, issuerURL string) (Issuer, error) {
	if err := checkEndpoint("authorization server", issuerURL); err != nil {
		return Issuer{}, err
	}
	u, _ := url.Parse(issuerURL) // checked above
	root := u.Scheme + "://" + u.Host
	path := strings.TrimRight(u.Path, "/")
	cands := []string{root + "/.well-known/oauth-authorization-server" + path}
	if path != "" {
		cands = append(cands, root+"/.well-known/openid-configuration"+path)
	}
	cands = append(cands, root+path+"/.well-known/openid-configuration")
	for _, c := range cands {
		var raw json.RawMessage
		ok, err := getJSON(ctx, hc, c, &raw)
		if err != nil {
			return Issuer{}, err
		}
		if !ok {
			continue
		}
		d, err := parseDiscovery(raw)
		if err != nil {
			return Issuer{}, fmt.Errorf("%s: %w", c, err)
		}
		base := strings.TrimRight(issuerURL, "/")
		if d.Issuer != "" && strings.TrimRight(d.Issuer, "/") != base {
			return Issuer{}, fmt.Errorf("%s names issuer %q, not %q", c, d.Issuer, issuerURL)
		}
		return d.issuer(base), nil
	}
	return Issuer{}, ErrNoMetadata
}

// getJSON GETs u into v. ok is false (and err nil) when the server has no
// such document (a 4xx status or a body that is not JSON); a network
// failure or a 5xx is an error.
func getJSON(ctx context.Context, hc *http.Client, u string, v any) (ok bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	resp, err := client(hc).Do(req)
	if err != nil {
		return false, fmt.Errorf("GET %s: %w", u, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := readBody(resp)
	if err != nil {
		return false, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode >= 500 {
		return false, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return false, nil
	}
	if json.Unmarshal(data, v) != nil {
		return false, nil
	}
	return true, nil
}

// ClientRegistration is what RFC 7591 dynamic registration returns.
type ClientRegistration struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
}

// Register registers a public client (token_endpoint_auth_method none)
// named clientName with redirectURI at the issuer's registration endpoint.
func (c *Client) Register(ctx context.Context, clientName, redirectURI string) (ClientRegistration, error) {
	var reg ClientRegistration
	ep := c.Issuer.RegistrationEndpoint
	if ep == "" {
		return reg, errors.New("the authorization server offers no dynamic client registration")
	}
	data, _ := json.Marshal(map[string]any{ // plain strings always marshal
		"client_name":                clientName,
		"redirect_uris":              []string{redirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
	})
	resp, reply, err := c.post(ctx, ep, body{"application/json", data})
	if err != nil {
		return reg, fmt.Errorf("register client: %w", err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return reg, parseError("registration endpoint", resp.StatusCode, reply)
	}
	if err := json.Unmarshal(bytes.TrimSpace(reply), &reg); err != nil || reg.ClientID == "" {
		return reg, errors.New("registration endpoint reply has no client_id")
	}
	return reg, nil
}
