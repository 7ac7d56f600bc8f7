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
	"github.com/codexgo/codex-login/status"
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
func Mask(key string) string { return status.Mask(key) }

// ProtocolVersion is the major version of the JSON that status --json
// and token --json print (their protocol_version; schema/ holds their
// JSON Schemas). A field added compatibly does not change it; a reader
// takes output without it as version 1 and must refuse a greater one.
const ProtocolVersion = status.ProtocolVersion

// runStatus is `status`, which package status runs (the fused binary runs
// it from there before net/http initialises); the access token check it
// leaves to this package, which has the network.
func runStatus(ctx context.Context, env *Env, asJSON bool) error {
	code, _ := status.Run(ctx, status.Env{
		Stdout: env.Stdout, Stderr: env.Stderr, Getenv: env.Getenv,
		AccessToken: func(ctx context.Context, dir, token string) (authfile.Account, error) {
			return checkAccessToken(ctx, env, dir, token)
		},
	}, asJSON)
	if code != 0 {
		return exitError{code}
	}
	return nil
}

// checkAccessToken checks an access token login as 0.169's status does:
// the token is verified again and a task registered with it
// (agentidentity.Start).
func checkAccessToken(ctx context.Context, env *Env, dir, token string) (authfile.Account, error) {
	cfg, err := config.Load(dir, config.Options{})
	if err != nil {
		return authfile.Account{}, err
	}
	id, err := agentidentity.Start(ctx, token, agentidentity.StartOptions{HTTP: env.HTTP, Getenv: env.Getenv, ChatGPTBaseURL: cfg.ChatgptBaseURL, Now: env.Now})
	if err != nil {
		return authfile.Account{}, err
	}
	c := id.Claims
	return authfile.Account{ID: c.AccountID, Email: c.Email, PlanType: c.PlanType, Expires: c.Expires()}, nil
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
