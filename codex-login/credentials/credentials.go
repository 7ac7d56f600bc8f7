// Package credentials gives other tools (the agent, the TUI) a valid
// bearer for the model API: an API key from the environment or auth.json,
// or ChatGPT/OIDC tokens from auth.json that are refreshed proactively
// when the access token is about to expire and reactively after a 401.
//
// Refresh tokens rotate, so a refresh is serialised within the process by
// a mutex and across processes by a lock on auth.json.lock, and auth.json
// is re-read after taking the lock: two agents refreshing at once never
// lose the login.
package credentials

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/codexgo/codex-login/agentidentity"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/common/codexhome"
)

// Refresh timing.
const (
	// ExpirySkew refreshes this long before the access token's exp, so a
	// request never leaves with a token that dies in flight.
	ExpirySkew = 30 * time.Second
	// RefreshInterval: tokens whose last_refresh is this old are refreshed
	// even if the access token claims to be valid (the Codex CLI's
	// interval; its only trigger for tokens without an expiry).
	RefreshInterval = 8 * 24 * time.Hour
)

// Environment variables consulted before auth.json, in this order.
var envKeys = [...]string{"CODEX_API_KEY", "OPENAI_API_KEY"}

// Errors callers tell apart.
var (
	// ErrNotLoggedIn: no API key in the environment and no auth.json.
	ErrNotLoggedIn = authfile.ErrNotLoggedIn
	// ErrLoginExpired: the refresh token was rejected for good.
	ErrLoginExpired = errors.New("your login has expired or was revoked; please log out and sign in again")
	// ErrAccountChanged: auth.json now belongs to a different account.
	ErrAccountChanged = errors.New("auth.json now holds a different account; restart to use it")
)

// Credentials is what a request needs.
type Credentials struct {
	// Mode is authfile.ModeAPIKey or authfile.ModeChatGPT.
	Mode string
	// Source says where they came from: an environment variable name or
	// the auth.json path.
	Source string
	// APIKey is the key in API-key mode; in ChatGPT mode the key from the
	// token exchange, if there was one.
	APIKey string
	// AccessToken, AccountID, Email and PlanType are set in ChatGPT mode.
	// AccountID goes into the chatgpt-account-id header.
	AccessToken string
	AccountID   string
	Email       string
	PlanType    string
	// Expires is the access token expiry, zero if unknown.
	Expires time.Time
	// Agent signs the requests of an access token login (agent identity
	// mode): verified and with a task registered for this process.
	Agent *agentidentity.Identity
}

// Bearer is the value for "Authorization: Bearer …".
func (c Credentials) Bearer() string {
	if c.Mode == authfile.ModeAPIKey {
		return c.APIKey
	}
	return c.AccessToken
}

// SetHeaders puts the credentials on an outgoing model API request:
// Authorization, and chatgpt-account-id for ChatGPT logins; an agent
// identity signs each request (agentidentity.Identity.SetHeaders).
func (c Credentials) SetHeaders(h http.Header) {
	if c.Agent != nil {
		c.Agent.SetHeaders(h, time.Now())
		return
	}
	h.Set("Authorization", "Bearer "+c.Bearer())
	if c.Mode == authfile.ModeChatGPT && c.AccountID != "" {
		h.Set("chatgpt-account-id", c.AccountID)
	}
}

// Options configures a Manager. Zero fields get production defaults.
type Options struct {
	// Home is CODEX_HOME; "" resolves it from Getenv.
	Home string
	// Getenv reads the environment; nil means an empty environment.
	Getenv func(string) string
	// HTTP is used for refresh requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Issuer refreshes ChatGPT tokens; nil means OpenAI's issuer (files
	// from another OIDC issuer carry their own endpoints).
	Issuer *oauth.Issuer
	// ChatGPTBaseURL is config.toml's chatgpt_base_url: an access token
	// login's key set and auth API are chosen by it ("" is OpenAI's).
	ChatGPTBaseURL string
}

