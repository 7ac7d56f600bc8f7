package appserver

import (
	"fmt"
	"sync"

	"github.com/codexgo/codex-login/agentidentity"
	"github.com/codexgo/common/config"
)

// identities remembers, per access token, whether it started (verified
// against the key set, a task registered) and its claims: a token is
// started once per server, as the Codex CLI 0.169 starts the identity
// once per process (at start-up), and is reported only if it started.
type identities struct {
	mu sync.Mutex
	m  map[string]identity
}

// identity is one access token's outcome.
type identity struct {
	claims agentidentity.Claims
	ok     bool
}

// agentLogin describes an access token login (`codex login
// --with-access-token`, or $CODEX_ACCESS_TOKEN) as 0.169's account/read
// does: a chatgpt account with the token's email and plan and its
// chatgpt_user_id, once the token has started; not logged in otherwise.
// (0.169 reports an email claim that is "" as "", a missing one as null;
// both are null here: the claims do not tell them apart.)
func (s *server) agentLogin(token string) loginInfo {
	id := s.startIdentity(token)
	if !id.ok {
		return loginInfo{}
	}
	c := id.claims
	return loginInfo{
		account: map[string]any{"type": "chatgpt", "email": nilIfEmpty(c.Email), "planType": planType(c.PlanType), "workspaceName": nil},
		mode:    "agentIdentity",
		userID:  c.ChatGPTUserID,
	}
}

// startIdentity starts token (agentidentity.Start, with config.toml's
// chatgpt_base_url) the first time it is seen, and answers from memory
// after that.
func (s *server) startIdentity(token string) identity {
	s.agents.mu.Lock()
	defer s.agents.mu.Unlock()
	if id, ok := s.agents.m[token]; ok {
		return id
	}
	base := ""
	if cfg, err := config.Load(s.o.CodexHome, config.Options{Profile: s.o.Profile, Overrides: s.o.Overrides}); err == nil {
		base = cfg.ChatgptBaseURL
	}
	var id identity
	if a, err := agentidentity.Start(s.ctx, token, agentidentity.StartOptions{HTTP: s.o.HTTP, Getenv: s.o.Getenv,
		ChatGPTBaseURL: base, Now: s.o.Now}); err == nil {
		id = identity{claims: a.Claims, ok: true}
	} else {
		// Reported as not logged in, as 0.169 does; the reason goes to
		// the log.
		fmt.Fprintf(s.o.Stderr, "codex app-server: the access token is not usable: %v\n", err)
	}
	if s.agents.m == nil {
		s.agents.m = map[string]identity{}
	}
	s.agents.m[token] = id
	return id
}
