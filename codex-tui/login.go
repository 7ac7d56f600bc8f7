package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	login "github.com/codexgo/codex-login"
	"github.com/codexgo/codex-login/agentidentity"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/codex-login/restrict"
	"github.com/codexgo/common/config"
)

// needsLogin reports whether the session's model provider needs OpenAI
// credentials and none are available: no auth.json and no OPENAI_API_KEY,
// CODEX_API_KEY or CODEX_ACCESS_TOKEN in the environment (0.169's TUI
// starts without the sign-in screen on an access token alone; measured). Other providers (a local server, a
// gateway with its own env_key) never get the sign-in screen, as in the
// Codex CLI; a missing env_key is the agent's error to report.
func needsLogin(home string, cfg *config.Config, getenv func(string) string) bool {
	if p, ok := cfg.Provider(cfg.ModelProvider); !ok || !p.RequiresOpenaiAuth {
		return false
	}
	if getenv("OPENAI_API_KEY") != "" || getenv("CODEX_API_KEY") != "" || strings.TrimSpace(getenv(agentidentity.AccessTokenEnv)) != "" {
		return false
	}
	_, err := authfile.Load(home)
	return errors.Is(err, authfile.ErrNotLoggedIn)
}

// enforceLogin applies forced_login_method and forced_chatgpt_workspace_id
// before the session starts: credentials from the environment that break
// them are an error; a stored login that does is logged out, and notice
// says why for the login screen that follows.
func enforceLogin(home string, cfg *config.Config, allowed restrict.Restrictions, getenv func(string) string) (notice string, err error) {
	if p, ok := cfg.Provider(cfg.ModelProvider); !ok || !p.RequiresOpenaiAuth {
		return "", nil
	}
	if c, ok := credentials.FromEnv(getenv); ok {
		return "", allowed.Check(c)
	}
	f, err := authfile.Load(home)
	if err != nil {
		return "", nil // none, or unreadable: the login screen or the agent says so
	}
	c := credentials.Describe(f)
	c.Source = authfile.Path(home)
	if err := restrict.Enforce(home, allowed, c); err != nil {
		return err.Error(), nil
	}
	return "", nil
}

// loginDeps is what the login screen needs from the outside.
type loginDeps struct {
	home string
	// allowed is config's forced_login_method and
	// forced_chatgpt_workspace_id: the methods offered follow it.
	allowed restrict.Restrictions
	// browserLogin runs the whole Sign in with ChatGPT flow; onURL gets
	// the authorize URL to show (and open).
	browserLogin func(ctx context.Context, onURL func(string)) (login.Result, error)
	// saveKey stores an API key in auth.json.
	saveKey func(key string) error
}

// realLoginDeps signs in against the issuer codex-login would use:
// OpenAI's, or CODEX_LOGIN_ISSUER / CODEX_LOGIN_CLIENT_ID (a company's
// OpenID Connect provider, or the local test issuer), with the callback
// port from CODEX_LOGIN_PORT. openURL, if set, opens the browser.
func realLoginDeps(home string, allowed restrict.Restrictions, getenv func(string) string, openURL func(string)) loginDeps {
	return loginDeps{
		home:    home,
		allowed: allowed,
		browserLogin: func(ctx context.Context, onURL func(string)) (login.Result, error) {
			is, err := oauth.Resolve(ctx, http.DefaultClient, getenv("CODEX_LOGIN_ISSUER"), getenv("CODEX_LOGIN_CLIENT_ID"), oauth.StyleAuto)
			if err != nil {
				return login.Result{}, err
			}
			is.AllowedWorkspaces = allowed.Workspaces
			o := login.Options{Home: home, Issuer: is, OnURL: func(u string) {
				onURL(u)
				if openURL != nil {
					openURL(u)
				}
			}}
			if p, err := strconv.Atoi(getenv("CODEX_LOGIN_PORT")); err == nil {
				o.Ports = []int{p}
			}
			return login.BrowserLogin(ctx, o)
		},
		saveKey: func(key string) error {
			return authfile.Save(home, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key})
		},
	}
}

type loginStage int

