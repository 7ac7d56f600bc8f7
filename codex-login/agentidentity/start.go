package agentidentity

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// StartOptions is what Start needs besides the token.
type StartOptions struct {
	HTTP           *http.Client
	Getenv         func(string) string
	ChatGPTBaseURL string // config.toml's chatgpt_base_url ("" for the default)
	Now            func() time.Time
}

// Start makes a usable identity of an access token, in 0.169's order:
// the auth API is chosen (a chatgpt_base_url outside OpenAI's
// environments fails here, before any request), the claims are decoded,
// the key set fetched and the token verified, the runtime key read, and a
// task registered. `login status` and every model client go through it.
func Start(ctx context.Context, token string, o StartOptions) (*Identity, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	authAPI, err := AuthAPIBaseURL(o.Getenv, o.ChatGPTBaseURL)
	if err != nil {
		return nil, err
	}
	if _, err := Decode(token); err != nil {
		return nil, fmt.Errorf("failed to decode agent identity JWT: %w", err)
	}
	c, err := VerifyFromBackend(ctx, token, o)
	if err != nil {
		return nil, err
	}
	key, err := ParseKey(c.AgentPrivateKey)
	if err != nil {
		return nil, err
	}
	task, err := RegisterTask(ctx, o.HTTP, authAPI, c.AgentRuntimeID, key, o.Now)
	if err != nil {
		return nil, err
	}
	return NewIdentity(c, key, task), nil
}

// VerifyFromBackend fetches the key set (JWKSBaseURL) and verifies token
// against it: the check `login --with-access-token` and Start share.
func VerifyFromBackend(ctx context.Context, token string, o StartOptions) (Claims, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	base, err := JWKSBaseURL(o.Getenv, o.ChatGPTBaseURL)
	if err != nil {
		return Claims{}, err
	}
	set, err := FetchJWKS(ctx, o.HTTP, JWKSURL(base))
	if err != nil {
		return Claims{}, err
	}
	return Verify(token, set, o.Now())
}
