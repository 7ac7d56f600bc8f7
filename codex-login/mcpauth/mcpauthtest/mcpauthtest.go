// Package mcpauthtest runs an OAuth-protected MCP server built from the
// official TypeScript MCP SDK (codex-login/testdata/npm-mcp-oauth) for
// tests of every module that logs in to MCP servers.
package mcpauthtest

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// moduleDir is codex-login's folder, found from this file's.
func moduleDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Server is codex-login/testdata/npm-mcp-oauth/oauth_server.mjs: an MCP server
// protected by the official TypeScript SDK's OAuth router and bearer
// middleware.
type Server struct {
	URL    string `json:"url"`
	Issuer string `json:"issuer"`
}

// Start runs the SDK server with env and stops it at cleanup
// (closing its stdin ends it; the kill is the fallback).
func Start(t *testing.T, env ...string) *Server {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join(moduleDir(), "testdata", "npm-mcp-oauth"))
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
	var s Server
	if err := json.Unmarshal([]byte(line), &s); err != nil {
		t.Fatalf("server said %q: %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return &s
}

// Stats is the server's GET /test/stats.
type Stats struct {
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

func (s *Server) Stats(t *testing.T) Stats {
	t.Helper()
	resp, err := http.Get(s.Issuer + "/test/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var st Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// RevokeAccess makes the server forget every access token (the next MCP
// request with one gets 401).
func (s *Server) RevokeAccess(t *testing.T) {
	t.Helper()
	resp, err := http.Post(s.Issuer+"/test/revoke-access", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
}
