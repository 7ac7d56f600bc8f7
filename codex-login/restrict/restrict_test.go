package restrict

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/credentials"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		method, workspaces string
		want               Restrictions
		wantErr            bool
	}{
		{"", "", Restrictions{}, false},
		{"chatgpt", "", Restrictions{Method: MethodChatGPT}, false},
		{" API ", "", Restrictions{Method: MethodAPI}, false},
		{"", "acct-1", Restrictions{Workspaces: []string{"acct-1"}}, false},
		{"chatgpt", " acct-1 , acct-2,", Restrictions{Method: MethodChatGPT, Workspaces: []string{"acct-1", "acct-2"}}, false},
		{"sso", "", Restrictions{}, true},
	} {
		got, err := New(tc.method, tc.workspaces)
		if (err != nil) != tc.wantErr || (!tc.wantErr && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("New(%q, %q) = %+v, %v; want %+v, error %v", tc.method, tc.workspaces, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestCheck(t *testing.T) {
	key := credentials.Credentials{Mode: authfile.ModeAPIKey, APIKey: "sk-x"}
	chat := func(acct string) credentials.Credentials {
		return credentials.Credentials{Mode: authfile.ModeChatGPT, AccountID: acct}
	}
	agent := func(acct string) credentials.Credentials {
		return credentials.Credentials{Mode: authfile.ModeAgentIdentity, AccountID: acct}
	}
	for _, tc := range []struct {
		name string
		r    Restrictions
		c    credentials.Credentials
		want string // "" allowed, else a substring of the error
	}{
		{"no restrictions, key", Restrictions{}, key, ""},
		{"no restrictions, chatgpt", Restrictions{}, chat("a"), ""},
		{"chatgpt forced, key", Restrictions{Method: MethodChatGPT}, key, "API key login is disabled. Use ChatGPT login instead."},
		{"api forced, chatgpt", Restrictions{Method: MethodAPI}, chat("a"), "ChatGPT login is disabled. Use API key login instead."},
		{"api forced, key", Restrictions{Method: MethodAPI}, key, ""},
		{"workspace allowed", Restrictions{Workspaces: []string{"a", "b"}}, chat("b"), ""},
		{"workspace refused", Restrictions{Workspaces: []string{"a"}}, chat("z"), "restricted to workspace a, but the current credentials belong to z"},
		{"workspace unknown", Restrictions{Workspaces: []string{"a"}}, chat(""), "belong to no workspace"},
		{"workspaces do not bind keys", Restrictions{Workspaces: []string{"a"}}, key, ""},
		{"api forced, access token", Restrictions{Method: MethodAPI}, agent("a"), "Access token login is disabled. Use API key login instead."},
		{"chatgpt forced, access token", Restrictions{Method: MethodChatGPT}, agent("a"), ""},
		{"workspace, access token", Restrictions{Workspaces: []string{"a"}}, agent("a"), ""},
		{"other workspace, access token", Restrictions{Workspaces: []string{"a"}}, agent("z"), "Login is restricted to workspace id(s) a."},
	} {
		err := tc.r.Check(tc.c)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want allowed", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestEnforce logs out stored credentials that break the restrictions and
// leaves the environment's (and allowed ones) alone.
func TestEnforce(t *testing.T) {
	home := t.TempDir()
	key := "sk-stored"
	if err := authfile.Save(home, &authfile.File{AuthMode: authfile.ModeAPIKey, APIKey: &key}); err != nil {
		t.Fatal(err)
	}
	stored := credentials.Credentials{Mode: authfile.ModeAPIKey, APIKey: key, Source: authfile.Path(home)}
	fromEnv := credentials.Credentials{Mode: authfile.ModeAPIKey, APIKey: "sk-env", Source: "OPENAI_API_KEY"}
	chatgpt := Restrictions{Method: MethodChatGPT}

	if err := Enforce(home, Restrictions{}, stored); err != nil {
		t.Fatalf("allowed credentials: %v", err)
	}
	err := Enforce(home, chatgpt, fromEnv)
	if !errors.Is(err, ErrAPIKeyDisabled) || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Errorf("env key under chatgpt: %v", err)
	}
	if _, serr := os.Stat(authfile.Path(home)); serr != nil {
		t.Fatalf("auth.json removed for a key from the environment: %v", serr)
	}
	err = Enforce(home, chatgpt, stored)
	if !errors.Is(err, ErrAPIKeyDisabled) || !strings.Contains(err.Error(), "logged out") {
		t.Errorf("stored key under chatgpt: %v", err)
	}
	if _, serr := os.Stat(authfile.Path(home)); !os.IsNotExist(serr) {
		t.Errorf("auth.json still there after the logout: %v", serr)
	}
}
