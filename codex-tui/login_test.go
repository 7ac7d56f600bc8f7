package tui

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/common/config"

	tea "github.com/charmbracelet/bubbletea"
	login "github.com/codexgo/codex-login"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/issuertest"
	"github.com/codexgo/codex-login/oauth"
	"github.com/codexgo/codex-login/restrict"
)

func TestLoginScreenAPIKey(t *testing.T) {
	home := t.TempDir()
	deps := realLoginDeps(home, restrict.Restrictions{}, func(string) string { return "" }, nil)
	l := newLoginScreen(asciiTheme(), deps, "")
	press := func(k string) { l.Update(keyMsg(k)) }
	press("down")
	press("enter")
	if l.stage != loginKeyEntry {
		t.Fatalf("stage = %v, want key entry", l.stage)
	}
	l.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("sk-test-1234567890")})
	if v := stripped(l.View()); strings.Contains(v, "sk-test") {
		t.Errorf("key shown in clear:\n%s", v)
	}
	press("enter")
	if l.stage != loginDone {
		t.Fatalf("stage = %v (%s), want done", l.stage, l.err)
	}
	f, err := authfile.Load(home)
	if err != nil || f.APIKey == nil || *f.APIKey != "sk-test-1234567890" {
		t.Fatalf("auth.json = %+v, %v", f, err)
	}
	openai := config.Defaults()
	if needsLogin(home, &openai, func(string) string { return "" }) {
		t.Error("still needs login after saving a key")
	}
	if !strings.Contains(stripped(l.View()), "sk-test-***67890") {
		t.Errorf("done view does not show the masked key:\n%s", stripped(l.View()))
	}
}

func TestLoginScreenBrowserFlow(t *testing.T) {
	l := newLoginScreen(asciiTheme(), loginDeps{}, "")
	l.Update(keyMsg("enter")) // Sign in with ChatGPT (the command is not run here)
	if l.stage != loginWaiting || !strings.Contains(stripped(l.View()), "Finish signing in via your browser") {
		t.Fatalf("stage %v, view:\n%s", l.stage, stripped(l.View()))
	}
	l.Update(loginURLMsg("http://127.0.0.1:1/oauth/authorize?x=1"))
	if !strings.Contains(stripped(l.View()), "http://127.0.0.1:1/oauth/authorize?x=1") {
		t.Errorf("URL not shown:\n%s", stripped(l.View()))
	}
	l.Update(loginResultMsg{err: errors.New("access_denied")})
	if l.stage != loginMenu || !strings.Contains(l.err, "access_denied") {
		t.Fatalf("after a failure: stage %v err %q", l.stage, l.err)
	}
	l.Update(keyMsg("enter"))
	_, cmd := l.Update(loginResultMsg{res: login.Result{Email: "user@example.com"}})
	if l.stage != loginDone || !strings.Contains(stripped(l.View()), "user@example.com") {
		t.Fatalf("after success: stage %v view %s", l.stage, stripped(l.View()))
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("success does not end the screen")
	}
}

