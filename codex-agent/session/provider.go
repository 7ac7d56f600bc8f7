package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
	"github.com/codexgo/codex-login/restrict"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/version"
)

// chatGPTBaseURL is the Codex backend used with ChatGPT sign-in.
const chatGPTBaseURL = "https://chatgpt.com/backend-api/codex"

// ClientOptions selects and configures the model client.
type ClientOptions struct {
	Config     *config.Config
	ProviderID string // "" uses config's model_provider
	CodexHome  string
	Getenv     func(string) string
	HTTP       *http.Client
	// Creds overrides how the built-in openai provider authenticates
	// (e.g. codex-login's credentials manager); nil uses StaticCreds from
	// the environment or auth.json.
	Creds model.Credentials
	// Sleep is injected by tests to skip backoff waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client is a configured model client plus what the UI shows about it.
type Client struct {
	model.Client
	ProviderID string
	Provider   config.ModelProvider
	Wire       string // "responses" or "chat"
	Retry      model.StreamRetry
}

// NewClient builds the client for the selected provider.
func NewClient(ctx context.Context, o ClientOptions) (*Client, error) {
	cfg := o.Config
	id := o.ProviderID
	if id == "" {
		id = cfg.ModelProvider
	}
	if id == "" {
		id = "openai"
	}
	p, ok := cfg.Provider(id)
	if !ok {
		//lint:ignore ST1005 the Codex CLI's message
		return nil, fmt.Errorf("Model provider `%s` not found", id) //nolint:staticcheck // the Codex CLI's message
	}
	h := model.HTTP{
		Client: o.HTTP, BaseURL: p.BaseURL, QueryParams: p.QueryParams, Headers: map[string]string{},
		RequestMaxRetries: intOr(p.RequestMaxRetries, 4), IdleTimeout: time.Duration(intOr(p.StreamIdleTimeoutMS, 300000)) * time.Millisecond,
		Sleep: o.Sleep,
	}
	for k, v := range p.HTTPHeaders {
		h.Headers[k] = v
	}
	for k, env := range p.EnvHTTPHeaders {
		if v := o.Getenv(env); v != "" {
			h.Headers[k] = v
		}
	}
	switch {
	case id == "openai":
		if cfg.OpenaiBaseURL == "" {
			if u := o.Getenv("OPENAI_BASE_URL"); u != "" {
				h.BaseURL = u
			}
		}
		creds := o.Creds
		if creds == nil {
			lc, mode, err := newLoginCreds(ctx, o)
			if err != nil {
				return nil, err
			}
			creds = lc
			// An access token login talks to the ChatGPT backend too.
			if (mode == authfile.ModeChatGPT || mode == authfile.ModeAgentIdentity) && cfg.OpenaiBaseURL == "" && o.Getenv("OPENAI_BASE_URL") == "" {
				h.BaseURL = chatGPTBaseURL
				if cfg.ChatgptBaseURL != "" {
					h.BaseURL = strings.TrimRight(cfg.ChatgptBaseURL, "/") + "/codex"
				}
			}
		}
		h.Creds = creds
		h.Headers["version"] = version.Version
		for env, hdr := range map[string]string{"OPENAI_ORGANIZATION": "OpenAI-Organization", "OPENAI_PROJECT": "OpenAI-Project"} {
			if v := o.Getenv(env); v != "" {
				h.Headers[hdr] = v
			}
		}
	case p.EnvKey != "":
		key := o.Getenv(p.EnvKey)
		if key == "" {
			msg := fmt.Sprintf("Missing environment variable: `%s`.", p.EnvKey)
			if p.EnvKeyInstructions != "" {
				msg += " " + p.EnvKeyInstructions
			}
			return nil, errors.New(msg)
		}
		h.Creds = &StaticCreds{Bearer: key}
	case p.ExperimentalBearerToken != "":
		h.Creds = &StaticCreds{Bearer: p.ExperimentalBearerToken}
	}
	wire := p.WireAPI
	if wire == "" {
		wire = "responses"
	}
	c := &Client{ProviderID: id, Provider: p, Wire: wire,
		Retry: model.StreamRetry{Max: intOr(p.StreamMaxRetries, 5), Sleep: o.Sleep}}
	switch wire {
	case "responses":
		c.Client = &model.Responses{HTTP: h}
	case "chat":
		c.Client = &model.Chat{HTTP: h}
	default:
		return nil, fmt.Errorf("provider %s: unknown wire_api %q (want responses or chat)", id, wire)
	}
	return c, nil
}

func intOr(p *int64, d int) int {
	if p == nil {
		return d
	}
	return int(*p)
}

// StaticCreds is a bearer that cannot be refreshed: a custom provider's
// env_key or experimental_bearer_token.
type StaticCreds struct {
	Bearer    string
	AccountID string
}

// Token implements model.Credentials.
func (s *StaticCreds) Token(context.Context) (string, string, error) {
	return s.Bearer, s.AccountID, nil
}

// Refresh implements model.Credentials: static credentials cannot.
func (s *StaticCreds) Refresh(context.Context) error {
	return errors.New("credentials cannot be refreshed")
}

// loginCreds adapts codex-login's credentials manager (API key from the
// environment or auth.json, or ChatGPT tokens refreshed proactively and
// after a 401) to model.Credentials.
type loginCreds struct {
	m    *credentials.Manager
	mu   sync.Mutex
	last credentials.Credentials
}

func newLoginCreds(ctx context.Context, o ClientOptions) (*loginCreds, string, error) {
	m, err := credentials.New(credentials.Options{Home: o.CodexHome, Getenv: o.Getenv, HTTP: o.HTTP, ChatGPTBaseURL: o.Config.ChatgptBaseURL})
	if err != nil {
		return nil, "", err
	}
	c, err := m.Get(ctx)
	if err != nil {
		if errors.Is(err, credentials.ErrNotLoggedIn) {
			return nil, "", errors.New("not logged in: set OPENAI_API_KEY (or CODEX_API_KEY) or run `codex login`")
		}
		return nil, "", err
	}
	// forced_login_method / forced_chatgpt_workspace_id: stored
	// credentials that break them are logged out, as the Codex CLI does.
	r, err := restrict.New(o.Config.ForcedLoginMethod, o.Config.ForcedChatgptWorkspaceID)
	if err != nil {
		return nil, "", err
	}
	if err := restrict.Enforce(o.CodexHome, r, c); err != nil {
		return nil, "", err
	}
	return &loginCreds{m: m, last: c}, c.Mode, nil
}

// Token implements model.Credentials.
func (l *loginCreds) Token(ctx context.Context) (string, string, error) {
	c, err := l.m.Get(ctx)
	if err != nil {
		return "", "", err
	}
	l.mu.Lock()
	l.last = c
	l.mu.Unlock()
	return c.Bearer(), c.AccountID, nil
}

// Authorize implements model.HeaderCredentials: the headers of the
// credentials in use (a bearer, or an agent identity's fresh assertion).
func (l *loginCreds) Authorize(ctx context.Context, h http.Header) error {
	c, err := l.m.Get(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.last = c
	l.mu.Unlock()
	c.SetHeaders(h)
	return nil
}

// Refresh implements model.Credentials: after a 401, refresh ChatGPT
// tokens (API keys cannot be refreshed and report an error).
func (l *loginCreds) Refresh(ctx context.Context) error {
	l.mu.Lock()
	last := l.last
	l.mu.Unlock()
	_, err := l.m.RefreshAfterUnauthorized(ctx, last)
	return err
}

// userAgent is sent with model requests.
func userAgent(originator string) string {
	return fmt.Sprintf("%s/%s (%s; %s)", originator, version.Version, runtime.GOOS, runtime.GOARCH)
}

// OSSBaseURL returns the local OSS server's base URL for provider
// (ollama or lmstudio), honouring CODEX_OSS_BASE_URL and CODEX_OSS_PORT.
func OSSBaseURL(provider string, getenv func(string) string) string {
	if u := getenv("CODEX_OSS_BASE_URL"); u != "" {
		return u
	}
	port := "11434"
	if provider == "lmstudio" {
		port = "1234"
	}
	if p := getenv("CODEX_OSS_PORT"); p != "" {
		port = p
	}
	return "http://localhost:" + port + "/v1"
}

// ProbeOSS checks that a local OSS server answers at base (GET
// /v1/models) and, when the model is not among its models, asks an Ollama
// server to pull it (POST /api/pull), as the Codex CLI does.
func ProbeOSS(ctx context.Context, hc *http.Client, base, modelName string, stderr io.Writer) error {
	if hc == nil {
		hc = http.DefaultClient
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, strings.TrimRight(base, "/")+"/models", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("no running OSS server detected at %s: %w", base, err)
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&list)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("OSS server at %s answered %s", base, resp.Status)
	}
	if err != nil || modelName == "" {
		return nil
	}
	for _, m := range list.Data {
		if m.ID == modelName {
			return nil
		}
	}
	fmt.Fprintf(stderr, "Pulling model %s...\n", modelName)
	body, _ := json.Marshal(map[string]any{"model": modelName, "stream": false})
	root := strings.TrimSuffix(strings.TrimRight(base, "/"), "/v1")
	preq, err := http.NewRequestWithContext(ctx, http.MethodPost, root+"/api/pull", bytes.NewReader(body))
	if err != nil {
		return err
	}
	preq.Header.Set("Content-Type", "application/json")
	presp, err := hc.Do(preq)
	if err != nil {
		return fmt.Errorf("pull model %s: %w", modelName, err)
	}
	_ = presp.Body.Close()
	if presp.StatusCode != http.StatusOK {
		return fmt.Errorf("pull model %s: %s", modelName, presp.Status)
	}
	return nil
}
