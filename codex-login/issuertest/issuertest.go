// Package issuertest is a local OAuth 2.0 / OpenID Connect issuer for
// tests. It speaks the wire formats of OpenAI's login issuer (authorize,
// form-encoded code exchange, RFC 8693 API-key exchange, JSON refresh and
// revoke, the /api/accounts/deviceauth device flow) and of a standard OIDC
// provider (discovery, JWKS, RFC 6749 form refresh, RFC 7009 revoke, RFC
// 8628 device flow). It verifies PKCE, rotates refresh tokens and signs
// ES256 JWTs. It also plays the ChatGPT backend's agent identity key set
// (RS256 JWKS) and signs agent identity JWTs for `codex login
// --with-access-token`. It listens on 127.0.0.1 only.
//
// Other modules' tests (the TUI's login screen) start it with Start and
// play the browser with Visit.
package issuertest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/codexgo/codex-login/oauth"
)

// Options configures a Server. The zero value works.
type Options struct {
	// ClientID the issuer accepts; default oauth.OpenAIClientID.
	ClientID string
	// AccessTTL is the access token lifetime; default one hour.
	AccessTTL time.Duration
	// OpaqueAccessTokens issues random strings instead of JWT access
	// tokens, as many enterprise providers do.
	OpaqueAccessTokens bool
	// Email, AccountID and PlanType go into the tokens' claims.
	Email, AccountID, PlanType string
	// DeviceInterval is the poll interval sent with device codes, in
	// seconds; default 0 so tests poll without delay.
	DeviceInterval int
	// DeviceApproveAfter, when > 0, approves every device login on its
	// n-th poll, as if the user entered the code right away.
	DeviceApproveAfter int
	// DeviceExpiresIn is the RFC 8628 device code lifetime; default 15 min.
	DeviceExpiresIn time.Duration
}

// Stats counts what the issuer has been asked.
type Stats struct {
	CodeExchanges   int
	APIKeyExchanges int
	Refreshes       int
	// RefreshBodies are the raw refresh request bodies, in order.
	RefreshBodies []string
	// Revoked lists revoked tokens, in order.
	Revoked []string
	// Authorizations are the raw query strings of authorize requests.
	Authorizations []string
	DevicePolls    int
	// AgentJWKSRequests counts requests for the agent identity key set.
	AgentJWKSRequests int
	// AgentTaskRegistrations counts task registrations (accepted or not).
	AgentTaskRegistrations int
}

// Server is a running test issuer.
type Server struct {
	// URL is the issuer URL, http://127.0.0.1:<port>.
	URL string

	opts   Options
	srv    *httptest.Server
	signer *signer

	mu         sync.Mutex
	deny       string // authorize: error to redirect with ("" approves)
	failAPIKey bool
	slowDowns  int
	codes      map[string]*authCode
	refresh    map[string]*grant // refresh token → grant; nil grant value after rotation
	devices    map[string]*device
	apiKey     string
	stats      Stats
	seq        int
	jwksStatus int // agent identity key set: answer this status instead (0: serve)

	agents    map[string]*agentRuntime // runtime id → what the backend knows of it
	tasks     map[string]string        // task id → runtime id
	taskReply string                   // "" (encrypted_task_id), "plain", "camel"
	taskFail  int                      // registration: answer this status instead (0: register)
	agentOnce sync.Once
	agentRSA  *rsa.PrivateKey
	agentErr  error
}

type authCode struct {
	clientID, redirectURI, challenge string
	used                             bool
}

type grant struct {
	sub     string
	rotated bool
	revoked bool
}

type device struct {
	userCode string
	expires  time.Time
	approved bool
	denied   bool
	verifier string // OpenAI flow: the PKCE pair the server hands back
	// approveAfter > 0 approves the login on that poll (1-based).
	approveAfter int
	polls        int
}

