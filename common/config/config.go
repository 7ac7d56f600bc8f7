// Package config loads $CODEX_HOME/config.toml into typed structs using the
// Codex CLI's key names.
//
// Precedence, lowest first: built-in defaults, config.toml, the selected
// profile, -c key=value overrides; explicit command-line flags are applied
// by each tool on top of the returned Config. Keys this package does not
// know are kept in Config.Raw and otherwise ignored, so a config written for
// a newer Codex CLI still loads.
package config

import "github.com/codexgo/common/sandboxpolicy"

// Config is the effective configuration.
type Config struct {
	Model                      string                   `toml:"model,omitempty"`
	ModelProvider              string                   `toml:"model_provider,omitempty"`
	ModelProviders             map[string]ModelProvider `toml:"model_providers,omitempty"`
	ModelReasoningEffort       string                   `toml:"model_reasoning_effort,omitempty"`
	ModelReasoningSummary      string                   `toml:"model_reasoning_summary,omitempty"`
	ModelVerbosity             string                   `toml:"model_verbosity,omitempty"`
	ModelContextWindow         int64                    `toml:"model_context_window,omitempty"`
	ModelAutoCompactTokenLimit int64                    `toml:"model_auto_compact_token_limit,omitempty"`
	ToolOutputTokenLimit       int64                    `toml:"tool_output_token_limit,omitempty"`
	// ApprovalPolicy is approval_policy as written (a policy name), or
	// for a { granular = {...} } table the string form of
	// protocol.GranularApproval; protocol.ParseAskForApproval reads
	// both (approval.go).
	ApprovalPolicy         string                 `toml:"-"`
	SandboxMode            string                 `toml:"sandbox_mode,omitempty"`
	SandboxWorkspaceWrite  SandboxWorkspaceWrite  `toml:"sandbox_workspace_write,omitempty"`
	ShellEnvironmentPolicy ShellEnvironmentPolicy `toml:"shell_environment_policy,omitempty"`
	McpServers             map[string]McpServer   `toml:"mcp_servers,omitempty"`
	// McpOAuthCredentialsStore is auto (default), file or keyring.
	McpOAuthCredentialsStore string `toml:"mcp_oauth_credentials_store,omitempty"`
	// McpOAuthCallbackPort and McpOAuthCallbackURL place the loopback
	// callback of `codex mcp login` (0 and "": a free port).
	McpOAuthCallbackPort        int                       `toml:"mcp_oauth_callback_port,omitempty"`
	McpOAuthCallbackURL         string                    `toml:"mcp_oauth_callback_url,omitempty"`
	Profile                     string                    `toml:"profile,omitempty"`
	Profiles                    map[string]map[string]any `toml:"profiles,omitempty"`
	Notify                      []string                  `toml:"notify,omitempty"`
	History                     History                   `toml:"history,omitempty"`
	ProjectDocMaxBytes          int64                     `toml:"project_doc_max_bytes,omitempty"`
	ProjectDocFallbackFilenames []string                  `toml:"project_doc_fallback_filenames,omitempty"`
	HideAgentReasoning          bool                      `toml:"hide_agent_reasoning,omitempty"`
	ShowRawAgentReasoning       bool                      `toml:"show_raw_agent_reasoning,omitempty"`
	ForcedLoginMethod           string                    `toml:"forced_login_method,omitempty"`
	ForcedChatgptWorkspaceID    string                    `toml:"forced_chatgpt_workspace_id,omitempty"`
	CliAuthCredentialsStore     string                    `toml:"cli_auth_credentials_store,omitempty"`
	OssProvider                 string                    `toml:"oss_provider,omitempty"`
	OpenaiBaseURL               string                    `toml:"openai_base_url,omitempty"`
	ChatgptBaseURL              string                    `toml:"chatgpt_base_url,omitempty"`
	ModelCatalogJSON            string                    `toml:"model_catalog_json,omitempty"`
	Projects                    map[string]Project        `toml:"projects,omitempty"`
	Features                    map[string]bool           `toml:"features,omitempty"`
	Tools                       map[string]any            `toml:"tools,omitempty"`
	// WebSearch is "disabled", "cached" (the default) or "live".
	WebSearch string `toml:"web_search,omitempty"`
	// Instructions replace the built-in base instructions;
	// ModelInstructionsFile (a path, relative to the config file's
	// folder) does too and wins over it.
	Instructions          string `toml:"instructions,omitempty"`
	ModelInstructionsFile string `toml:"model_instructions_file,omitempty"`
	// DeveloperInstructions open the session's developer message.
	DeveloperInstructions string `toml:"developer_instructions,omitempty"`
	// CompactPrompt replaces the built-in compaction prompt.
	CompactPrompt string `toml:"compact_prompt,omitempty"`
	// ReviewModel is the model `codex review` uses.
	ReviewModel string `toml:"review_model,omitempty"`

	// Raw is the merged document (file, profile, overrides) including
	// keys this package does not model.
	Raw map[string]any `toml:"-"`
	// Path is the config file that was read ("" when there was none).
	Path string `toml:"-"`
}

