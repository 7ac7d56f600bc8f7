package login

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/codexgo/codex-login/agentidentity"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/common/config"
)

// maxKeyLen bounds what --with-api-key reads from stdin.
const maxKeyLen = 64 << 10

func loginAPIKey(env *Env, dir string) error {
	if f, ok := env.Stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			say(env.Stderr, "%s\n", "--with-api-key expects the API key on stdin. Try piping it, e.g. `printenv OPENAI_API_KEY | codex login --with-api-key`.")
			return exitError{1}
		}
	}
	say(env.Stderr, "%s\n", "Reading API key from stdin...")
	data, err := io.ReadAll(io.LimitReader(env.Stdin, maxKeyLen+1))
	if err != nil {
		return fmt.Errorf("read API key from stdin: %w", err)
	}
	if len(data) > maxKeyLen {
		return usageError{"stdin is too long to be an API key"}
	}
	key := strings.TrimSpace(string(data))
	if key == "" {
		say(env.Stderr, "%s\n", "No API key provided via stdin.")
		return exitError{1}
	}
	if strings.ContainsAny(key, " \t\r\n") {
		return usageError{"the API key on stdin contains whitespace; pipe just the key"}
	}
	_, aside, err := authfile.PrepareReplace(dir, env.Now())
	if err != nil {
		say(env.Stderr, "Error saving API key: %v\n", err)
		return exitError{1}
	}
	if aside != "" {
		say(env.Stderr, "The unreadable auth.json was moved to %s\n", aside)
	}
	if err := authfile.Save(dir, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key}); err != nil {
		say(env.Stderr, "Error saving API key: %v\n", err)
		return exitError{1}
	}
	say(env.Stderr, "%s\n", "API key saved. Authentication is checked when you send a request.")
	return nil
}

// Mask shows an API key the way the Codex CLI does: the first 8 and last 5
// characters, or only *** for keys of 13 characters or fewer.
func Mask(key string) string {
	key = strings.TrimSpace(key)
	if len(key) <= 13 {
		return "***"
	}
	return key[:8] + "***" + key[len(key)-5:]
}

// ProtocolVersion is the major version of the JSON that status --json
// and token --json print (their protocol_version; schema/ holds their
// JSON Schemas). A field added compatibly does not change it; a reader
// takes output without it as version 1 and must refuse a greater one.
const ProtocolVersion = 1

// statusJSON is the machine-readable status.
type statusJSON struct {
	ProtocolVersion int    `json:"protocol_version"`
	LoggedIn        bool   `json:"logged_in"`
	Mode            string `json:"mode,omitempty"`
	Source          string `json:"source,omitempty"`
	Issuer          string `json:"issuer,omitempty"`
	Email           string `json:"email,omitempty"`
	PlanType        string `json:"plan_type,omitempty"`
	AccountID       string `json:"account_id,omitempty"`
	ExpiresAt       string `json:"expires_at,omitempty"`
	APIKey          string `json:"api_key,omitempty"` // masked
	Error           string `json:"error,omitempty"`
}

func runStatus(ctx context.Context, env *Env, asJSON bool) error {
	out := func(s statusJSON) {
		s.ProtocolVersion = ProtocolVersion
		if asJSON {
			_ = json.NewEncoder(env.Stdout).Encode(s)
		}
	}
	// 0.169's status takes $CODEX_ACCESS_TOKEN before anything else.
	if tok := strings.TrimSpace(env.Getenv(agentidentity.AccessTokenEnv)); tok != "" {
		dir, err := home(env)
		if err != nil {
			return err
		}
		return accessTokenStatusOut(ctx, env, dir, tok, "$"+agentidentity.AccessTokenEnv, out)
	}
	for _, k := range []string{"CODEX_API_KEY", "OPENAI_API_KEY"} {
		if v := strings.TrimSpace(env.Getenv(k)); v != "" {
			say(env.Stderr, "API key configured via $%s - %s\nAuthentication is checked when you send a request.\n", k, Mask(v))
			out(statusJSON{LoggedIn: true, Mode: authfile.ModeAPIKey, Source: k, APIKey: Mask(v)})
			return nil
		}
	}
	dir, err := home(env)
	if err != nil {
		return err
	}
	f, err := authfile.Load(dir)
	if errors.Is(err, authfile.ErrNotLoggedIn) {
		say(env.Stderr, "%s\n", "Not logged in")
		out(statusJSON{})
		return exitError{1}
	}
	if err != nil {
		say(env.Stderr, "Error: %v\n", err)
		out(statusJSON{Error: err.Error()})
		return exitError{1}
	}
	s := statusJSON{LoggedIn: true, Mode: f.Mode(), Source: authfile.Path(dir)}
	switch f.Mode() {
	case authfile.ModeAPIKey:
		s.APIKey = Mask(*f.APIKey)
		say(env.Stderr, "API key configured - %s\nAuthentication is checked when you send a request.\n", s.APIKey)
	case authfile.ModeChatGPT:
		if f.OIDC != nil {
			s.Issuer = f.OIDC.Issuer
			say(env.Stderr, "Logged in using %s\n", f.OIDC.Issuer)
		} else {
			say(env.Stderr, "%s\n", "Logged in using ChatGPT")
		}
		c := credentials.Describe(f)
		s.Email, s.PlanType, s.AccountID = c.Email, c.PlanType, c.AccountID
		if !c.Expires.IsZero() {
			s.ExpiresAt = authfile.FormatTime(c.Expires)
		}
	case authfile.ModeAgentIdentity:
		if f.AgentIdentity == "" {
			err := errors.New("auth.json holds an agent identity record of an older Codex CLI; run `codex login --with-access-token` again")
			say(env.Stderr, "Error checking login status: %v\n", err)
			out(statusJSON{Mode: f.Mode(), Source: s.Source, Error: err.Error()})
			return exitError{1}
		}
		return accessTokenStatusOut(ctx, env, dir, f.AgentIdentity, s.Source, out)
	default:
		say(env.Stderr, "Logged in with auth mode %q, which codex-login does not support\n", f.Mode())
	}
	out(s)
	return nil
}

