// Package mcpconfig holds the mcp_servers section of Codex's config.toml:
// the per-server settings with Codex's key names, loading them, and the
// `codex mcp add|list|get|remove` commands that edit the file in place.
package mcpconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/codexgo/codex-login/mcpauth"
	"github.com/codexgo/common/config"
	toml "github.com/pelletier/go-toml/v2"
)

// Defaults Codex applies when a server leaves a timeout unset.
const (
	DefaultStartupTimeout = 10 * time.Second
	DefaultToolTimeout    = 60 * time.Second
)

// Server is one `[mcp_servers.<name>]` table. A server is either stdio
// (Command set) or streamable HTTP (URL set). Optional scalars are
// pointers so "unset" differs from a zero value.
type Server struct {
	// stdio transport
	Command string            `toml:"command,omitempty" json:"command,omitempty"`
	Args    []string          `toml:"args,omitempty" json:"args,omitempty"`
	Env     map[string]string `toml:"env,omitempty" json:"env,omitempty"`
	// EnvVars names extra variables passed through from the parent
	// environment, beyond DefaultEnvVars.
	EnvVars []string `toml:"env_vars,omitempty" json:"env_vars,omitempty"`
	Cwd     string   `toml:"cwd,omitempty" json:"cwd,omitempty"`

	// streamable HTTP transport
	URL               string            `toml:"url,omitempty" json:"url,omitempty"`
	BearerTokenEnvVar string            `toml:"bearer_token_env_var,omitempty" json:"bearer_token_env_var,omitempty"`
	HTTPHeaders       map[string]string `toml:"http_headers,omitempty" json:"http_headers,omitempty"`
	// EnvHTTPHeaders maps a header name to the environment variable
	// holding its value.
	EnvHTTPHeaders map[string]string `toml:"env_http_headers,omitempty" json:"env_http_headers,omitempty"`

	// common
	Enabled           *bool    `toml:"enabled,omitempty" json:"enabled,omitempty"`
	StartupTimeoutSec *float64 `toml:"startup_timeout_sec,omitempty" json:"startup_timeout_sec,omitempty"`
	// StartupTimeoutMs is the legacy spelling of StartupTimeoutSec.
	StartupTimeoutMs *float64 `toml:"startup_timeout_ms,omitempty" json:"startup_timeout_ms,omitempty"`
	ToolTimeoutSec   *float64 `toml:"tool_timeout_sec,omitempty" json:"tool_timeout_sec,omitempty"`
	// EnabledTools, when non-nil, is an allow-list applied before
	// DisabledTools.
	EnabledTools  []string `toml:"enabled_tools,omitempty" json:"enabled_tools,omitempty"`
	DisabledTools []string `toml:"disabled_tools,omitempty" json:"disabled_tools,omitempty"`

	// OAuth (streamable HTTP): the scopes `codex mcp login` asks for, the
	// resource indicator, and [mcp_servers.NAME.oauth] (a pre-registered
	// client, its callback).
	Scopes        []string         `toml:"scopes,omitempty" json:"scopes,omitempty"`
	OAuthResource string           `toml:"oauth_resource,omitempty" json:"oauth_resource,omitempty"`
	OAuth         *config.McpOAuth `toml:"oauth,omitempty" json:"oauth,omitempty"`
}

// OAuthSettings are config.toml's top-level MCP OAuth keys.
type OAuthSettings struct {
	CredentialsStore string `toml:"mcp_oauth_credentials_store"`
	CallbackPort     int    `toml:"mcp_oauth_callback_port"`
	CallbackURL      string `toml:"mcp_oauth_callback_url"`
}

// LoadOAuthSettings reads the top-level MCP OAuth keys of the config.toml
// at path (zero values when the file or the keys are missing).
func LoadOAuthSettings(path string) (OAuthSettings, error) {
	var o OAuthSettings
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return o, nil
	}
	if err != nil {
		return o, fmt.Errorf("read config: %w", err)
	}
	if err := toml.Unmarshal(data, &o); err != nil {
		return o, config.Describe(path, err)
	}
	return o, mcpauth.CheckMode(o.CredentialsStore)
}

// AuthServer is what mcpauth needs of server name (top: the top-level
// settings, whose callback applies when the server names none).
func (s Server) AuthServer(name string, top OAuthSettings) mcpauth.Server {
	a := mcpauth.Server{Name: name, URL: s.URL, Headers: s.HTTPHeaders, Scopes: s.Scopes, Resource: s.OAuthResource,
		CallbackPort: top.CallbackPort, CallbackURL: top.CallbackURL}
	if o := s.OAuth; o != nil {
		a.ClientID, a.ClientSecret = o.ClientID, o.ClientSecret
		if o.CallbackPort != 0 {
			a.CallbackPort = o.CallbackPort
		}
		if o.CallbackURL != "" {
			a.CallbackURL = o.CallbackURL
		}
	}
	return a
}

