package login_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	login "github.com/codexgo/codex-login"
	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/codex-login/issuertest"
)

// findChromium locates a headless-capable Chromium. CI installs the Debian
// package "chromium"; there its absence is a failure, not a skip.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found; CI must install the Debian package chromium")
	}
	t.Skip("chromium not installed (apt-get install chromium); CI runs this test")
	return ""
}

// A real browser walks the whole flow: the issuer's redirect to our
// callback, the callback's redirect to /success, and renders the page.
func TestHeadlessChromiumSeesSuccessPage(t *testing.T) {
	chromium := findChromium(t)
	s := startIssuer(t, issuertest.Options{Email: "chromium@example.com"})
	home := t.TempDir()
	authURL, done := startBrowser(t, context.Background(), login.Options{Home: home, Issuer: s.OpenAI()})

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--user-data-dir="+t.TempDir(), "--dump-dom", authURL)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	for _, want := range []string{"<title>Signed in to Codex</title>", "chromium@example.com", "close this tab"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q:\n%s", want, dom)
		}
	}
	r := wait(t, done)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if _, err := authfile.Load(home); err != nil {
		t.Error(err)
	}
}
