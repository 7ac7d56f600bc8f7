package codex

import (
	"errors"
	"os"

	agent "github.com/codexgo/codex-agent"
	execpolicy "github.com/codexgo/codex-execpolicy"
	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	login "github.com/codexgo/codex-login"
	mcpclient "github.com/codexgo/codex-mcp-client"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	sandbox "github.com/codexgo/codex-sandbox"
	tui "github.com/codexgo/codex-tui"
)

// Default returns the bundle of every tool linked into the codex binary.
func Default() *Bundle {
	return &Bundle{
		Tools: map[string]MainFunc{
			"codex-agent":         agent.Main,
			"codex-execpolicy":    execpolicy.Main,
			"codex-linux-sandbox": linuxsandbox.Main,
			"codex-login":         login.Main,
			"codex-mcp":           mcpconfig.Main,
			"codex-mcp-client":    mcpclient.Main,
			"codex-sandbox":       sandbox.Main,
			"codex-tui":           tui.Main,
		},
		Subcommands: map[string]Subcommand{
			"exec":       {Tool: "codex-agent", Prefix: []string{"exec"}, Summary: "run the agent non-interactively on one task (--json for JSONL events; exec resume)"},
			"e":          {Tool: "codex-agent", Prefix: []string{"exec"}, Summary: "alias of exec", Hidden: true},
			"proto":      {Tool: "codex-agent", Prefix: []string{"proto"}, Summary: "the agent as a JSONL service on stdin/stdout (front-end protocol)"},
			"mcp-server": {Tool: "codex-agent", Prefix: []string{"mcp-server"}, Summary: "the agent as an MCP server (tools codex and codex-reply) on stdio"},
			"app-server": {Tool: "codex-agent", Prefix: []string{"app-server"}, Summary: "the Codex app-server protocol (JSON-RPC over stdio) for the Codex SDKs and IDE clients"},
			"execpolicy": {Tool: "codex-execpolicy", Summary: "decide allow / prompt / forbidden for a command, with its parsed form"},
			"login":      {Tool: "codex-login", Summary: "sign in with ChatGPT, an API key or an access token (codex login status|token|--with-api-key|--with-access-token|--device-auth)"},
			"logout":     {Tool: "codex-login", Prefix: []string{"logout"}, Summary: "remove stored credentials"},
			"mcp":        {Tool: "codex-mcp", Summary: "manage MCP servers in config.toml (add|list|get|remove)"},
			"mcp-client": {Tool: "codex-mcp-client", Summary: "talk to any MCP server (list tools, call one, resources, prompts)"},
			"tui":        {Tool: "codex-tui", Summary: "the terminal UI (also a bare `codex [PROMPT]`)"},
			"resume":     {Tool: "codex-tui", Prefix: []string{"resume"}, Summary: "resume a recorded session in the TUI (picker, --last or ID)"},
			"sandbox": {Tool: "codex-sandbox", Args: sandboxArgs, Doc: sandboxDoc,
				Summary: "run a command under the sandbox config.toml chooses (sandbox [linux|macos] [--full-auto] [-c k=v] -- CMD)"},
			"review":   {Tool: "codex-agent", Prefix: []string{"review"}, Summary: "review the uncommitted changes (--uncommitted), a branch (--base), a commit (--commit) or what a prompt asks, read-only; the review on stdout"},
			"fork":     {Builtin: forkCommand(tui.Main), Doc: forkDoc, Summary: "copy a recorded session (ID or --last) into a new one and continue it in the TUI"},
			"hooks":    {Builtin: hooksMain, Doc: hooksDoc, Summary: "list config.toml's hooks with their trust; trust them (codex hooks trust KEY|--all)"},
			"doctor":   {Builtin: doctorCommand(sandbox.Main), Doc: doctorDoc, Summary: "check what works here: config, auth, the sandbox's kernel features, MCP servers (exit 1 if a check fails)"},
			"features": {Builtin: featuresMain, Doc: featuresDoc, Summary: "list feature flags with their stage and state; enable or disable one in config.toml"},
			"debug":    {Tool: "codex-sandbox", Args: debugArgs, Doc: debugDoc, Summary: "the Codex CLI's older spelling: debug landlock|seatbelt [--full-auto] -- CMD"},
		},
		Docs: map[string]DocFunc{
			"codex-agent":         agent.CLI,
			"codex-execpolicy":    execpolicy.CLI,
			"codex-linux-sandbox": linuxsandbox.CLI,
			"codex-login":         login.CLI,
			"codex-mcp":           mcpconfig.CLI,
			"codex-mcp-client":    mcpclient.CLI,
			"codex-sandbox":       sandbox.CLI,
			"codex-tui":           tui.CLI,
		},
		Default: "tui",
		Getenv:  os.Getenv,
	}
}

// debugArgs is `codex debug landlock|seatbelt …`, the older spelling of
// `codex sandbox linux|macos …`.
func debugArgs(args []string, getenv func(string) string) ([]string, error) {
	if len(args) == 0 || (args[0] != "landlock" && args[0] != "seatbelt") {
		return nil, errors.New("usage: codex debug landlock|seatbelt [--full-auto] [-c key=value] -- COMMAND")
	}
	return sandboxArgs(args, getenv)
}
