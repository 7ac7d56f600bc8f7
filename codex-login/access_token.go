package login

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/codexgo/codex-login/agentidentity"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/restrict"
)

// maxAccessTokenLen bounds what --with-access-token reads from stdin.
const maxAccessTokenLen = 64 << 10

// loginAccessToken is `login --with-access-token`, as 0.169 does it: read
// the agent identity JWT from stdin, decode its claims, fetch the key set
// from the ChatGPT backend (CODEX_AGENT_IDENTITY_JWKS_BASE_URL, else
// chatgpt_base_url), verify signature, issuer, audience and expiry, check
// the account against forced_chatgpt_workspace_id, and store the token in
// auth.json. Every failure is one line and exit status 1; nothing is
// stored unless the token verified.
func loginAccessToken(ctx context.Context, env *Env, dir string, r restrict.Restrictions, chatgptBaseURL string) error {
	if f, ok := env.Stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			say(env.Stderr, "%s\n", "--with-access-token expects the access token on stdin. Try piping it, e.g. `printenv CODEX_ACCESS_TOKEN | codex login --with-access-token`.")
			return exitError{1}
		}
	}
	say(env.Stderr, "%s\n", "Reading access token from stdin...")
	data, err := io.ReadAll(io.LimitReader(env.Stdin, maxAccessTokenLen+1))
	if err != nil {
		return fmt.Errorf("read access token from stdin: %w", err)
	}
	fail := func(err error) error {
		say(env.Stderr, "Error logging in with access token: %v\n", err)
		return exitError{1}
	}
	if len(data) > maxAccessTokenLen {
		return fail(fmt.Errorf("stdin holds more than %d bytes, which is no access token; pipe just the token", maxAccessTokenLen))
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		say(env.Stderr, "%s\n", "No access token provided via stdin.")
		return exitError{1}
	}
	// The claims are decoded before anything is fetched, as 0.169 does, so
	// a token that is no agent identity JWT fails without a request.
	if _, err := agentidentity.Decode(token); err != nil {
		return fail(fmt.Errorf("failed to decode agent identity JWT: %w", err))
	}
	claims, err := verifyAccessToken(ctx, env, token, chatgptBaseURL)
	if err != nil {
		return fail(err)
	}
	if err := r.CheckWorkspace(claims.AccountID); err != nil {
		return fail(err)
	}
	_, aside, err := authfile.PrepareReplace(dir, env.Now())
	if err != nil {
		return fail(err)
	}
	if aside != "" {
		say(env.Stderr, "The unreadable auth.json was moved to %s\n", aside)
	}
	f := &authfile.File{AuthMode: authfile.ModeAgentIdentity, AgentIdentity: token}
	if err := authfile.Save(dir, f); err != nil {
		return fail(err)
	}
	say(env.Stderr, "%s\n", "Successfully logged in")
	return nil
}

// verifyAccessToken fetches the key set and verifies token against it:
// the check `login --with-access-token` makes (0.169's login registers no
// task; `status` does, through agentidentity.Start).
func verifyAccessToken(ctx context.Context, env *Env, token, chatgptBaseURL string) (agentidentity.Claims, error) {
	return agentidentity.VerifyFromBackend(ctx, token, agentidentity.StartOptions{HTTP: env.HTTP, Getenv: env.Getenv, ChatGPTBaseURL: chatgptBaseURL, Now: env.Now})
}
