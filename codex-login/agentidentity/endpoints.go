package agentidentity

import (
	"errors"
	"net/url"
	"path"
	"strings"

	"github.com/codexgo/codex-login/authfile"
)

// Environment variables 0.169 reads to point an agent identity at other
// servers than OpenAI's.
const (
	// AuthAPIBaseURLEnv replaces the auth API base URL that tasks are
	// registered at (e.g. http://127.0.0.1:PORT/api/accounts).
	AuthAPIBaseURLEnv = "CODEX_AGENT_IDENTITY_AUTHAPI_BASE_URL"
	// AccessTokenEnv holds an agent identity JWT that is used before
	// auth.json (and, by `login status`, before API keys).
	AccessTokenEnv = authfile.AccessTokenEnv
)

// The auth API base URLs of the two ChatGPT environments agent identities
// exist in.
const (
	ProductionAuthAPIBaseURL = "https://auth.openai.com/api/accounts"
	StagingAuthAPIBaseURL    = "https://auth.api.openai.org/api/accounts"
)

// ErrEnvironment is 0.169's refusal of a chatgpt_base_url that is neither
// the production nor the staging ChatGPT backend (without the overrides
// that point both the key set and the auth API elsewhere).
var ErrEnvironment = errors.New("Agent Identity only supports production and staging ChatGPT environments") //nolint:staticcheck // 0.169's message

// environment classifies chatgptBaseURL as 0.169 does (measured against
// its binary): https, no user, query or fragment, port 443 if any; host
// chatgpt.com or a subdomain of it or chat.openai.com (production),
// chatgpt-staging.com or a subdomain (staging); path, dot segments
// resolved and trailing slashes dropped, "", /backend-api, /codex or
// /backend-api/codex. It returns the auth API base URL, or "" for any
// other URL.
func environment(chatgptBaseURL string) string {
	u, err := url.Parse(strings.TrimSpace(chatgptBaseURL))
	if err != nil || u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || u.Opaque != "" || (u.Port() != "" && u.Port() != "443") {
		return ""
	}
	p := u.EscapedPath()
	if p != "" {
		p = strings.TrimRight(path.Clean(p), "/")
	}
	switch p {
	case "", "/backend-api", "/codex", "/backend-api/codex":
	default:
		return ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "chatgpt.com" || strings.HasSuffix(host, ".chatgpt.com") || host == "chat.openai.com":
		return ProductionAuthAPIBaseURL
	case host == "chatgpt-staging.com" || strings.HasSuffix(host, ".chatgpt-staging.com"):
		return StagingAuthAPIBaseURL
	}
	return ""
}

// override reads an endpoint override from the environment: trimmed,
// trailing slashes dropped, "" when unset or blank.
func override(getenv func(string) string, name string) string {
	return strings.TrimRight(strings.TrimSpace(getenv(name)), "/")
}

// chatGPTBase is chatgpt_base_url with 0.169's default.
func chatGPTBase(chatgptBaseURL string) string {
	if strings.TrimSpace(chatgptBaseURL) == "" {
		return DefaultChatGPTBaseURL
	}
	return chatgptBaseURL
}

// jwksOverrideIsBase reports whether $CODEX_AGENT_IDENTITY_JWKS_BASE_URL
// names chatgpt_base_url itself: a local ChatGPT backend, which may then
// also have a local auth API.
func jwksOverrideIsBase(getenv func(string) string, chatgptBaseURL string) bool {
	o := override(getenv, BaseURLEnv)
	return o != "" && o == strings.TrimRight(strings.TrimSpace(chatgptBaseURL), "/")
}

// JWKSBaseURL is where the key set comes from: $BaseURLEnv, else
// chatgpt_base_url (default DefaultChatGPTBaseURL). An override that is not
// chatgpt_base_url itself is refused unless chatgpt_base_url is OpenAI's
// production or staging backend (ErrEnvironment), as in 0.169.
func JWKSBaseURL(getenv func(string) string, chatgptBaseURL string) (string, error) {
	base := chatGPTBase(chatgptBaseURL)
	o := override(getenv, BaseURLEnv)
	if o == "" {
		return base, nil
	}
	if !jwksOverrideIsBase(getenv, base) && environment(base) == "" {
		return "", ErrEnvironment
	}
	return o, nil
}

// AuthAPIBaseURL is where tasks are registered: the auth API of the
// environment chatgpt_base_url belongs to, replaced by $AuthAPIBaseURLEnv.
// For any other chatgpt_base_url the override is honoured only when
// $BaseURLEnv names chatgpt_base_url too (a local stand-in of the whole
// backend); otherwise it is ErrEnvironment.
func AuthAPIBaseURL(getenv func(string) string, chatgptBaseURL string) (string, error) {
	base := chatGPTBase(chatgptBaseURL)
	env := environment(base)
	o := override(getenv, AuthAPIBaseURLEnv)
	switch {
	case env != "" && o != "":
		return o, nil
	case env != "":
		return env, nil
	case o != "" && jwksOverrideIsBase(getenv, base):
		return o, nil
	}
	return "", ErrEnvironment
}