// UsesOAuth reports whether requests to the server carry stored OAuth
// tokens: a streamable HTTP server without a configured bearer token or
// Authorization header.
func (s Server) UsesOAuth() bool {
	if !s.IsHTTP() || s.BearerTokenEnvVar != "" {
		return false
	}
	for k := range s.HTTPHeaders {
		if strings.EqualFold(k, "Authorization") {
			return false
		}
	}
	for k := range s.EnvHTTPHeaders {
		if strings.EqualFold(k, "Authorization") {
			return false
		}
	}
	return true
}

// DefaultEnvVars are the variables a stdio server inherits from the
// parent environment when the config names no others (Codex passes only
// this small whitelist so secrets in the shell do not leak to servers).
func DefaultEnvVars() []string {
	return []string{"HOME", "LOGNAME", "PATH", "SHELL", "USER", "__CF_USER_TEXT_ENCODING", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ"}
}

// IsEnabled reports whether the server should be started (default true).
func (s Server) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// IsHTTP reports whether the server uses the streamable HTTP transport.
func (s Server) IsHTTP() bool { return s.URL != "" }

// StartupTimeout is the time allowed for initialize + tools/list.
func (s Server) StartupTimeout() time.Duration {
	switch {
	case s.StartupTimeoutSec != nil && *s.StartupTimeoutSec > 0:
		return seconds(*s.StartupTimeoutSec)
	case s.StartupTimeoutMs != nil && *s.StartupTimeoutMs > 0:
		return time.Duration(*s.StartupTimeoutMs * float64(time.Millisecond))
	}
	return DefaultStartupTimeout
}

// ToolTimeout is the time allowed for one tools/call.
func (s Server) ToolTimeout() time.Duration {
	if s.ToolTimeoutSec != nil && *s.ToolTimeoutSec > 0 {
		return seconds(*s.ToolTimeoutSec)
	}
	return DefaultToolTimeout
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// ToolAllowed applies enabled_tools (allow-list) then disabled_tools.
func (s Server) ToolAllowed(tool string) bool {
	if s.EnabledTools != nil && !contains(s.EnabledTools, tool) {
		return false
	}
	return !contains(s.DisabledTools, tool)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Validate checks that the server names exactly one transport.
func (s Server) Validate() error {
	switch {
	case s.Command == "" && s.URL == "":
		return errors.New("needs either command or url")
	case s.Command != "" && s.URL != "":
		return errors.New("has both command and url")
	}
	return nil
}

// ValidName reports whether name is acceptable as a server name (the
// same rule Codex applies: ASCII letters, digits, '-' and '_').
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// Path returns config.toml inside codexHome.
func Path(codexHome string) string { return filepath.Join(codexHome, "config.toml") }

// Load reads the mcp_servers table from the config.toml at path. A missing
// file yields an empty map, not an error.
func Load(path string) (map[string]Server, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]Server{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parseFile(path, data)
}

// Parse decodes the mcp_servers table from config.toml content. Keys
// match exactly, as in Codex (the TOML decoder alone would also accept
// "Mcp_Servers" or "Command").
func Parse(data []byte) (map[string]Server, error) {
	return parseFile(config.FileName, data)
}

// parseFile is Parse for the file at path, whose errors name it with the
// line, the key and the type expected.
func parseFile(path string, data []byte) (map[string]Server, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, config.Describe(path, err)
	}
	// Type-check against the whole file first, so that a wrong type is
	// reported at its own line (the exact-key pass below re-encodes).
	var typed struct {
		Servers map[string]Server `toml:"mcp_servers"`
	}
	if err := toml.Unmarshal(data, &typed); err != nil {
		return nil, config.Describe(path, err)
	}
	out := map[string]Server{}
	raw, ok := doc["mcp_servers"]
	if !ok {
		return out, nil
	}
	table, ok := raw.(map[string]any)
	if !ok {
		return nil, errors.New("parse config.toml: mcp_servers is not a table")
	}
	known := knownKeys()
	for name, v := range table {
		fields, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("parse config.toml: mcp_servers.%s is not a table", name)
		}
		exact := map[string]any{}
		for k, v := range fields {
			if known[k] {
				exact[k] = v
			}
		}
		b, err := toml.Marshal(exact)
		if err != nil {
			return nil, fmt.Errorf("parse config.toml: mcp_servers.%s: %w", name, err)
		}
		var srv Server
		if err := toml.Unmarshal(b, &srv); err != nil {
			return nil, fmt.Errorf("parse config.toml: mcp_servers.%s: %w", name, err)
		}
		out[name] = srv
	}
	return out, nil
}

// knownKeys are Server's TOML key names.
func knownKeys() map[string]bool {
	t := reflect.TypeOf(Server{})
	keys := map[string]bool{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		keys[name] = true
	}
	return keys
}
