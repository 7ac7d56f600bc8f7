package status_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/status"
)

// TestAccessTokenLeftToCaller: without Env.AccessToken, an access token
// login (from the environment or auth.json) is not run and nothing is
// printed, so the fused binary's early start can hand it to codex-login
// whole; with it, its answer is what status says.
func TestAccessTokenLeftToCaller(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "auth.json"), []byte(`{"auth_mode": "agentIdentity", "OPENAI_API_KEY": null, "agent_identity": "a.b.c"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, env := range []map[string]string{
		{"CODEX_HOME": home},
		{"CODEX_HOME": home, "CODEX_ACCESS_TOKEN": "x.y.z", "OPENAI_API_KEY": "sk-test-1234567890ABCDEFGH"},
	} {
		getenv := func(k string) string { return env[k] }
		var out, errb bytes.Buffer
		e := status.Env{Stdout: &out, Stderr: &errb, Getenv: getenv}
		if code, ok := status.Run(context.Background(), e, true); ok || code != 0 || out.Len()+errb.Len() > 0 {
			t.Errorf("%v: Run without AccessToken = %d, %v, %q, %q; want it left to the caller", env, code, ok, out.String(), errb.String())
		}

		var gotToken string
		e.AccessToken = func(_ context.Context, dir, token string) (authfile.Account, error) {
			if dir != home {
				return authfile.Account{}, errors.New("wrong home " + dir)
			}
			gotToken = token
			return authfile.Account{Email: "a@example.com", Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}, nil
		}
		code, ok := status.Run(context.Background(), e, true)
		if !ok || code != 0 || errb.String() != "Logged in using access token\n" || !bytes.Contains(out.Bytes(), []byte(`"email":"a@example.com","expires_at":"2030-01-02T03:04:05Z"`)) {
			t.Errorf("%v: Run = %d, %v, %q, %q", env, code, ok, out.String(), errb.String())
		}
		if want := map[bool]string{true: "x.y.z", false: "a.b.c"}[env["CODEX_ACCESS_TOKEN"] != ""]; gotToken != want {
			t.Errorf("%v: checked token %q, want %q", env, gotToken, want)
		}
	}
}
