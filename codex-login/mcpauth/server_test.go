package mcpauth

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// oauthServer is testdata/npm-mcp-oauth/oauth_server.mjs: an MCP server
// protected by the official TypeScript SDK's OAuth router and bearer
// middleware.
type oauthServer struct {
	URL    string `json:"url"`
	Issuer string `json:"issuer"`
}

// startOAuthServer runs the SDK server with env and stops it at cleanup
// (closing its stdin ends it; the kill is the fallback).
func startOAuthServer(t *testing.T, env ...string) *oauthServer {
	t.Helper()
	dir, err := filepath.Abs("../testdata/npm-mcp-oauth")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk")); err != nil {
		t.Fatalf("the MCP SDK is not installed: run `npm ci` in codex-login/testdata/npm-mcp-oauth (make test does) (%v)", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed: %v", err)
	}
	cmd := exec.Command(node, "oauth_server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the OAuth MCP server did not start: %v", err)
	}
	var s oauthServer
	if err := json.Unmarshal([]byte(line), &s); err != nil {
		t.Fatalf("server said %q: %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return &s
}

// stats is the server's GET /test/stats.
type stats struct {
	Registrations  int `json:"registrations"`
	Authorizations int `json:"authorizations"`
	CodeExchanges  int `json:"codeExchanges"`
	Refreshes      int `json:"refreshes"`
	Unauthorized   int `json:"unauthorized"`
	LastAuthorize  struct {
		ClientID    string   `json:"client_id"`
		Scopes      []string `json:"scopes"`
		Resource    string   `json:"resource"`
		RedirectURI string   `json:"redirect_uri"`
	} `json:"lastAuthorize"`
	LastToken struct {
		Grant    string `json:"grant"`
		Resource string `json:"resource"`
	} `json:"lastToken"`
}

func (s *oauthServer) stats(t *testing.T) stats {
	t.Helper()
	resp, err := http.Get(s.Issuer + "/test/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var st stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// revokeAccess makes the server forget every access token (the next MCP
// request with one gets 401).
func (s *oauthServer) revokeAccess(t *testing.T) {
	t.Helper()
	resp, err := http.Post(s.Issuer+"/test/revoke-access", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
}

// browser plays the user's browser: it follows the authorize URL through
// the authorization server's redirect to our loopback callback.
func browser(t *testing.T, page *string) func(string) {
	done := make(chan struct{})
	t.Cleanup(func() { <-done })
	return func(u string) {
		go func() {
			defer close(done)
			resp, err := http.Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			defer func() { _ = resp.Body.Close() }()
			b, _ := io.ReadAll(resp.Body)
			if page != nil {
				*page = string(b)
			}
		}()
	}
}

// whoami calls the server's whoami tool through hc (a stateless MCP
// server answers tools/call in JSON) and returns the tool's text.
func whoami(ctx context.Context, hc *http.Client, url string) (string, error) {
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(body)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", &httpError{resp.StatusCode, string(b)}
	}
	var out struct {
		Result struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", err
	}
	if out.Error != nil || len(out.Result.Content) == 0 {
		return "", &httpError{resp.StatusCode, string(b)}
	}
	return out.Result.Content[0].Text, nil
}

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string {
	return "status " + http.StatusText(e.status) + ": " + strings.TrimSpace(e.body)
}

func newLocalServer(t *testing.T, h http.Handler) string {
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}
