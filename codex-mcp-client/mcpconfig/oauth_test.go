package mcpconfig_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codexgo/codex-login/mcpauth/mcpauthtest"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// browserOut is the terminal of `codex mcp login`: the authorize URL
// printed there is followed as a browser would (through the
// authorization server's redirect to the loopback callback).
type browserOut struct {
	t    *testing.T
	mu   sync.Mutex
	buf  bytes.Buffer
	wg   sync.WaitGroup
	seen bool
}

var authorizeURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/authorize\?\S+`)

func (b *browserOut) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if u := authorizeURL.FindString(b.buf.String()); u != "" && !b.seen {
		b.seen = true
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			resp, err := http.Get(u)
			if err != nil {
				b.t.Errorf("browser: %v", err)
				return
			}
			_ = resp.Body.Close()
		}()
	}
	return len(p), nil
}

func (b *browserOut) String() string {
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func runMCP(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	out := &browserOut{t: t}
	var errb bytes.Buffer
	code := mcpconfig.Main(context.Background(), args, strings.NewReader(""), out, &errb)
	return out.String(), errb.String(), code
}

// TestOAuthCommands: `codex mcp add --url` against the SDK's OAuth server
// logs in at once (dynamic registration, PKCE, resource), `list` shows
// OAuth, the go-sdk client of mcpconn calls a tool with the stored token
// and survives a revoked token (refresh on 401), `logout` removes it.
func TestOAuthCommands(t *testing.T) {
	s := mcpauthtest.Start(t, "STRICT_RESOURCE=1")
	home := t.TempDir()
	t.Setenv("CODEX_HOME", home)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")

	out, errs, code := runMCP(t, "add", "demo", "--url", s.URL)
	if code != 0 || !strings.Contains(out, "Detected OAuth support") || !strings.Contains(out, "Successfully logged in to MCP server 'demo'.") {
		t.Fatalf("add: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	fi, err := os.Stat(filepath.Join(home, ".credentials.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
	out, _, _ = runMCP(t, "list")
	if !regexp.MustCompile(`demo\s+http://\S+\s+-\s+enabled\s+OAuth`).MatchString(out) {
		t.Errorf("list:\n%s", out)
	}

	servers, err := mcpconfig.Load(mcpconfig.Path(home))
	if err != nil {
		t.Fatal(err)
	}
	call := func() string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := mcpconn.Dial(ctx, "demo", servers["demo"], mcpconn.Options{Getenv: os.Getenv})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer func() { _ = c.Close() }()
		res, err := c.Session.CallTool(ctx, &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}})
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		b, _ := json.Marshal(res.Content)
		return string(b)
	}
	if got := call(); !strings.Contains(got, `\"resource\":\"`+s.URL) {
		t.Errorf("whoami = %s", got)
	}
	s.RevokeAccess(t)
	call()
	if st := s.Stats(t); st.Refreshes != 1 {
		t.Errorf("refreshes after the revocation = %d, want 1", st.Refreshes)
	}

	out, _, code = runMCP(t, "logout", "demo")
	if code != 0 || out != "Removed OAuth credentials for 'demo'.\n" {
		t.Errorf("logout: %d %q", code, out)
	}
	out, _, _ = runMCP(t, "list", "--json")
	if !strings.Contains(out, `"auth_status": "not_logged_in"`) {
		t.Errorf("list --json after logout:\n%s", out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = mcpconn.Dial(ctx, "demo", servers["demo"], mcpconn.Options{Getenv: os.Getenv})
	if err == nil || !strings.Contains(err.Error(), "codex mcp login demo") {
		t.Errorf("dial after logout = %v, want the login hint", err)
	}
}

// TestOAuthLoginRefused: a server that denies access fails the login
// with its reason and exit 1.
func TestOAuthLoginRefused(t *testing.T) {
	s := mcpauthtest.Start(t, "DENY=1")
	home := t.TempDir()
	t.Setenv("CODEX_HOME", home)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	cfg := "[mcp_servers.demo]\nurl = \"" + s.URL + "\"\n"
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runMCP(t, "login", "demo", "--scopes", "mcp:read")
	if code != 1 || !strings.Contains(errs, "Failed to complete OAuth login for 'demo'") || !strings.Contains(errs, "access_denied") {
		t.Errorf("login: exit %d, stderr %q", code, errs)
	}
	if st := s.Stats(t); strings.Join(st.LastAuthorize.Scopes, " ") != "mcp:read" {
		t.Errorf("scopes asked = %v, want --scopes", st.LastAuthorize.Scopes)
	}
}