const (
	loginMenu loginStage = iota
	loginWaiting
	loginKeyEntry
	loginDone
)

// Sign-in methods the login screen offers.
const (
	methodChatGPT = "Sign in with ChatGPT"
	methodAPIKey  = "Provide your own API key"
)

// loginScreen is the onboarding step shown when there are no credentials:
// Sign in with ChatGPT (the browser flow, run from here) or an API key,
// whichever forced_login_method allows.
type loginScreen struct {
	th      *theme
	deps    loginDeps
	methods []string
	stage   loginStage
	sel     int
	url     string
	err     string
	result  string
	key     textinput.Model
	cancel  context.CancelFunc
	quit    bool
	width   int
	// urls carries the authorize URL from the login goroutine.
	urls chan string
}

type (
	loginURLMsg    string
	loginResultMsg struct {
		res login.Result
		err error
	}
)

func newLoginScreen(th *theme, deps loginDeps, presetKey string) *loginScreen {
	ti := textinput.New()
	ti.EchoMode = textinput.EchoPassword
	ti.EchoCharacter = '•'
	ti.Placeholder = "sk-..."
	ti.Prompt = "› "
	ti.SetValue(presetKey)
	l := &loginScreen{th: th, deps: deps, key: ti, width: 80}
	if deps.allowed.AllowsChatGPT() {
		l.methods = append(l.methods, methodChatGPT)
	}
	if deps.allowed.AllowsAPIKey() {
		l.methods = append(l.methods, methodAPIKey)
	}
	return l
}

// choose starts the method at index i of the menu.
func (l *loginScreen) choose(i int) tea.Cmd {
	l.sel = i
	if l.methods[i] == methodChatGPT {
		return l.startBrowserLogin()
	}
	l.stage = loginKeyEntry
	return l.key.Focus()
}

func (l *loginScreen) Init() tea.Cmd { return nil }

// startBrowserLogin runs the flow in a command; the URL comes back first
// through urls, the result at the end.
func (l *loginScreen) startBrowserLogin() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	l.stage, l.url, l.err = loginWaiting, "", ""
	urls := make(chan string, 1)
	l.urls = urls
	run := l.deps.browserLogin
	return batch(
		func() tea.Msg {
			res, err := run(ctx, func(u string) { urls <- u })
			return loginResultMsg{res, err}
		},
		func() tea.Msg {
			select {
			case u := <-urls:
				return loginURLMsg(u)
			case <-ctx.Done():
				return nil
			}
		},
	)
}

func (l *loginScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		l.width = msg.Width
	case loginURLMsg:
		l.url = string(msg)
	case loginResultMsg:
		if l.stage != loginWaiting {
			return l, nil // cancelled meanwhile
		}
		if l.cancel != nil {
			l.cancel()
		}
		if msg.err != nil {
			l.stage, l.err = loginMenu, "Sign-in failed: "+msg.err.Error()
			return l, nil
		}
		l.stage = loginDone
		l.result = "Signed in with your ChatGPT account"
		if msg.res.Email != "" {
			l.result += " (" + msg.res.Email + ")"
		}
		return l, tea.Quit
	case tea.KeyMsg:
		return l, l.handleKey(msg)
	}
	return l, nil
}

func (l *loginScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := keyName(msg)
	if k == "ctrl+c" || k == "ctrl+d" {
		if l.cancel != nil {
			l.cancel()
		}
		l.quit = true
		return tea.Quit
	}
	switch l.stage {
	case loginMenu:
		switch k {
		case "up", "k":
			l.sel = max(l.sel-1, 0)
		case "down", "j":
			l.sel = min(l.sel+1, len(l.methods)-1)
		case "1", "2":
			if i := int(k[0] - '1'); i < len(l.methods) {
				return l.choose(i)
			}
		case "enter":
			return l.choose(l.sel)
		case "q":
			l.quit = true
			return tea.Quit
		}
	case loginWaiting:
		if k == "esc" {
			l.cancel()
			l.stage = loginMenu
		}
	case loginKeyEntry:
		switch k {
		case "esc":
			l.stage = loginMenu
			l.key.Blur()
			return nil
		case "enter":
			key := strings.TrimSpace(l.key.Value())
			if key == "" || strings.ContainsAny(key, " \t") {
				l.err = "Enter an API key (no spaces)."
				return nil
			}
			if err := l.deps.saveKey(key); err != nil {
				l.err = "Could not save the key: " + err.Error()
				return nil
			}
			l.stage, l.result = loginDone, "API key saved to auth.json ("+login.Mask(key)+")"
			return tea.Quit
		}
		var cmd tea.Cmd
		l.key, cmd = l.key.Update(msg)
		return cmd
	}
	return nil
}