// accessTokenStatusOut reports an access token login as 0.169's status
// does: the token is verified again and a task registered with it
// (agentidentity.Start), so an expired token, a withdrawn key or an auth
// API that refuses the runtime is `Error checking login status: …`.
func accessTokenStatusOut(ctx context.Context, env *Env, dir, token, source string, out func(statusJSON)) error {
	s := statusJSON{Mode: authfile.ModeAgentIdentity, Source: source}
	cfg, err := config.Load(dir, config.Options{})
	var id *agentidentity.Identity
	if err == nil {
		id, err = agentidentity.Start(ctx, token, agentidentity.StartOptions{HTTP: env.HTTP, Getenv: env.Getenv, ChatGPTBaseURL: cfg.ChatgptBaseURL, Now: env.Now})
	}
	if err != nil {
		say(env.Stderr, "Error checking login status: %v\n", err)
		s.Error = err.Error()
		out(s)
		return exitError{1}
	}
	c := id.Claims
	s.LoggedIn = true
	s.Email, s.PlanType, s.AccountID = c.Email, c.PlanType, c.AccountID
	s.ExpiresAt = authfile.FormatTime(c.Expires())
	say(env.Stderr, "%s\n", "Logged in using access token")
	out(s)
	return nil
}

// isAccessTokenLogin reports whether the credentials in use are an access
// token ($CODEX_ACCESS_TOKEN or auth.json), found without verifying it.
func isAccessTokenLogin(env *Env, dir string) bool {
	if strings.TrimSpace(env.Getenv(agentidentity.AccessTokenEnv)) != "" {
		return true
	}
	f, err := authfile.Load(dir)
	return err == nil && f.Mode() == authfile.ModeAgentIdentity
}

func runToken(ctx context.Context, env *Env, force, asJSON bool) error {
	m, err := credentials.New(credentials.Options{Getenv: env.Getenv, HTTP: env.HTTP, Now: env.Now})
	if err != nil {
		return err
	}
	if _, ok := credentials.FromEnv(env.Getenv); !ok && isAccessTokenLogin(env, m.Home()) {
		return errors.New("an access token login (agent identity) has no bearer token: it signs each request with its own key; sign in with `codex login` or `codex login --with-api-key` for one")
	}
	c, err := m.Get(ctx)
	if err == nil && force {
		if c.Mode != authfile.ModeChatGPT {
			return usageError{"--refresh needs a ChatGPT login; API keys are not refreshed"}
		}
		c, err = m.RefreshAfterUnauthorized(ctx, c)
	}
	if errors.Is(err, credentials.ErrNotLoggedIn) {
		say(env.Stderr, "%s\n", "Not logged in")
		return exitError{1}
	}
	if err != nil {
		return err
	}
	if asJSON {
		v := map[string]any{"protocol_version": ProtocolVersion, "mode": c.Mode, "token": c.Bearer(), "account_id": c.AccountID}
		if !c.Expires.IsZero() {
			v["expires_at"] = authfile.FormatTime(c.Expires)
		}
		return json.NewEncoder(env.Stdout).Encode(v)
	}
	_, err = fmt.Fprintln(env.Stdout, c.Bearer())
	return err
}

func runLogout(ctx context.Context, env *Env) (err error) {
	dir, err := home(env)
	if err != nil {
		return err
	}
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	unlock, err := authfile.Lock(lctx, dir)
	if err != nil {
		return err
	}
	defer func() {
		if uerr := unlock(); err == nil && uerr != nil {
			err = uerr
		}
	}()
	f, err := authfile.Load(dir)
	switch {
	case errors.Is(err, authfile.ErrNotLoggedIn):
		say(env.Stderr, "%s\n", "Not logged in")
		return nil
	case err != nil:
		say(env.Stderr, "Removing unreadable credentials: %v\n", err)
	case f.Tokens != nil:
		revokeBestEffort(ctx, credentials.IssuerFor(f, oauth.OpenAI("", ""), env.Getenv), env.HTTP, f.Tokens)
	}
	removed, err := authfile.Remove(dir)
	if err != nil {
		return err
	}
	if !removed {
		say(env.Stderr, "%s\n", "Not logged in")
		return nil
	}
	say(env.Stderr, "%s\n", "Successfully logged out")
	return nil
}
