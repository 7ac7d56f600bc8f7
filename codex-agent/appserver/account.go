package appserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	login "github.com/codexgo/codex-login"
	"github.com/codexgo/codex-login/agentidentity"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/common/config"
)

// loginTable holds the ChatGPT logins in progress by loginId.
type loginTable struct {
	mu sync.Mutex
	m  map[string]context.CancelFunc
}

func newLoginTable() *loginTable { return &loginTable{m: map[string]context.CancelFunc{}} }

func (t *loginTable) cancelAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, c := range t.m {
		c()
		delete(t.m, id)
	}
}

func newLoginID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// loginInfo is the login as account/read reports it.
type loginInfo struct {
	// account is the protocol's Account; nil when not logged in.
	account map[string]any
	// mode is its AuthMode.
	mode string
	// userID is the ChatGPT user id, when known.
	userID string
}

// account describes the credentials the threads use, in the order they
// take them (codex-login's credentials.Manager): an API key of the
// environment, $CODEX_ACCESS_TOKEN, then auth.json (an API key, a
// ChatGPT login, or an access token login).
func (s *server) account() (map[string]any, string) {
	l := s.login()
	return l.account, l.mode
}

func (s *server) login() loginInfo {
	if c, ok := credentials.FromEnv(s.o.Getenv); ok && c.Mode == authfile.ModeAPIKey {
		return loginInfo{account: map[string]any{"type": "apiKey"}, mode: "apikey"}
	}
	if tok := strings.TrimSpace(s.o.Getenv(agentidentity.AccessTokenEnv)); tok != "" {
		return s.agentLogin(tok)
	}
	f, err := authfile.Load(s.o.CodexHome)
	if err != nil {
		return loginInfo{}
	}
	c := credentials.Describe(f)
	switch c.Mode {
	case authfile.ModeAPIKey:
		return loginInfo{account: map[string]any{"type": "apiKey"}, mode: "apikey"}
	case authfile.ModeChatGPT:
		return loginInfo{account: map[string]any{"type": "chatgpt", "email": nilIfEmpty(c.Email), "planType": planType(c.PlanType)}, mode: "chatgpt"}
	case authfile.ModeAgentIdentity:
		if f.AgentIdentity != "" {
			return s.agentLogin(f.AgentIdentity)
		}
	}
	return loginInfo{}
}

// planTypes are the plans of the protocol's PlanType.
var planTypes = map[string]bool{"free": true, "go": true, "plus": true, "pro": true, "prolite": true, "promax": true,
	"team": true, "self_serve_business_prolite": true, "self_serve_business_usage_based": true, "business": true,
	"ent26": true, "enterprise_cbp_automation": true, "enterprise_cbp_usage_based": true, "enterprise": true,
	"edu": true, "edu_plus": true, "edu_pro": true, "sci": true, "sci_plus": true, "unknown": true}

// planType reads a plan claim as the Codex CLI 0.169 does (measured
// with access tokens of every plan): the protocol's names as they are,
// "hc" as enterprise, "education" as edu, anything else (another case
// too) as unknown.
func planType(p string) string {
	switch {
	case planTypes[p]:
		return p
	case p == "hc":
		return "enterprise"
	case p == "education":
		return "edu"
	}
	return "unknown"
}

func (s *server) accountRead(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		RefreshToken bool `json:"refreshToken"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	l := s.login()
	var a any
	if l.account != nil {
		a = l.account
	}
	return map[string]any{"account": a, "requiresOpenaiAuth": true, "userId": nilIfEmpty(l.userID)}, nil
}

func (s *server) accountUpdated() {
	_, mode := s.account()
	s.c.notify("account/updated", map[string]any{"authMode": nilIfEmpty(mode), "planType": nil})
}

func (s *server) loginStart(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Type   string `json:"type"`
		APIKey string `json:"apiKey"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if cfg, err := config.Load(s.o.CodexHome, config.Options{Profile: s.o.Profile, Overrides: s.o.Overrides}); err == nil {
		switch {
		case cfg.ForcedLoginMethod == "chatgpt" && p.Type == "apiKey":
			return nil, invalidRequest("API key login is disabled by forced_login_method; log in with ChatGPT")
		case cfg.ForcedLoginMethod == "api" && p.Type != "apiKey":
			return nil, invalidRequest("ChatGPT login is disabled by forced_login_method; log in with an API key")
		}
	}
	switch p.Type {
	case "apiKey":
		key := strings.TrimSpace(p.APIKey)
		if key == "" || strings.ContainsAny(key, " \t\r\n") {
			return nil, invalidParams("apiKey must be a non-empty key without whitespace")
		}
		if err := s.saveAPIKey(ctx, key); err != nil {
			return nil, err
		}
		return then{map[string]any{"type": "apiKey"}, func() {
			s.c.notify("account/login/completed", map[string]any{"loginId": nil, "success": true, "error": nil})
			s.accountUpdated()
		}}, nil
	case "chatgpt", "chatgptDeviceCode":
		return s.chatgptLogin(p.Type == "chatgptDeviceCode")
	}
	return nil, invalidParams("login type %q is not supported (apiKey, chatgpt, chatgptDeviceCode)", p.Type)
}

