// Package status is `codex-login status`: what it says about the login in
// use, for both the standalone codex-login (package login runs it) and
// the fused codex binary, whose package early runs it from an
// initialiser before net/http's and the TUI's (issue 20).
//
// So it must stay light: it imports neither net/http nor anything that
// does (oauth, agentidentity, credentials). The one status that needs the
// network, an access token's (verified again and a task registered, as
// the Codex CLI 0.169 does), is a function the caller passes in; without
// it Run leaves such a login to the caller, having printed nothing.
// codex/initbudget_test.go fails when net/http initialises before early
// runs `codex-login status`.
package status

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/common/codexhome"
)

// ProtocolVersion is the major version of the JSON that status --json
// (and token --json) print (their protocol_version; schema/ holds their
// JSON Schemas). A field added compatibly does not change it; a reader
// takes output without it as version 1 and must refuse a greater one.
const ProtocolVersion = 1

// Env is what status takes from the outside world.
type Env struct {
	Stdout, Stderr io.Writer
	// Getenv reads CODEX_HOME, the API keys and the access token.
	Getenv func(string) string
	// AccessToken checks an access token login (from $CODEX_ACCESS_TOKEN
	// or auth.json, whose directory is home) and says whose it is; nil
	// means Run does not handle such a login.
	AccessToken func(ctx context.Context, home, token string) (authfile.Account, error)
}

// report is the machine-readable status (status --json).
type report struct {
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

// apiKeyEnv are the variables holding an API key, taken before auth.json
// in this order.
var apiKeyEnv = [...]string{"CODEX_API_KEY", "OPENAI_API_KEY"}

// Mask shows an API key the way the Codex CLI does: the first 8 and last 5
// characters, or only *** for keys of 13 characters or fewer.
func Mask(key string) string {
	key = strings.TrimSpace(key)
	if len(key) <= 13 {
		return "***"
	}
	return key[:8] + "***" + key[len(key)-5:]
}

// FlagSet is the flag set of `codex-login status`, bound to asJSON: for
// parsing, --help, the man page and completion alike.
func FlagSet(asJSON *bool) *flag.FlagSet {
	fs := flag.NewFlagSet("codex-login status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(asJSON, "json", false, "also print the status as JSON on stdout")
	return fs
}

// Run says on stderr how the user is logged in (and with asJSON prints
// the report on stdout) and returns the exit status: 0 logged in, 1 not
// or when auth.json or CODEX_HOME is unusable. ok is false, and nothing
// has been printed, for an access token login when env.AccessToken is
// nil.
func Run(ctx context.Context, env Env, asJSON bool) (code int, ok bool) {
	out := func(s report) {
		s.ProtocolVersion = ProtocolVersion
		if asJSON {
			_ = json.NewEncoder(env.Stdout).Encode(s)
		}
	}
	// 0.169's status takes $CODEX_ACCESS_TOKEN before anything else.
	if tok := strings.TrimSpace(env.Getenv(authfile.AccessTokenEnv)); tok != "" {
		dir, err := codexhome.Dir(env.Getenv)
		if err != nil {
			say(env.Stderr, "Error: %v\n", err)
			return 1, true
		}
		return accessToken(ctx, env, dir, tok, "$"+authfile.AccessTokenEnv, out)
	}
	for _, k := range apiKeyEnv {
		if v := strings.TrimSpace(env.Getenv(k)); v != "" {
			say(env.Stderr, "API key configured via $%s - %s\nAuthentication is checked when you send a request.\n", k, Mask(v))
			out(report{LoggedIn: true, Mode: authfile.ModeAPIKey, Source: k, APIKey: Mask(v)})
			return 0, true
		}
	}
	dir, err := codexhome.Dir(env.Getenv)
	if err != nil {
		say(env.Stderr, "Error: %v\n", err)
		return 1, true
	}
	f, err := authfile.Load(dir)
	if errors.Is(err, authfile.ErrNotLoggedIn) {
		say(env.Stderr, "%s\n", "Not logged in")
		out(report{})
		return 1, true
	}
	if err != nil {
		say(env.Stderr, "Error: %v\n", err)
		out(report{Error: err.Error()})
		return 1, true
	}
	s := report{LoggedIn: true, Mode: f.Mode(), Source: authfile.Path(dir)}
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
		a := f.Account()
		s.Email, s.PlanType, s.AccountID = a.Email, a.PlanType, a.ID
		if !a.Expires.IsZero() {
			s.ExpiresAt = authfile.FormatTime(a.Expires)
		}
	case authfile.ModeAgentIdentity:
		if f.AgentIdentity == "" {
			err := errors.New("auth.json holds an agent identity record of an older Codex CLI; run `codex login --with-access-token` again")
			say(env.Stderr, "Error checking login status: %v\n", err)
			out(report{Mode: f.Mode(), Source: s.Source, Error: err.Error()})
			return 1, true
		}
		return accessToken(ctx, env, dir, f.AgentIdentity, s.Source, out)
	default:
		say(env.Stderr, "Logged in with auth mode %q, which codex-login does not support\n", f.Mode())
	}
	out(s)
	return 0, true
}

// accessToken reports an access token login as 0.169's status does:
// env.AccessToken verifies it again and registers a task with it, so an
// expired token, a withdrawn key or an auth API that refuses the runtime
// is `Error checking login status: …`.
func accessToken(ctx context.Context, env Env, dir, token, source string, out func(report)) (int, bool) {
	if env.AccessToken == nil {
		return 0, false
	}
	s := report{Mode: authfile.ModeAgentIdentity, Source: source}
	a, err := env.AccessToken(ctx, dir, token)
	if err != nil {
		say(env.Stderr, "Error checking login status: %v\n", err)
		s.Error = err.Error()
		out(s)
		return 1, true
	}
	s.LoggedIn = true
	s.Email, s.PlanType, s.AccountID = a.Email, a.PlanType, a.ID
	s.ExpiresAt = authfile.FormatTime(a.Expires)
	say(env.Stderr, "%s\n", "Logged in using access token")
	out(s)
	return 0, true
}

// Command runs codex-login's arguments args when they are `status`, with
// at most --json (-json, --json=BOOL), as codex-login runs them, and
// returns the exit status; ok is false, and nothing has been printed,
// for anything else, left to package login: other commands, help, a
// flag error, an argument, a CODEX_LOGIN_* variable (which sets a flag)
// and an access token login when env.AccessToken is nil.
func Command(ctx context.Context, args []string, env Env) (code int, ok bool) {
	if len(args) == 0 || args[0] != "status" || flagFromEnv() {
		return 0, false
	}
	var asJSON bool
	fs := FlagSet(&asJSON)
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return 0, false
	}
	return Run(ctx, env, asJSON)
}

// flagFromEnv reports a non-empty CODEX_LOGIN_* variable: codex-login
// reads its flags from them too (ff.WithEnvVarPrefix, which looks at the
// process's environment, not at Env.Getenv), the root command's included,
// and rejects a bad value even for status. Command leaves those to it.
func flagFromEnv() bool {
	for _, kv := range os.Environ() {
		if rest, found := strings.CutPrefix(kv, "CODEX_LOGIN_"); found && !strings.HasSuffix(rest, "=") && strings.Contains(rest, "=") {
			return true
		}
	}
	return false
}

// say writes human text to stderr. A failed write there has nowhere to be
// reported, so its error is deliberately dropped.
func say(w io.Writer, format string, a ...any) {
	_, _ = fmt.Fprintf(w, format, a...)
}
