package login

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3"
	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/codex-login/restrict"
	"github.com/codexgo/codex-login/status"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/version"
)

// Env is what the command takes from the outside world; tests inject it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// HTTP talks to the issuer; nil means http.DefaultClient.
	HTTP *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OpenBrowser opens a URL in the user's browser; nil never opens one.
	OpenBrowser func(url string) error
}

// Main is the codex-login command.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(ctx, args, Env{
		Stdin: stdin, Stdout: stdout, Stderr: stderr,
		Getenv: os.Getenv, Now: time.Now, OpenBrowser: OpenBrowser,
	})
}

// usageError marks bad command-line input (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a specific exit status for an already reported failure.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Run is Main with its dependencies explicit.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if cli.IsVersion(args) {
		cli.PrintVersion(env.Stdout, ToolName, version.Version)
		return 0
	}
	doc, fs := helpTarget(args)
	if wantsHelp(args) {
		doc.WriteHelp(env.Stdout)
		return 0
	}
	root := newCommands(&env)
	err := root.ParseAndRun(ctx, args)
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		say(env.Stderr, "codex-login: %s\n", ue.msg)
		return 2
	case isFlagError(err):
		msg := cli.FlagError(fs, err)
		if strings.HasPrefix(msg, "unknown flag --api-key") || strings.HasPrefix(msg, "unknown flag --api_key") {
			// The Codex CLI once took the key as an argument; it now
			// reads it from stdin so it stays out of ps and shell history.
			msg = "--api-key is not a flag: a key on the command line would show in ps and your shell history; pipe it on stdin with --with-api-key, e.g. printenv OPENAI_API_KEY | codex login --with-api-key"
		} else if strings.HasPrefix(msg, "unknown flag") && !strings.Contains(msg, "did you mean") {
			msg += " (see " + doc.Name + " --help)"
		}
		say(env.Stderr, "%s: %s\n", doc.Name, msg)
		return 2
	default:
		say(env.Stderr, "Error: %v\n", err)
		return 1
	}
}

// isFlagError recognises parse errors from the flag package and ffcli.
func isFlagError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "flag provided but not defined") ||
		strings.Contains(s, "invalid value") || strings.Contains(s, "invalid boolean") ||
		strings.Contains(s, "flag needs an argument") || strings.Contains(s, "error parsing commandline arguments")
}

type loginFlags struct {
	issuer, clientID, style string
	port                    int
	noBrowser               bool
	timeout                 time.Duration
	withAPIKey, deviceAuth  bool
	withAccessToken         bool
	// overrides are -c key=value config overrides (forced_login_method …).
	overrides []string
}

func newLoginFlagSet(name string, lf *loginFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&lf.issuer, "issuer", "", "OAuth/OpenID Connect issuer URL (default OpenAI's, "+oauth.OpenAIIssuer+")")
	fs.StringVar(&lf.clientID, "client-id", "", "OAuth client id (default Codex's for OpenAI's issuer; required for others)")
	fs.StringVar(&lf.style, "issuer-style", "auto", "auto, openai (OpenAI's endpoints under --issuer) or oidc (discovery)")
	fs.IntVar(&lf.port, "port", 0, "callback port on 127.0.0.1 (default 1455, falling back to 1457)")
	fs.BoolVar(&lf.noBrowser, "no-browser", false, "print the sign-in URL without opening a browser")
	fs.DurationVar(&lf.timeout, "timeout", DefaultTimeout, "give up when the login has not completed in this time")
	fs.BoolVar(&lf.withAPIKey, "with-api-key", false, "read an API key from stdin and save it")
	fs.BoolVar(&lf.withAccessToken, "with-access-token", false, "read an access token (a Codex agent identity JWT) from stdin, verify it and save it")
	fs.BoolVar(&lf.deviceAuth, "device-auth", false, "sign in with a device code (for SSH and headless machines)")
	fs.Func("c", "config override key=value (repeatable), e.g. forced_login_method=\"chatgpt\"", func(v string) error {
		lf.overrides = append(lf.overrides, v)
		return nil
	})
	return fs
}