// Manager hands out credentials; it is safe for concurrent use.
type Manager struct {
	home    string
	getenv  func(string) string
	hc      *http.Client
	now     func() time.Time
	issuer  oauth.Issuer
	chatgpt string

	mu   sync.Mutex
	file *authfile.File
	// cached is Describe(cachedFor), so repeated Gets skip JWT decoding.
	cached    Credentials
	cachedFor *authfile.File
	// dead caches permanent refresh failures per refresh token, so a
	// rejected token is not sent again and again.
	dead map[string]error
	// agent is the identity started for agentToken (once per process, as
	// 0.169 registers one task per process).
	agent      *agentidentity.Identity
	agentToken string
}

// New makes a Manager; nothing is read until the first Get.
func New(opts Options) (*Manager, error) {
	m := &Manager{getenv: opts.Getenv, hc: opts.HTTP, now: opts.Now, home: opts.Home, dead: map[string]error{}, chatgpt: opts.ChatGPTBaseURL}
	if m.getenv == nil {
		m.getenv = func(string) string { return "" }
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.home == "" {
		h, err := codexhome.Dir(m.getenv)
		if err != nil {
			return nil, err
		}
		m.home = h
	}
	if opts.Issuer != nil {
		m.issuer = *opts.Issuer
	} else {
		m.issuer = oauth.OpenAI("", "")
	}
	return m, nil
}

// Home is the CODEX_HOME the manager reads.
func (m *Manager) Home() string { return m.home }

// Get returns credentials, refreshing ChatGPT tokens first when the access
// token expires within ExpirySkew or the last refresh is older than
// RefreshInterval.
func (m *Manager) Get(ctx context.Context) (Credentials, error) {
	if c, ok := m.fromEnv(); ok {
		return c, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// $CODEX_ACCESS_TOKEN comes after the API keys of the environment and
	// before auth.json, as in 0.169.
	if tok := strings.TrimSpace(m.getenv(agentidentity.AccessTokenEnv)); tok != "" {
		return m.agentLocked(ctx, tok, "$"+agentidentity.AccessTokenEnv)
	}
	if m.file == nil {
		f, err := authfile.Load(m.home)
		if err != nil {
			return Credentials{}, err
		}
		m.file = f
	}
	if m.file.Mode() == authfile.ModeAgentIdentity {
		if m.file.AgentIdentity == "" {
			return Credentials{}, fmt.Errorf("%s holds an agent identity record of an older Codex CLI; run `codex login --with-access-token` again", authfile.Path(m.home))
		}
		return m.agentLocked(ctx, m.file.AgentIdentity, authfile.Path(m.home))
	}
	c, err := m.credentials(m.file)
	if err != nil {
		return Credentials{}, err
	}
	if !m.needsRefreshAt(m.file, c.Expires) {
		return c, nil
	}
	if err := m.refreshLocked(ctx, m.file.Tokens.AccessToken, "proactive_expiry", false); err != nil {
		return Credentials{}, err
	}
	return m.credentials(m.file)
}

// RefreshAfterUnauthorized is called after the server answered 401 to a
// request made with rejected. If the credentials have changed since (another
// goroutine or process refreshed), the new ones are returned without a
// refresh; otherwise the tokens are refreshed. API keys cannot be
// refreshed: they come back unchanged with an error.
func (m *Manager) RefreshAfterUnauthorized(ctx context.Context, rejected Credentials) (Credentials, error) {
	if c, ok := m.fromEnv(); ok {
		return c, errors.New("the API key was rejected")
	}
	if rejected.Agent != nil {
		// Every request carries a fresh assertion of the same task: 0.169
		// sends the request once more, registering nothing, and so do we.
		return rejected, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.file != nil && m.file.Tokens != nil && m.file.Tokens.AccessToken != rejected.AccessToken {
		return m.credentials(m.file)
	}
	if err := m.refreshLocked(ctx, rejected.AccessToken, "", true); err != nil {
		return Credentials{}, err
	}
	c, err := m.credentials(m.file)
	if err != nil {
		return Credentials{}, err
	}
	if c.Mode == authfile.ModeAPIKey && c.APIKey == rejected.APIKey {
		return c, errors.New("the API key was rejected")
	}
	if rejected.AccountID != "" && c.AccountID != rejected.AccountID {
		return Credentials{}, ErrAccountChanged
	}
	return c, nil
}

func (m *Manager) fromEnv() (Credentials, bool) { return FromEnv(m.getenv) }

// agentLocked returns the credentials of an access token: the token is
// verified and a task registered the first time (agentidentity.Start),
// and that identity signs every later request of the process.
func (m *Manager) agentLocked(ctx context.Context, token, source string) (Credentials, error) {
	if m.agent == nil || m.agentToken != token {
		id, err := agentidentity.Start(ctx, token, agentidentity.StartOptions{HTTP: m.hc, Getenv: m.getenv, ChatGPTBaseURL: m.chatgpt, Now: m.now})
		if err != nil {
			return Credentials{}, fmt.Errorf("access token (%s): %w", source, err)
		}
		m.agent, m.agentToken = id, token
	}
	c := m.agent.Claims
	return Credentials{Mode: authfile.ModeAgentIdentity, Source: source, AccountID: c.AccountID, Email: c.Email,
		PlanType: c.PlanType, Expires: c.Expires(), Agent: m.agent}, nil
}

// FromEnv returns the API key the environment gives (CODEX_API_KEY, then
// OPENAI_API_KEY), which Manager.Get prefers to auth.json.
func FromEnv(getenv func(string) string) (Credentials, bool) {
	for _, k := range envKeys {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return Credentials{Mode: authfile.ModeAPIKey, Source: k, APIKey: v}, true
		}
	}
	return Credentials{}, false
}

func (m *Manager) credentials(f *authfile.File) (Credentials, error) {
	// Decoding the JWTs costs tens of microseconds; do it once per file.
	if m.cachedFor != f {
		m.cached, m.cachedFor = Describe(f), f
		m.cached.Source = authfile.Path(m.home)
	}
	c := m.cached
	switch c.Mode {
	case authfile.ModeAPIKey, authfile.ModeChatGPT:
		return c, nil
	}
	return Credentials{}, fmt.Errorf("auth mode %q in %s is not supported", c.Mode, c.Source)
}

// Describe reads the credentials in f as they are, without refreshing
// (Source is left empty).
func Describe(f *authfile.File) Credentials {
	c := Credentials{Mode: f.Mode()}
	if f.APIKey != nil {
		c.APIKey = *f.APIKey
	}
	if f.Tokens == nil {
		return c
	}
	a := f.Account()
	c.AccessToken = f.Tokens.AccessToken
	c.AccountID, c.Email, c.PlanType, c.Expires = a.ID, a.Email, a.PlanType, a.Expires
	return c
}

func (m *Manager) needsRefresh(f *authfile.File) bool {
	return m.needsRefreshAt(f, f.Expiry())
}

// needsRefreshAt is needsRefresh with the access token expiry known.
func (m *Manager) needsRefreshAt(f *authfile.File, exp time.Time) bool {
	if f.Mode() != authfile.ModeChatGPT || f.Tokens == nil {
		return false
	}
	if f.Tokens.AccessToken == "" {
		return true
	}
	now := m.now()
	if !f.LastRefresh.IsZero() && now.Sub(f.LastRefresh) > RefreshInterval {
		return true
	}
	if !exp.IsZero() {
		return !now.Add(ExpirySkew).Before(exp)
	}
	// Neither an expiry nor a refresh time: refresh once to learn them.
	return f.LastRefresh.IsZero()
}