func (l *loginScreen) View() string {
	th := l.th
	w := innerWidth(l.width, 2)
	var lines []string
	switch l.stage {
	case loginDone:
		return "\n" + indent(th.ok.Render("✓ ")+wrapPlain(l.result, w-2), "  ", "    ") + "\n"
	case loginWaiting:
		lines = append(lines, th.bold.Render("Finish signing in via your browser"), "")
		if l.url == "" {
			lines = append(lines, th.dim.Render("Starting the local login server…"))
		} else {
			// Hard-wrapped: the renderer cuts lines at the terminal's width.
			lines = append(lines, wrapPlain("If the link doesn't open automatically, open the following link to authenticate:", w), "",
				th.accent.Render(ansi.Hardwrap(l.url, w, false)))
		}
		lines = append(lines, "", th.dim.Render("Press Esc to cancel"))
	case loginKeyEntry:
		lines = append(lines, th.bold.Render("Provide your own API key"), "",
			wrapPlain("Paste or type your OpenAI API key. It is stored in auth.json in your Codex home (mode 0600).", w), "",
			l.key.View(), "", th.dim.Render("Enter to save · Esc to go back"))
	default:
		intro := "Sign in with ChatGPT to use Codex as part of your paid plan, or connect an API key for usage-based billing."
		switch {
		case !l.deps.allowed.AllowsAPIKey():
			intro = "Sign in with ChatGPT to use Codex as part of your paid plan (API key login is disabled here)."
		case !l.deps.allowed.AllowsChatGPT():
			intro = "Connect an API key for usage-based billing (ChatGPT login is disabled here)."
		}
		lines = append(lines, th.bold.Render("Welcome to Codex"), "", wrapPlain(intro, w), "")
		for i, o := range l.methods {
			label := fmt.Sprintf("%d. %s", i+1, o)
			if i == l.sel {
				lines = append(lines, th.selected.Render("› "+label))
			} else {
				lines = append(lines, "  "+label)
			}
		}
		lines = append(lines, "", th.dim.Render("Press Enter to continue"))
	}
	if l.err != "" {
		lines = append(lines, "", th.bad.Render(wrapPlain(l.err, w)))
	}
	return "\n" + indent(strings.Join(lines, "\n"), "  ", "  ") + "\n"
}

// runLogin shows the login screen inline; quit is true when the user
// left instead of signing in.
func runLogin(ctx context.Context, o Options, th *theme, deps loginDeps, notice string) (quit bool, err error) {
	l := newLoginScreen(th, deps, "")
	l.err = notice
	p := tea.NewProgram(l, tea.WithContext(ctx), inputOption(o.Stdin), tea.WithOutput(o.Stdout))
	if _, err := p.Run(); err != nil {
		return true, fmt.Errorf("terminal: %w", err)
	}
	return l.quit || l.stage != loginDone, nil
}

// openBrowser opens url with $BROWSER if set, else the platform's opener.
// It does not wait: the command is reaped in the background.
func openBrowser(getenv func(string) string) func(string) {
	return func(url string) {
		name := getenv("BROWSER")
		if name == "" {
			for _, c := range []string{"xdg-open", "open"} {
				if p, err := exec.LookPath(c); err == nil {
					name = p
					break
				}
			}
		}
		if name == "" {
			return // the URL is on the screen
		}
		cmd := exec.Command(name, url)
		if cmd.Start() == nil {
			go func() { _ = cmd.Wait() }()
		}
	}
}
