package mcpconfig

import "github.com/codexgo/common/config"

// FromConfig converts the mcp_servers of a configuration loaded by
// github.com/codexgo/common/config (which applies profiles and -c
// overrides) into Servers for mcpmanager.Start.
func FromConfig(servers map[string]config.McpServer) map[string]Server {
	out := make(map[string]Server, len(servers))
	for name, s := range servers {
		out[name] = Server{
			Command: s.Command, Args: s.Args, Env: s.Env, EnvVars: s.EnvVars, Cwd: s.Cwd,
			URL: s.URL, BearerTokenEnvVar: s.BearerTokenEnvVar, HTTPHeaders: s.HTTPHeaders, EnvHTTPHeaders: s.EnvHTTPHeaders,
			Enabled: s.Enabled, StartupTimeoutSec: s.StartupTimeoutSec, ToolTimeoutSec: s.ToolTimeoutSec,
			EnabledTools: s.EnabledTools, DisabledTools: s.DisabledTools,
			Scopes: s.Scopes, OAuthResource: s.OAuthResource, OAuth: s.OAuth,
		}
	}
	return out
}