// Start runs a new issuer on 127.0.0.1; Close it when done.
func Start(opts Options) (*Server, error) {
	if opts.ClientID == "" {
		opts.ClientID = oauth.OpenAIClientID
	}
	if opts.AccessTTL == 0 {
		opts.AccessTTL = time.Hour
	}
	if opts.Email == "" {
		opts.Email = "user@example.com"
	}
	if opts.AccountID == "" {
		opts.AccountID = "acct-test-0001"
	}
	if opts.PlanType == "" {
		opts.PlanType = "plus"
	}
	if opts.DeviceExpiresIn == 0 {
		opts.DeviceExpiresIn = 15 * time.Minute
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("issuer key: %w", err)
	}
	s := &Server{
		opts:    opts,
		signer:  &signer{key: key, kid: "test-key-1"},
		codes:   map[string]*authCode{},
		refresh: map[string]*grant{},
		devices: map[string]*device{},
		agents:  map[string]*agentRuntime{},
		tasks:   map[string]string{},
	}
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// OpenAI returns the issuer in OpenAI's layout (the Codex flavour).
func (s *Server) OpenAI() oauth.Issuer { return oauth.OpenAI(s.URL, s.opts.ClientID) }

// Client returns an HTTP client for talking to the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Deny makes later authorize requests redirect back with this OAuth error
// (e.g. "access_denied"); "" approves again.
func (s *Server) Deny(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = code
}

// FailAPIKeyExchange makes the id_token → API key exchange fail.
func (s *Server) FailAPIKeyExchange(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAPIKey = fail
}

// SlowDown makes the next n RFC 8628 device polls answer slow_down.
func (s *Server) SlowDown(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slowDowns = n
}

// ApproveDevice approves (or with deny, denies) the device login for userCode.
func (s *Server) ApproveDevice(userCode string, deny bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devices {
		if d.userCode == userCode {
			d.approved, d.denied = !deny, deny
			return nil
		}
	}
	return fmt.Errorf("no device code %q", userCode)
}

// ApproveDeviceAfter approves the device login for userCode on its n-th
// poll, so a test sees "pending" n-1 times without timing games.
func (s *Server) ApproveDeviceAfter(userCode string, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devices {
		if d.userCode == userCode {
			d.approveAfter = n
			return nil
		}
	}
	return fmt.Errorf("no device code %q", userCode)
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.RefreshBodies = append([]string(nil), st.RefreshBodies...)
	st.Revoked = append([]string(nil), st.Revoked...)
	st.Authorizations = append([]string(nil), st.Authorizations...)
	return st
}

// APIKey is the API key the token exchange hands out ("" before the first).
func (s *Server) APIKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiKey
}

// Tokens is a token set minted without a browser, for seeding auth.json.
type Tokens struct {
	IDToken, AccessToken, RefreshToken string
}

// Mint issues a fresh token set as if a login had just completed; ttl
// overrides the access token lifetime when non-zero (negative makes an
// already expired token).
func (s *Server) Mint(ttl time.Duration) (Tokens, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ttl == 0 {
		ttl = s.opts.AccessTTL
	}
	tr, err := s.issueLocked("user-1", ttl)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{IDToken: tr["id_token"].(string), AccessToken: tr["access_token"].(string), RefreshToken: tr["refresh_token"].(string)}, nil
}

// RefreshTokenValid reports whether rt can still be used.
func (s *Server) RefreshTokenValid(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.refresh[rt]
	return g != nil && !g.rotated && !g.revoked
}

// Visit plays the user's browser: it GETs authorizeURL and follows every
// redirect (to the login's callback and its success page), returning the
// final status and body.
func Visit(ctx context.Context, hc *http.Client, authorizeURL string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return 0, "", err
	}
	if hc == nil {
		hc = &http.Client{}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), err
}

// token returns a random token with a readable prefix; callers hold mu.
func (s *Server) token(prefix string) string {
	s.seq++
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return fmt.Sprintf("%s-%d-%s", prefix, s.seq, hex.EncodeToString(b))
}

// issueLocked mints id, access and refresh tokens for sub.
func (s *Server) issueLocked(sub string, ttl time.Duration) (map[string]any, error) {
	now := time.Now()
	auth := map[string]any{
		"chatgpt_plan_type":             s.opts.PlanType,
		"chatgpt_user_id":               sub,
		"chatgpt_account_id":            s.opts.AccountID,
		"organization_id":               "org-test",
		"project_id":                    "proj-test",
		"completed_platform_onboarding": true,
		"is_org_owner":                  false,
	}
	id, err := s.signer.sign(map[string]any{
		"iss": s.URL, "sub": sub, "aud": []string{s.opts.ClientID},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"email": s.opts.Email, "email_verified": true,
		"https://api.openai.com/auth":    auth,
		"https://api.openai.com/profile": map[string]any{"email": s.opts.Email},
	})
	if err != nil {
		return nil, err
	}
	var access string
	if s.opts.OpaqueAccessTokens {
		access = s.token("at")
	} else {
		access, err = s.signer.sign(map[string]any{
			"iss": s.URL, "sub": sub, "aud": []string{"https://api.openai.com/v1"},
			"iat": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": s.token("jti"),
			"https://api.openai.com/auth": map[string]any{"chatgpt_plan_type": s.opts.PlanType, "chatgpt_account_id": s.opts.AccountID},
		})
		if err != nil {
			return nil, err
		}
	}
	rt := s.token("rt")
	s.refresh[rt] = &grant{sub: sub}
	return map[string]any{
		"id_token": id, "access_token": access, "refresh_token": rt,
		"token_type": "Bearer", "expires_in": int(ttl / time.Second),
		"scope": "openid profile email offline_access",
	}, nil
}
