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
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/common/config"
)

// needsLogin reports whether the session's model provider needs OpenAI
// credentials and none are available: no auth.json and no OPENAI_API_KEY
// or CODEX_API_KEY in the environment. Other providers (a local server, a
// gateway with its own env_key) never get the sign-in screen, as in the
// Codex CLI; a missing env_key is the agent's error to report.
func needsLogin(home string, cfg *config.Config, getenv func(string) string) bool {
	if p, ok := cfg.Provider(cfg.ModelProvider); !ok || !p.RequiresOpenaiAuth {
		return false
	}
	if getenv("OPENAI_API_KEY") != "" || getenv("CODEX_API_KEY") != "" {
		return false
	}
	_, err := authfile.Load(home)
	return errors.Is(err, authfile.ErrNotLoggedIn)
}

// loginDeps is what the login screen needs from the outside.
type loginDeps struct {
	home string
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
func realLoginDeps(home string, getenv func(string) string, openURL func(string)) loginDeps {
	return loginDeps{
		home: home,
		browserLogin: func(ctx context.Context, onURL func(string)) (login.Result, error) {
			is, err := oauth.Resolve(ctx, http.DefaultClient, getenv("CODEX_LOGIN_ISSUER"), getenv("CODEX_LOGIN_CLIENT_ID"), oauth.StyleAuto)
			if err != nil {
				return login.Result{}, err
			}
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

// loginScreen is the onboarding step shown when there are no credentials:
// Sign in with ChatGPT (the browser flow, run from here) or an API key.
type loginScreen struct {
	th     *theme
	deps   loginDeps
	stage  loginStage
	sel    int
	url    string
	err    string
	result string
	key    textinput.Model
	cancel context.CancelFunc
	quit   bool
	width  int
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
	return &loginScreen{th: th, deps: deps, key: ti, width: 80}
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
	k := msg.String()
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
			l.sel = 0
		case "down", "j":
			l.sel = 1
		case "1":
			l.sel = 0
			return l.startBrowserLogin()
		case "2":
			l.sel = 1
			l.stage = loginKeyEntry
			return l.key.Focus()
		case "enter":
			if l.sel == 0 {
				return l.startBrowserLogin()
			}
			l.stage = loginKeyEntry
			return l.key.Focus()
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
		lines = append(lines, th.bold.Render("Welcome to Codex"), "",
			wrapPlain("Sign in with ChatGPT to use Codex as part of your paid plan, or connect an API key for usage-based billing.", w), "")
		opts := []string{"Sign in with ChatGPT", "Provide your own API key"}
		for i, o := range opts {
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
func runLogin(ctx context.Context, o Options, th *theme, deps loginDeps) (quit bool, err error) {
	l := newLoginScreen(th, deps, "")
	p := tea.NewProgram(l, tea.WithContext(ctx), tea.WithInput(o.Stdin), tea.WithOutput(o.Stdout))
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
