package issuertest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/codexgo/codex-login/oauth"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.signer.jwks())
	})
	mux.HandleFunc("GET "+AgentJWKSPath, s.agentJWKS)
	mux.HandleFunc("GET "+AgentBackendJWKSPath, s.agentJWKS)
	mux.HandleFunc("POST "+AgentAuthAPIPath+"/v1/agent/{runtime}/task/register", s.registerAgentTask)
	mux.HandleFunc("GET /oauth/authorize", s.authorize)
	mux.HandleFunc("POST /oauth/token", s.tokenEndpoint)
	mux.HandleFunc("POST /oauth/revoke", s.revoke)
	mux.HandleFunc("POST /oauth/device/code", s.deviceCode)
	mux.HandleFunc("POST /api/accounts/deviceauth/usercode", s.openAIUserCode)
	mux.HandleFunc("POST /api/accounts/deviceauth/token", s.openAIDeviceToken)
	mux.HandleFunc("GET /codex/device", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><title>Device login</title><p>Enter your code.</p>")
	})
	return mux
}

func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.URL,
		"authorization_endpoint":                s.URL + "/oauth/authorize",
		"token_endpoint":                        s.URL + "/oauth/token",
		"revocation_endpoint":                   s.URL + "/oauth/revoke",
		"device_authorization_endpoint":         s.URL + "/oauth/device/code",
		"jwks_uri":                              s.URL + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"grant_types_supported": []string{"authorization_code", "refresh_token",
			oauth.GrantDeviceCode, oauth.GrantTokenExchange},
		"token_endpoint_auth_methods_supported": []string{"none"},
	})
}

// authorize checks the request and, like a user who consents, redirects
// straight back with a code (or with the configured error).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.stats.Authorizations = append(s.stats.Authorizations, r.URL.RawQuery)
	deny := s.deny
	s.mu.Unlock()
	redirect := q.Get("redirect_uri")
	ru, err := url.Parse(redirect)
	if err != nil || ru.Scheme != "http" || (ru.Hostname() != "127.0.0.1" && ru.Hostname() != "localhost") {
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	switch {
	case q.Get("client_id") != s.opts.ClientID:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code":
		redirectErr(w, r, ru, "unsupported_response_type", "", q.Get("state"))
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		redirectErr(w, r, ru, "invalid_request", "PKCE S256 is required", q.Get("state"))
		return
	case !hasScope(q.Get("scope"), "openid"):
		redirectErr(w, r, ru, "invalid_scope", "openid scope is required", q.Get("state"))
		return
	case deny != "":
		redirectErr(w, r, ru, deny, "The user denied the request", q.Get("state"))
		return
	}
	s.mu.Lock()
	code := s.token("code")
	s.codes[code] = &authCode{clientID: q.Get("client_id"), redirectURI: redirect, challenge: q.Get("code_challenge")}
	s.mu.Unlock()
	v := ru.Query()
	v.Set("code", code)
	v.Set("scope", q.Get("scope"))
	v.Set("state", q.Get("state"))
	ru.RawQuery = v.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}

func redirectErr(w http.ResponseWriter, r *http.Request, ru *url.URL, code, desc, state string) {
	v := ru.Query()
	v.Set("error", code)
	if desc != "" {
		v.Set("error_description", desc)
	}
	v.Set("state", state)
	ru.RawQuery = v.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

// params reads a form or JSON body into one map; isJSON tells which.
func params(r *http.Request) (map[string]string, bool, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, false, err
	}
	out := map[string]string{}
	if ct == "application/json" {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, true, err
		}
		for k, v := range m {
			if sv, ok := v.(string); ok {
				out[k] = sv
			}
		}
		return out, true, nil
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, false, err
	}
	for k := range v {
		out[k] = v.Get(k)
	}
	return out, false, nil
}

func (s *Server) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(strings.NewReader(string(raw)))
	p, isJSON, err := params(r)
	if err != nil {
		oauthErr(w, http.StatusBadRequest, "invalid_request", "unreadable body")
		return
	}
	if p["client_id"] != s.opts.ClientID {
		oauthErr(w, http.StatusUnauthorized, "invalid_client", "unknown client_id")
		return
	}
	switch p["grant_type"] {
	case "authorization_code":
		if isJSON {
			oauthErr(w, http.StatusBadRequest, "invalid_request", "form body required")
			return
		}
		s.codeGrant(w, p)
	case oauth.GrantTokenExchange:
		s.exchange(w, p)
	case "refresh_token":
		s.refreshGrant(w, p, isJSON, string(raw))
	case oauth.GrantDeviceCode:
		s.deviceGrant(w, p)
	default:
		oauthErr(w, http.StatusBadRequest, "unsupported_grant_type", p["grant_type"])
	}
}

func (s *Server) codeGrant(w http.ResponseWriter, p map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.codes[p["code"]]
	switch {
	case c == nil || c.used:
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "unknown or used authorization code")
		return
	case c.redirectURI != p["redirect_uri"]:
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "redirect_uri mismatch")
		return
	case oauth.Challenge(p["code_verifier"]) != c.challenge:
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	c.used = true
	s.stats.CodeExchanges++
	tr, err := s.issueLocked("user-1", s.opts.AccessTTL)
	if err != nil {
		oauthErr(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, tr)
}

func (s *Server) exchange(w http.ResponseWriter, p map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p["requested_token"] != "openai-api-key" || p["subject_token_type"] != oauth.TokenTypeIDToken || p["subject_token"] == "" {
		oauthErr(w, http.StatusBadRequest, "invalid_request", "bad token exchange")
		return
	}
	if s.failAPIKey {
		oauthErr(w, http.StatusForbidden, "access_denied", "organization has no API access")
		return
	}
	s.stats.APIKeyExchanges++
	s.apiKey = "sk-test-" + s.token("key")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": s.apiKey, "issued_token_type": "urn:ietf:params:oauth:token-type:access_token", "token_type": "Bearer",
	})
}