// ModelProvider is one entry of model_providers.
type ModelProvider struct {
	Name                    string            `toml:"name,omitempty"`
	BaseURL                 string            `toml:"base_url,omitempty"`
	EnvKey                  string            `toml:"env_key,omitempty"`
	EnvKeyInstructions      string            `toml:"env_key_instructions,omitempty"`
	ExperimentalBearerToken string            `toml:"experimental_bearer_token,omitempty"`
	WireAPI                 string            `toml:"wire_api,omitempty"` // "responses" (default) or "chat"
	QueryParams             map[string]string `toml:"query_params,omitempty"`
	HTTPHeaders             map[string]string `toml:"http_headers,omitempty"`
	EnvHTTPHeaders          map[string]string `toml:"env_http_headers,omitempty"`
	RequestMaxRetries       *int64            `toml:"request_max_retries,omitempty"`
	StreamMaxRetries        *int64            `toml:"stream_max_retries,omitempty"`
	StreamIdleTimeoutMS     *int64            `toml:"stream_idle_timeout_ms,omitempty"`
	RequiresOpenaiAuth      bool              `toml:"requires_openai_auth,omitempty"`
}

// SandboxWorkspaceWrite tunes the workspace-write sandbox; sandboxpolicy
// owns its meaning (sandboxpolicy.FromConfig).
type SandboxWorkspaceWrite = sandboxpolicy.Workspace

// ShellEnvironmentPolicy filters the environment given to commands.
type ShellEnvironmentPolicy struct {
	Inherit               string            `toml:"inherit,omitempty"` // all, core, none
	IgnoreDefaultExcludes bool              `toml:"ignore_default_excludes,omitempty"`
	Exclude               []string          `toml:"exclude,omitempty"`
	IncludeOnly           []string          `toml:"include_only,omitempty"`
	Set                   map[string]string `toml:"set,omitempty"`
}

// McpServer is one entry of mcp_servers: a stdio server (Command) or a
// streamable HTTP one (URL).
type McpServer struct {
	Command           string            `toml:"command,omitempty"`
	Args              []string          `toml:"args,omitempty"`
	Env               map[string]string `toml:"env,omitempty"`
	EnvVars           []string          `toml:"env_vars,omitempty"`
	Cwd               string            `toml:"cwd,omitempty"`
	URL               string            `toml:"url,omitempty"`
	BearerTokenEnvVar string            `toml:"bearer_token_env_var,omitempty"`
	HTTPHeaders       map[string]string `toml:"http_headers,omitempty"`
	EnvHTTPHeaders    map[string]string `toml:"env_http_headers,omitempty"`
	Enabled           *bool             `toml:"enabled,omitempty"`
	StartupTimeoutSec *float64          `toml:"startup_timeout_sec,omitempty"`
	ToolTimeoutSec    *float64          `toml:"tool_timeout_sec,omitempty"`
	EnabledTools      []string          `toml:"enabled_tools,omitempty"`
	DisabledTools     []string          `toml:"disabled_tools,omitempty"`
	// Scopes are the OAuth scopes `codex mcp login` asks for by default.
	Scopes []string `toml:"scopes,omitempty"`
	// OAuthResource is the RFC 8707 resource indicator sent at login.
	OAuthResource string `toml:"oauth_resource,omitempty"`
	// OAuth is [mcp_servers.NAME.oauth]: a pre-registered client.
	OAuth *McpOAuth `toml:"oauth,omitempty"`
}

// McpOAuth is [mcp_servers.NAME.oauth], with the Codex CLI 0.169's keys.
type McpOAuth struct {
	ClientID                  string `toml:"client_id,omitempty"`
	ClientSecret              string `toml:"client_secret,omitempty"`
	CallbackURL               string `toml:"callback_url,omitempty"`
	CallbackPort              int    `toml:"callback_port,omitempty"`
	TokenEndpointAuthMethod   string `toml:"token_endpoint_auth_method,omitempty"`
	AuthorizationServerIssuer string `toml:"authorization_server_issuer,omitempty"`
}

// IsEnabled reports whether the server should be started (default true).
func (s McpServer) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// History configures $CODEX_HOME/history.jsonl.
type History struct {
	Persistence string `toml:"persistence,omitempty"` // save-all (default) or none
	MaxBytes    int64  `toml:"max_bytes,omitempty"`
}

// Project holds per-directory settings, keyed by absolute path.
type Project struct {
	TrustLevel string `toml:"trust_level,omitempty"` // "trusted" or "untrusted"
}

// Defaults returns the built-in configuration that config.toml refines.
func Defaults() Config {
	return Config{
		Model:                  "gpt-5-codex",
		ModelProvider:          "openai",
		ApprovalPolicy:         "on-request",
		SandboxMode:            "read-only",
		ShellEnvironmentPolicy: ShellEnvironmentPolicy{Inherit: "all"},
		History:                History{Persistence: "save-all"},
		ProjectDocMaxBytes:     32 * 1024,
	}
}