// TestLoginAgainstLocalIssuer runs the real browser flow of the login
// screen's dependencies against the local OIDC test issuer, playing the
// browser with issuertest.Visit.
func TestLoginAgainstLocalIssuer(t *testing.T) {
	srv, err := issuertest.Start(issuertest.Options{Email: "dev@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	home := t.TempDir()
	env := map[string]string{"CODEX_LOGIN_ISSUER": srv.URL, "CODEX_LOGIN_CLIENT_ID": oauth.OpenAIClientID, "CODEX_LOGIN_PORT": "0"}
	deps := realLoginDeps(home, restrict.Restrictions{}, func(k string) string { return env[k] }, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	visited := make(chan error, 1)
	res, err := deps.browserLogin(ctx, func(u string) {
		go func() {
			_, _, err := issuertest.Visit(ctx, &http.Client{}, u)
			visited <- err
		}()
	})
	if err != nil {
		t.Fatalf("browser login: %v", err)
	}
	if err := <-visited; err != nil {
		t.Fatalf("visit: %v", err)
	}
	if res.Email != "dev@example.com" {
		t.Errorf("email = %q", res.Email)
	}
	if _, err := os.Stat(filepath.Join(home, "auth.json")); err != nil {
		t.Errorf("auth.json not written: %v", err)
	}
}

func TestNeedsLogin(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	noEnv := func(string) string { return "" }
	openai := config.Defaults()
	local, err := config.Parse("", []byte("model_provider = \"local\"\n[model_providers.local]\nbase_url = \"http://127.0.0.1:1/v1\"\nenv_key = \"LOCAL_KEY\"\n"), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	unknown := config.Defaults()
	unknown.ModelProvider = "nope"
	tests := []struct {
		name string
		cfg  *config.Config
		env  func(string) string
		want bool
	}{
		{"openai without credentials", &openai, noEnv, true},
		{"openai with OPENAI_API_KEY", &openai, func(k string) string { return map[string]string{"OPENAI_API_KEY": "sk"}[k] }, false},
		{"openai with CODEX_API_KEY", &openai, func(k string) string { return map[string]string{"CODEX_API_KEY": "sk"}[k] }, false},
		{"openai with CODEX_ACCESS_TOKEN", &openai, func(k string) string { return map[string]string{"CODEX_ACCESS_TOKEN": "eyJ.x.y"}[k] }, false},
		{"openai with a blank CODEX_ACCESS_TOKEN", &openai, func(k string) string { return map[string]string{"CODEX_ACCESS_TOKEN": " "}[k] }, true},
		{"a custom provider never signs in", local, noEnv, false},
		{"an unknown provider is the agent's error", &unknown, noEnv, false},
	}
	for _, tt := range tests {
		if got := needsLogin(empty, tt.cfg, tt.env); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestLoginScreenForcedMethod offers only what forced_login_method allows.
func TestLoginScreenForcedMethod(t *testing.T) {
	for _, tc := range []struct {
		method     string
		want, lack string
		enterStage loginStage
	}{
		{restrict.MethodChatGPT, "1. Sign in with ChatGPT", "API key", loginWaiting},
		{restrict.MethodAPI, "1. Provide your own API key", "Sign in with ChatGPT", loginKeyEntry},
	} {
		l := newLoginScreen(asciiTheme(), loginDeps{allowed: restrict.Restrictions{Method: tc.method}}, "")
		v := stripped(l.View())
		if !strings.Contains(v, tc.want) || strings.Contains(v, "2. ") || strings.Contains(v, tc.lack+"\n") {
			t.Errorf("%s: menu:\n%s", tc.method, v)
		}
		l.Update(keyMsg("down"))
		l.Update(keyMsg("2")) // not offered: nothing happens
		if l.stage != loginMenu || l.sel != 0 {
			t.Errorf("%s: after down and 2: stage %v sel %d", tc.method, l.stage, l.sel)
		}
		l.Update(keyMsg("enter"))
		if l.stage != tc.enterStage {
			t.Errorf("%s: enter led to stage %v, want %v", tc.method, l.stage, tc.enterStage)
		}
	}
}

// TestEnforceLogin logs a stored login of the wrong kind out (the login
// screen then says why) and refuses a key from the environment.
func TestEnforceLogin(t *testing.T) {
	home := t.TempDir()
	key := "sk-stored-1234567890"
	if err := authfile.Save(home, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	chatgpt := restrict.Restrictions{Method: restrict.MethodChatGPT}
	none := func(string) string { return "" }
	if notice, err := enforceLogin(home, &cfg, restrict.Restrictions{}, none); notice != "" || err != nil {
		t.Fatalf("no restrictions: %q, %v", notice, err)
	}
	_, err := enforceLogin(home, &cfg, chatgpt, func(k string) string { return map[string]string{"OPENAI_API_KEY": "sk-env"}[k] })
	if !errors.Is(err, restrict.ErrAPIKeyDisabled) {
		t.Errorf("env key under chatgpt: %v", err)
	}
	notice, err := enforceLogin(home, &cfg, chatgpt, none)
	if err != nil || !strings.Contains(notice, "API key login is disabled") || !strings.Contains(notice, "logged out") {
		t.Errorf("stored key under chatgpt: %q, %v", notice, err)
	}
	if !needsLogin(home, &cfg, none) {
		t.Error("still logged in after the logout")
	}
}