func newCommands(env *Env) *ffcli.Command {
	opts := []ff.Option{ff.WithEnvVarPrefix("CODEX_LOGIN")}
	var rootFlags, loginFl loginFlags
	rootFS := newLoginFlagSet("codex-login", &rootFlags)
	loginFS := newLoginFlagSet("codex-login login", &loginFl)
	var statusJSON, tokenRefresh, tokenJSON bool
	statusFS := status.FlagSet(&statusJSON)
	tokenFS := tokenFlagSet(&tokenRefresh, &tokenJSON)
	logoutFS := quietFlagSet("codex-login logout")

	noArgs := func(args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
		}
		return nil
	}
	login := &ffcli.Command{
		Name:       "login",
		ShortUsage: "codex-login login [--with-api-key | --with-access-token | --device-auth] [--issuer URL] [--client-id ID] [--port N] [--no-browser] [--timeout D]",
		ShortHelp:  "sign in (browser flow by default)",
		FlagSet:    loginFS,
		Options:    opts,
		Exec: func(ctx context.Context, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			return runLogin(ctx, env, &loginFl)
		},
	}
	statusCmd := &ffcli.Command{
		Name: "status", ShortUsage: "codex-login status [--json]",
		ShortHelp: "say how you are logged in (exit 1 when not logged in)",
		FlagSet:   statusFS, Options: opts,
		Exec: func(ctx context.Context, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			return runStatus(ctx, env, statusJSON)
		},
	}
	token := &ffcli.Command{
		Name: "token", ShortUsage: "codex-login token [--refresh] [--json]",
		ShortHelp: "print a valid bearer token on stdout, refreshing first when needed",
		FlagSet:   tokenFS, Options: opts,
		Exec: func(ctx context.Context, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			return runToken(ctx, env, tokenRefresh, tokenJSON)
		},
	}
	logout := &ffcli.Command{
		Name: "logout", ShortUsage: "codex-login logout",
		ShortHelp: "revoke the refresh token and remove the credentials",
		FlagSet:   logoutFS, Options: opts,
		Exec: func(ctx context.Context, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			return runLogout(ctx, env)
		},
	}
	return &ffcli.Command{
		Name:        "codex-login",
		ShortUsage:  "codex-login [login|status|token|logout] [flags]",
		LongHelp:    "Sign in to Codex with ChatGPT (browser or device code), any OpenID Connect issuer, an API key, or an access token (a Codex agent identity JWT, verified against the published keys).\nCredentials are kept in $CODEX_HOME/auth.json. Every flag can also be set as CODEX_LOGIN_<FLAG>.\nExit status: 0 success, 1 failure or not logged in, 2 usage error.",
		FlagSet:     rootFS,
		Options:     opts,
		Subcommands: []*ffcli.Command{login, statusCmd, token, logout},
		Exec: func(ctx context.Context, args []string) error {
			if err := noArgs(args); err != nil {
				return usageError{fmt.Sprintf("unknown command %q", args[0])}
			}
			return runLogin(ctx, env, &rootFlags)
		},
	}
}

func home(env *Env) (string, error) {
	return codexhome.Dir(env.Getenv)
}

