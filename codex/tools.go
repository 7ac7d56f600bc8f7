package codex

import (
	login "github.com/codexgo/codex-login"
	mcpclient "github.com/codexgo/codex-mcp-client"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
)

// Default returns the bundle of every tool linked into the codex binary.
func Default() *Bundle {
	return &Bundle{
		Tools: map[string]MainFunc{
			"codex-login":      login.Main,
			"codex-mcp-client": mcpclient.Main,
			"codex-mcp":        mcpconfig.Main,
		},
		Subcommands: map[string]Subcommand{
			"login":      {Tool: "codex-login", Summary: "sign in with ChatGPT or an API key (codex login status|token|--with-api-key|--device-auth)"},
			"logout":     {Tool: "codex-login", Prefix: []string{"logout"}, Summary: "remove stored credentials"},
			"mcp":        {Tool: "codex-mcp", Summary: "manage MCP servers in config.toml (add|list|get|remove)"},
			"mcp-client": {Tool: "codex-mcp-client", Summary: "talk to any MCP server (list tools, call one, resources, prompts)"},
		},
		Default: "tui",
	}
}
