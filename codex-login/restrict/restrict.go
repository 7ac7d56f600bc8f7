// Package restrict holds an administrator's limits on how one may sign
// in, from config.toml: forced_login_method ("chatgpt" or "api") and
// forced_chatgpt_workspace_id (the ChatGPT workspaces, i.e. account ids,
// allowed; several separated by commas).
package restrict

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
)

// Login methods forced_login_method accepts.
const (
	MethodChatGPT = "chatgpt"
	MethodAPI     = "api"
)

// The Codex CLI's messages for a login method that is not allowed.
var (
	//lint:ignore ST1005 the Codex CLI's message, a full sentence
	ErrChatGPTDisabled = errors.New("ChatGPT login is disabled. Use API key login instead.") //nolint:staticcheck // the Codex CLI's message
	//lint:ignore ST1005 the Codex CLI's message, a full sentence
	ErrAPIKeyDisabled = errors.New("API key login is disabled. Use ChatGPT login instead.") //nolint:staticcheck // the Codex CLI's message
	//lint:ignore ST1005 the Codex CLI's message, a full sentence
	ErrAccessTokenDisabled = errors.New("Access token login is disabled. Use API key login instead.") //nolint:staticcheck // the Codex CLI's message
)

// Restrictions are the limits; the zero value allows everything.
type Restrictions struct {
	// Method is MethodChatGPT, MethodAPI or "" (either).
	Method string
	// Workspaces are the ChatGPT account ids a ChatGPT login may belong
	// to; empty: any.
	Workspaces []string
}

// New reads the two settings as config.toml spells them.
func New(method, workspaces string) (Restrictions, error) {
	var r Restrictions
	switch m := strings.ToLower(strings.TrimSpace(method)); m {
	case "", MethodChatGPT, MethodAPI:
		r.Method = m
	default:
		return r, fmt.Errorf("forced_login_method = %q: want %q or %q", method, MethodChatGPT, MethodAPI)
	}
	for _, w := range strings.Split(workspaces, ",") {
		if w = strings.TrimSpace(w); w != "" {
			r.Workspaces = append(r.Workspaces, w)
		}
	}
	return r, nil
}

// AllowsChatGPT reports whether signing in with ChatGPT is allowed.
func (r Restrictions) AllowsChatGPT() bool { return r.Method != MethodAPI }

// AllowsAPIKey reports whether an API key may be used.
func (r Restrictions) AllowsAPIKey() bool { return r.Method != MethodChatGPT }

// AllowsAccessToken reports whether an access token (agent identity) may
// be used; like a ChatGPT login, forced_login_method = "api" forbids it.
func (r Restrictions) AllowsAccessToken() bool { return r.Method != MethodAPI }

// CheckWorkspace reports an account id outside forced_chatgpt_workspace_id,
// in the words 0.169 uses for an access token's account.
func (r Restrictions) CheckWorkspace(accountID string) error {
	if len(r.Workspaces) == 0 || slices.Contains(r.Workspaces, accountID) {
		return nil
	}
	return fmt.Errorf("Login is restricted to workspace id(s) %s.", strings.Join(r.Workspaces, ", ")) //nolint:staticcheck // the Codex CLI's message
}

// Check reports credentials the restrictions do not allow.
func (r Restrictions) Check(c credentials.Credentials) error {
	switch {
	case c.Mode == authfile.ModeAPIKey && !r.AllowsAPIKey():
		return ErrAPIKeyDisabled
	case c.Mode == authfile.ModeChatGPT && !r.AllowsChatGPT():
		return ErrChatGPTDisabled
	case c.Mode == authfile.ModeAgentIdentity && !r.AllowsAccessToken():
		return ErrAccessTokenDisabled
	case c.Mode == authfile.ModeAgentIdentity:
		return r.CheckWorkspace(c.AccountID)
	case c.Mode == authfile.ModeChatGPT && len(r.Workspaces) > 0 && !slices.Contains(r.Workspaces, c.AccountID):
		got := c.AccountID
		if got == "" {
			got = "no workspace"
		}
		return fmt.Errorf("login is restricted to workspace %s, but the current credentials belong to %s",
			strings.Join(r.Workspaces, ", "), got)
	}
	return nil
}

// Enforce checks the credentials in use. Stored ones (auth.json under
// home) that break the restrictions are removed, as the Codex CLI logs
// such a user out; credentials from the environment are left alone. The
// error says what happened and what to do.
func Enforce(home string, r Restrictions, c credentials.Credentials) error {
	err := r.Check(c)
	if err == nil {
		return nil
	}
	if c.Source != authfile.Path(home) {
		return fmt.Errorf("%w (credentials from %s)", err, c.Source)
	}
	if _, rerr := authfile.Remove(home); rerr != nil {
		return fmt.Errorf("%w; removing %s failed: %v", err, c.Source, rerr)
	}
	return fmt.Errorf("%w; logged out: run `codex login` again", err)
}