func runLogin(ctx context.Context, env *Env, lf *loginFlags) error {
	if lf.withAPIKey && lf.deviceAuth {
		return usageError{"--with-api-key and --device-auth cannot be combined"}
	}
	if lf.withAPIKey && lf.withAccessToken {
		return usageError{"Choose one login credential source: --with-api-key or --with-access-token."}
	}
	if lf.withAccessToken && lf.deviceAuth {
		return usageError{"--with-access-token and --device-auth cannot be combined"}
	}
	if lf.port < 0 || lf.port > 65535 {
		return usageError{fmt.Sprintf("--port %d is out of range", lf.port)}
	}
	if lf.timeout <= 0 {
		return usageError{"--timeout must be positive"}
	}
	style, err := oauth.ParseStyle(lf.style)
	if err != nil {
		return usageError{err.Error()}
	}
	dir, err := home(env)
	if err != nil {
		return err
	}
	cfg, err := config.Load(dir, config.Options{Overrides: lf.overrides})
	if err != nil {
		say(env.Stderr, "Error logging in: %v\n", err)
		return exitError{1}
	}
	r, err := restrict.New(cfg.ForcedLoginMethod, cfg.ForcedChatgptWorkspaceID)
	if err != nil {
		say(env.Stderr, "Error logging in: %v\n", err)
		return exitError{1}
	}
	if lf.withAccessToken {
		if !r.AllowsAccessToken() {
			say(env.Stderr, "%v\n", restrict.ErrAccessTokenDisabled)
			return exitError{1}
		}
		return loginAccessToken(ctx, env, dir, r, cfg.ChatgptBaseURL)
	}
	if lf.withAPIKey {
		if !r.AllowsAPIKey() {
			say(env.Stderr, "%v\n", restrict.ErrAPIKeyDisabled)
			return exitError{1}
		}
		return loginAPIKey(env, dir)
	}
	if !r.AllowsChatGPT() {
		say(env.Stderr, "%v\n", restrict.ErrChatGPTDisabled)
		return exitError{1}
	}
	is, err := oauth.Resolve(ctx, env.HTTP, lf.issuer, lf.clientID, style)
	if err != nil {
		say(env.Stderr, "Error logging in: %v\n", err)
		return exitError{1}
	}
	is.AllowedWorkspaces = r.Workspaces
	o := Options{Home: dir, Issuer: is, HTTP: env.HTTP, Now: env.Now, Timeout: lf.timeout}
	if lf.port != 0 {
		o.Ports = []int{lf.port}
	}
	var res Result
	if lf.deviceAuth {
		o.OnDeviceCode = func(dc *oauth.DeviceCode) { printDeviceCode(env.Stderr, dc) }
		res, err = DeviceLogin(ctx, o)
		if errors.Is(err, oauth.ErrDeviceUnsupported) {
			say(env.Stderr, "%s\n", "Device code login is not enabled for this issuer; using the browser login instead.")
			res, err = browser(ctx, env, lf, o)
		}
	} else {
		res, err = browser(ctx, env, lf, o)
	}
	if err != nil {
		say(env.Stderr, "Error logging in: %v\n", err)
		return exitError{1}
	}
	if res.SetAside != "" {
		say(env.Stderr, "The unreadable auth.json was moved to %s\n", res.SetAside)
	}
	say(env.Stderr, "%s\n", "Successfully logged in")
	return nil
}

func browser(ctx context.Context, env *Env, lf *loginFlags, o Options) (Result, error) {
	o.OnURL = func(authURL string) {
		port := ""
		if u, err := url.Parse(authURL); err == nil {
			if ru, err := url.Parse(u.Query().Get("redirect_uri")); err == nil {
				port = ru.Port()
			}
		}
		say(env.Stderr, "Starting local login server on http://127.0.0.1:%s.\n", port)
		say(env.Stderr, "If your browser did not open, navigate to this URL to authenticate:\n\n%s\n\n", authURL)
		say(env.Stderr, "%s\n", "On a remote or headless machine? Use `codex login --device-auth` instead.")
		if !lf.noBrowser && env.OpenBrowser != nil {
			_ = env.OpenBrowser(authURL) // the URL is printed either way
		}
	}
	return BrowserLogin(ctx, o)
}

func printDeviceCode(w io.Writer, dc *oauth.DeviceCode) {
	say(w, "Follow these steps to sign in with a device code:\n\n")
	say(w, "1. Open this link in your browser and sign in to your account\n   %s\n\n", dc.VerificationURI)
	say(w, "2. Enter this one-time code (expires in %d minutes)\n   %s\n\n", int(dc.ExpiresIn.Minutes()), dc.UserCode)
	if dc.VerificationURIComplete != "" {
		say(w, "Or open %s\n\n", dc.VerificationURIComplete)
	}
	say(w, "%s\n", "Waiting for you to approve the login...")
}

// OpenBrowser starts the platform's URL opener and reaps it in the
// background; without a display on Linux it does nothing.
func OpenBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no display")
		}
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// say writes human text to stderr. A failed write there has nowhere to be
// reported, so its error is deliberately dropped.
func say(w io.Writer, format string, a ...any) {
	_, _ = fmt.Fprintf(w, format, a...)
}