func (s *server) saveAPIKey(ctx context.Context, key string) error {
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	unlock, err := authfile.Lock(lctx, s.o.CodexHome)
	if err != nil {
		return err
	}
	defer func() { _ = unlock() }()
	if _, _, err := authfile.PrepareReplace(s.o.CodexHome, s.o.Now()); err != nil {
		return err
	}
	return authfile.Save(s.o.CodexHome, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key})
}

// chatgptLogin starts a browser or device-code login through
// codex-login and answers once the URL or the code is known; the end of
// the login is account/login/completed.
func (s *server) chatgptLogin(device bool) (any, error) {
	id := newLoginID()
	ctx, cancel := context.WithCancel(s.ctx)
	s.logins.mu.Lock()
	s.logins.m[id] = cancel
	s.logins.mu.Unlock()
	type start struct {
		url, code string
	}
	started := make(chan start, 1)
	failed := make(chan error, 1)
	o := login.Options{Home: s.o.CodexHome, Issuer: s.issuer(), HTTP: s.o.HTTP, Now: s.o.Now, Ports: s.o.LoginPorts,
		OnURL: func(u string) {
			if s.o.OpenBrowser != nil {
				_ = s.o.OpenBrowser(u)
			}
			started <- start{url: u}
		},
		OnDeviceCode: func(dc *oauth.DeviceCode) { started <- start{url: dc.VerificationURI, code: dc.UserCode} },
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var err error
		if device {
			_, err = login.DeviceLogin(ctx, o)
		} else {
			_, err = login.BrowserLogin(ctx, o)
		}
		s.logins.mu.Lock()
		_, live := s.logins.m[id]
		delete(s.logins.m, id)
		s.logins.mu.Unlock()
		cancel()
		select {
		case failed <- err:
		default:
		}
		if err != nil {
			msg := err.Error()
			if !live || errors.Is(err, context.Canceled) {
				msg = "login canceled"
			}
			s.c.notify("account/login/completed", map[string]any{"loginId": id, "success": false, "error": msg})
			return
		}
		s.c.notify("account/login/completed", map[string]any{"loginId": id, "success": true, "error": nil})
		s.accountUpdated()
	}()
	select {
	case st := <-started:
		if device {
			return map[string]any{"type": "chatgptDeviceCode", "loginId": id, "verificationUrl": st.url, "userCode": st.code}, nil
		}
		return map[string]any{"type": "chatgpt", "loginId": id, "authUrl": st.url}, nil
	case err := <-failed:
		if err == nil {
			err = errors.New("login ended before it started")
		}
		return nil, invalidRequest("login: %v", err)
	}
}

func (s *server) issuer() oauth.Issuer {
	if s.o.Issuer.TokenEndpoint != "" {
		return s.o.Issuer
	}
	return oauth.OpenAI("", "")
}

func (s *server) loginCancel(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		LoginID string `json:"loginId"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.logins.mu.Lock()
	c, ok := s.logins.m[p.LoginID]
	delete(s.logins.m, p.LoginID)
	s.logins.mu.Unlock()
	if !ok {
		return map[string]any{"status": "notFound"}, nil
	}
	c()
	return map[string]any{"status": "canceled"}, nil
}

func (s *server) logout(ctx context.Context, _ json.RawMessage) (any, error) {
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	unlock, err := authfile.Lock(lctx, s.o.CodexHome)
	if err != nil {
		return nil, err
	}
	_, err = authfile.Remove(s.o.CodexHome)
	_ = unlock()
	if err != nil {
		return nil, err
	}
	return then{map[string]any{}, s.accountUpdated}, nil
}
