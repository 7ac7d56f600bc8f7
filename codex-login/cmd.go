package login

import (
	"flag"
	"io"

	"github.com/codexgo/codex-login/status"
	"github.com/codexgo/common/cli"
)

// ToolName is the argv[0] that selects this tool.
const ToolName = "codex-login"

// The flag sets of every command, bound to their variables: parsing,
// --help, the man page and completion all use them.

func quietFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func tokenFlagSet(refresh, jsonOut *bool) *flag.FlagSet {
	fs := quietFlagSet("codex-login token")
	fs.BoolVar(refresh, "refresh", false, "refresh the tokens even if they are still valid")
	fs.BoolVar(jsonOut, "json", false, "print {mode, token, account_id, expires_at} as JSON")
	return fs
}

// wantsHelp reports -h or --help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// helpTarget is the command args select, with a flag set of its flags.
func helpTarget(args []string) (*cli.Command, *flag.FlagSet) {
	c := CLI()
	if len(args) > 0 {
		if s := c.Sub(args[0]); s != nil {
			return s, s.Flags()
		}
	}
	return c, c.Flags()
}

func loginExamples() []cli.Example {
	return []cli.Example{
		{Command: "codex-login", Explain: "sign in with ChatGPT in the browser"},
		{Command: "codex-login login --device-auth", Explain: "sign in on a machine without a browser (SSH): enter a code on another device"},
		{Command: "printenv OPENAI_API_KEY | codex-login login --with-api-key", Explain: "save an API key (read from stdin, never from the command line)"},
		{Command: "printenv CODEX_ACCESS_TOKEN | codex-login login --with-access-token", Explain: "save a Codex access token (an agent identity JWT) once its signature checks out"},
		{Command: "codex-login login --issuer https://idp.example.com --client-id my-app", Explain: "any OpenID Connect provider"},
	}
}

// CLI describes codex-login for --help, man pages and completion.
func CLI() *cli.Command {
	exits := func(one string) []cli.ExitCode {
		return []cli.ExitCode{{Code: "0", Meaning: "success"}, {Code: "1", Meaning: one}, {Code: "2", Meaning: "usage error"}}
	}
	loginDesc := `Signs in and saves the credentials in $CODEX_HOME/auth.json (0600), in the
Codex CLI's format. The default is the browser flow with ChatGPT: a local
server on 127.0.0.1:1455 receives the callback. --device-auth prints a code
to enter on another device. --with-api-key reads an API key from stdin.
--with-access-token reads a Codex access token (an agent identity JWT) from
stdin and saves it only once it verifies: RS256 against the key set the
ChatGPT backend publishes ($CODEX_AGENT_IDENTITY_JWKS_BASE_URL, else
chatgpt_base_url), Codex's issuer and audience, not expired.
Every flag can also be set as CODEX_LOGIN_<FLAG> (e.g.
CODEX_LOGIN_NO_BROWSER=1).`
	loginFlags := func(name string) func() *flag.FlagSet {
		return func() *flag.FlagSet { return newLoginFlagSet(name, &loginFlags{}) }
	}
	return &cli.Command{
		Name:        ToolName,
		Summary:     "sign in with ChatGPT (browser or device code), an OpenID Connect issuer, an API key or an access token",
		Synopsis:    []string{"[login] [flags]", "status|token|logout [flags]"},
		Description: loginDesc + "\n\nWithout a command, codex-login runs login.",
		Flags:       loginFlags(ToolName),
		Examples:    loginExamples(),
		ExitCodes:   exits("failure, cancelled or timed out"),
		Subcommands: []*cli.Command{
			{
				Name: ToolName + " login", Summary: "sign in (browser flow by default)",
				Synopsis:    []string{"[--with-api-key | --with-access-token | --device-auth] [--issuer URL] [--client-id ID] [--port N] [--no-browser] [--timeout DURATION]"},
				Description: loginDesc, Flags: loginFlags(ToolName + " login"),
				Examples: loginExamples(), ExitCodes: exits("failure, cancelled or timed out"),
			},
			{
				Name: ToolName + " status", Summary: "say how you are logged in (exit 1 when not logged in)",
				Synopsis:    []string{"[--json]"},
				Description: "Says whether you are logged in, and how: ChatGPT (with the account), an\nAPI key (masked) or an access token (verified again against the key set).\nCODEX_API_KEY and OPENAI_API_KEY count before auth.json.",
				Flags:       func() *flag.FlagSet { var j bool; return status.FlagSet(&j) },
				Examples:    []cli.Example{{Command: "codex-login status", Explain: "API key configured - sk-test-***DEFGH"}, {Command: "codex-login status --json"}},
				ExitCodes:   exits("not logged in, or auth.json unreadable"),
			},
			{
				Name: ToolName + " token", Summary: "print a valid bearer token on stdout, refreshing first when needed",
				Synopsis:    []string{"[--refresh] [--json]"},
				Description: "Prints the access token (or API key) to send as a bearer token, refreshing\nit first when it expires soon; the refreshed tokens are saved.",
				Flags:       func() *flag.FlagSet { var r, j bool; return tokenFlagSet(&r, &j) },
				Examples:    []cli.Example{{Command: `curl -H "Authorization: Bearer $(codex-login token)" https://api.openai.com/v1/models`}},
				ExitCodes:   exits("not logged in, or the refresh failed"),
			},
			{
				Name: ToolName + " logout", Summary: "revoke the refresh token and remove the credentials", Synopsis: []string{""},
				Description: "Revokes the refresh token at the issuer (best effort) and removes auth.json.",
				Flags:       func() *flag.FlagSet { return quietFlagSet("codex-login logout") },
				Examples:    []cli.Example{{Command: "codex-login logout", Explain: "Successfully logged out"}},
				ExitCodes:   exits("auth.json could not be removed"),
			},
		},
	}
}
