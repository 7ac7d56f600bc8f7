package codex

import (
	login "github.com/codexgo/codex-login"
)

// Default returns the bundle of every tool linked into the codex binary.
func Default() *Bundle {
	return &Bundle{
		Tools: map[string]MainFunc{
			"codex-login": login.Main,
		},
		Subcommands: map[string]Subcommand{
			"login":  {Tool: "codex-login", Summary: "sign in with ChatGPT or an API key (codex login status|token|--with-api-key|--device-auth)"},
			"logout": {Tool: "codex-login", Prefix: []string{"logout"}, Summary: "remove stored credentials"},
		},
		Default: "tui",
	}
}
