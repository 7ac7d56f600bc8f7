package appserver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/codexgo/codex-login/issuertest"
)

// TestChatGPTLogin signs in through codex-login's flows against the local
// issuer: the browser flow (the test visits authUrl as the browser
// would), the device code flow, and a cancelled login.
func TestChatGPTLogin(t *testing.T) {
	t.Parallel()
	iss, err := issuertest.Start(issuertest.Options{Email: "dev@example.com", PlanType: "pro", AccountID: "acct-1", DeviceApproveAfter: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	f := newFixture(t)
	f.env = append(f.env, "CODEX_LOGIN_ISSUER="+iss.URL, "CODEX_LOGIN_ISSUER_STYLE=openai", "CODEX_LOGIN_PORT=0")
	c := f.start(t)

	var lr struct {
		Type, LoginID, AuthURL, UserCode, VerificationURL string
	}
	c.call("account/login/start", map[string]any{"type": "chatgpt"}).decode(t, &lr)
	if lr.Type != "chatgpt" || lr.LoginID == "" || !strings.HasPrefix(lr.AuthURL, iss.URL) {
		t.Fatalf("login/start = %+v", lr)
	}
	if status, body, err := issuertest.Visit(context.Background(), nil, lr.AuthURL); err != nil || status != 200 {
		t.Fatalf("browser visit: %d %v %s", status, err, body)
	}
	done, _ := c.until("account/login/completed")
	if !strings.Contains(string(done.Params), `"success":true`) || !strings.Contains(string(done.Params), lr.LoginID) {
		t.Errorf("login/completed = %s", done)
	}
	upd, _ := c.until("account/updated")
	if !strings.Contains(string(upd.Params), `"authMode":"chatgpt"`) {
		t.Errorf("account/updated = %s", upd)
	}
	var acct struct {
		Account map[string]any `json:"account"`
	}
	c.call("account/read", map[string]any{}).decode(t, &acct)
	if acct.Account["type"] != "chatgpt" || acct.Account["email"] != "dev@example.com" || acct.Account["planType"] != "pro" {
		t.Errorf("account = %v", acct.Account)
	}

	c.call("account/logout", nil)
	c.call("account/login/start", map[string]any{"type": "chatgptDeviceCode"}).decode(t, &lr)
	if lr.Type != "chatgptDeviceCode" || lr.UserCode == "" || !strings.HasPrefix(lr.VerificationURL, iss.URL) {
		t.Fatalf("device login/start = %+v", lr)
	}
	done, _ = c.until("account/login/completed")
	if !strings.Contains(string(done.Params), `"success":true`) {
		t.Errorf("device login/completed = %s", done)
	}
	c.call("account/read", map[string]any{}).decode(t, &acct)
	if acct.Account["type"] != "chatgpt" {
		t.Errorf("account after device login = %v", acct.Account)
	}

	// A login nobody finishes is cancelled.
	c.call("account/login/start", map[string]any{"type": "chatgpt"}).decode(t, &lr)
	var cr struct{ Status string }
	c.call("account/login/cancel", map[string]any{"loginId": lr.LoginID}).decode(t, &cr)
	if cr.Status != "canceled" {
		t.Errorf("cancel = %+v", cr)
	}
	done, _ = c.until("account/login/completed")
	if !strings.Contains(string(done.Params), `"success":false`) {
		t.Errorf("cancelled login/completed = %s", done)
	}
}

func TestForcedLoginMethod(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t, "-c", `forced_login_method="chatgpt"`)
	if m := c.callErr("account/login/start", map[string]any{"type": "apiKey", "apiKey": "sk-x"}); m.Error == nil || !strings.Contains(m.Error.Message, "forced_login_method") {
		t.Errorf("apiKey under forced chatgpt: %s", m)
	}
}