// refreshGrant rotates the refresh token: the old one is dead afterwards,
// and reusing it is the refresh_token_reused error OpenAI sends.
func (s *Server) refreshGrant(w http.ResponseWriter, p map[string]string, isJSON bool, raw string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Refreshes++
	s.stats.RefreshBodies = append(s.stats.RefreshBodies, raw)
	g := s.refresh[p["refresh_token"]]
	if g == nil || g.rotated || g.revoked {
		code, msg := "refresh_token_expired", "Your refresh token has expired. Please sign in again."
		if g != nil && g.rotated {
			code, msg = "refresh_token_reused", "Your refresh token has already been used to generate a new access token. Please try signing in again."
		} else if g != nil {
			code, msg = "refresh_token_invalidated", "Your refresh token has been invalidated. Please try signing in again."
		}
		if isJSON {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": code}})
		} else {
			oauthErr(w, http.StatusBadRequest, "invalid_grant", msg)
		}
		return
	}
	g.rotated = true
	tr, err := s.issueLocked(g.sub, s.opts.AccessTTL)
	if err != nil {
		oauthErr(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, tr)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	p, _, err := params(r)
	if err != nil || p["token"] == "" {
		oauthErr(w, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Revoked = append(s.stats.Revoked, p["token"])
	if g := s.refresh[p["token"]]; g != nil {
		g.revoked = true
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

// deviceCode is RFC 8628 §3.1.
func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	p, _, err := params(r)
	if err != nil || p["client_id"] != s.opts.ClientID {
		oauthErr(w, http.StatusUnauthorized, "invalid_client", "unknown client_id")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dc := s.token("dc")
	uc := s.userCode()
	s.devices[dc] = &device{userCode: uc, expires: time.Now().Add(s.opts.DeviceExpiresIn), approveAfter: s.opts.DeviceApproveAfter}
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code": dc, "user_code": uc,
		"verification_uri":          s.URL + "/codex/device",
		"verification_uri_complete": s.URL + "/codex/device?user_code=" + uc,
		"expires_in":                int(s.opts.DeviceExpiresIn / time.Second), "interval": s.opts.DeviceInterval,
	})
}

func (s *Server) userCode() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	h := strings.ToUpper(hex.EncodeToString(b))
	return h[:4] + "-" + h[4:]
}

func (s *Server) deviceGrant(w http.ResponseWriter, p map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.DevicePolls++
	d := s.devices[p["device_code"]]
	if d != nil {
		d.poll()
	}
	switch {
	case d == nil:
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "unknown device_code")
		return
	case time.Now().After(d.expires):
		oauthErr(w, http.StatusBadRequest, "expired_token", "the device code has expired")
		return
	case s.slowDowns > 0:
		s.slowDowns--
		oauthErr(w, http.StatusBadRequest, "slow_down", "polling too fast")
		return
	case d.denied:
		oauthErr(w, http.StatusBadRequest, "access_denied", "the user denied the request")
		return
	case !d.approved:
		oauthErr(w, http.StatusBadRequest, "authorization_pending", "")
		return
	}
	delete(s.devices, p["device_code"])
	tr, err := s.issueLocked("user-1", s.opts.AccessTTL)
	if err != nil {
		oauthErr(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, tr)
}

// openAIUserCode is OpenAI's device flow start.
func (s *Server) openAIUserCode(w http.ResponseWriter, r *http.Request) {
	p, isJSON, err := params(r)
	if err != nil || !isJSON || p["client_id"] != s.opts.ClientID {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid client_id"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.token("deviceauth")
	pk, err := oauth.NewPKCE()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error()})
		return
	}
	d := &device{userCode: s.userCode(), expires: time.Now().Add(15 * time.Minute), verifier: pk.Verifier, approveAfter: s.opts.DeviceApproveAfter}
	s.devices[id] = d
	writeJSON(w, http.StatusOK, map[string]any{
		"device_auth_id": id, "user_code": d.userCode, "interval": jsonString(s.opts.DeviceInterval),
	})
}

func jsonString(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// openAIDeviceToken answers 403 while pending and hands back an
// authorization code plus the PKCE pair once approved.
func (s *Server) openAIDeviceToken(w http.ResponseWriter, r *http.Request) {
	p, _, err := params(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "bad body"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.DevicePolls++
	d := s.devices[p["device_auth_id"]]
	if d != nil {
		d.poll()
	}
	if d == nil || d.userCode != p["user_code"] {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": "deviceauth_not_found", "message": "unknown device code"}})
		return
	}
	if !d.approved {
		writeJSON(w, http.StatusForbidden, map[string]any{"error": map[string]any{"code": "deviceauth_authorization_pending", "message": "pending"}})
		return
	}
	delete(s.devices, p["device_auth_id"])
	code := s.token("code")
	ch := oauth.Challenge(d.verifier)
	s.codes[code] = &authCode{clientID: s.opts.ClientID, redirectURI: s.URL + "/deviceauth/callback", challenge: ch}
	writeJSON(w, http.StatusOK, map[string]any{"authorization_code": code, "code_challenge": ch, "code_verifier": d.verifier})
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	m := map[string]any{"error": code}
	if desc != "" {
		m["error_description"] = desc
	}
	writeJSON(w, status, m)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// poll counts a poll and applies a pending ApproveDeviceAfter.
func (d *device) poll() {
	d.polls++
	if d.approveAfter > 0 && d.polls >= d.approveAfter && !d.denied {
		d.approved = true
	}
}
