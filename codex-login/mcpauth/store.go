// Package mcpauth is OAuth for streamable HTTP MCP servers, as the Codex
// CLI does it: `codex mcp login` (authorization code with PKCE through the
// browser and a loopback callback, dynamic client registration, RFC 8707
// resource indicator), the token store ($CODEX_HOME/.credentials.json, the
// Codex CLI's file layout, 0600, atomic, under a lock), a RoundTripper that
// puts the token on every request and refreshes it before it expires and
// on 401, and the auth status `codex mcp list` shows.
//
// The OAuth wire protocol (PKCE, metadata, registration, token requests)
// is package oauth's; this package composes it for MCP.
package mcpauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/common/atomicfile"
	"github.com/codexgo/common/codexhome"
)

// File names inside CODEX_HOME, as the Codex CLI 0.169 uses them with
// mcp_oauth_credentials_store = "file".
const (
	FileName = ".credentials.json"
	LockDir  = "mcp-oauth-locks"
	LockName = "file-store.lock"
)

// Entry is one server's stored tokens, with the Codex CLI's field names.
// ClientSecret and TokenEndpoint are ours (a confidential client's
// secret from registration; where to refresh without a discovery).
type Entry struct {
	ServerName   string   `json:"server_name"`
	ServerURL    string   `json:"server_url"`
	Issuer       string   `json:"issuer,omitempty"`
	ClientID     string   `json:"client_id"`
	AccessToken  string   `json:"access_token"`
	ExpiresAt    *int64   `json:"expires_at,omitempty"` // Unix milliseconds
	RefreshToken string   `json:"refresh_token,omitempty"`
	Scopes       []string `json:"scopes"`

	ClientSecret  string `json:"client_secret,omitempty"`
	TokenEndpoint string `json:"token_endpoint,omitempty"`
	Resource      string `json:"resource,omitempty"`
}

// Expiry is when the access token expires (zero when unknown).
func (e *Entry) Expiry() time.Time {
	if e.ExpiresAt == nil {
		return time.Time{}
	}
	return time.UnixMilli(*e.ExpiresAt)
}

// Key is the store key of a server: its name and a digest of its URL and
// headers, so a server renamed or moved to another URL logs in afresh
// (the Codex CLI's key).
func Key(name, url string, headers map[string]string) string {
	if headers == nil {
		headers = map[string]string{}
	}
	b, _ := json.Marshal(struct { // strings only: always marshals
		Type    string            `json:"type"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	}{"http", url, headers})
	sum := sha256.Sum256(b)
	return name + "|" + hex.EncodeToString(sum[:])[:16]
}

// Store is the file store in a CODEX_HOME.
type Store struct {
	Home string
}

// CheckMode validates mcp_oauth_credentials_store. Only the file store is
// ours: "auto" (the default) means it, "keyring" is refused.
func CheckMode(mode string) error {
	switch mode {
	case "", "auto", "file":
		return nil
	case "keyring":
		return errors.New(`mcp_oauth_credentials_store = "keyring" is not supported: set it to "file" (or "auto") to keep MCP OAuth tokens in $CODEX_HOME/.credentials.json`)
	}
	return fmt.Errorf("mcp_oauth_credentials_store = %q: want auto, file or keyring", mode)
}

func (s Store) path() string { return filepath.Join(s.Home, FileName) }

// lock serialises every read-modify-write of the file (and refreshes,
// which rotate refresh tokens) across processes.
func (s Store) lock(ctx context.Context) (func() error, error) {
	if err := codexhome.Ensure(s.Home); err != nil {
		return nil, err
	}
	dir := filepath.Join(s.Home, LockDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	return authfile.LockPath(ctx, filepath.Join(dir, LockName))
}

// read returns every entry; a missing file is an empty store.
func (s Store) read() (map[string]Entry, error) {
	data, err := os.ReadFile(s.path())
	if errors.Is(err, os.ErrNotExist) {
		return map[string]Entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read MCP OAuth credentials: %w", err)
	}
	m := map[string]Entry{}
	if len(strings.TrimSpace(string(data))) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON (%v): fix or delete it, then run `codex mcp login` again", s.path(), err)
	}
	return m, nil
}

// write replaces the file atomically (0600); an empty store removes it.
func (s Store) write(m map[string]Entry) error {
	if len(m) == 0 {
		if err := os.Remove(s.path()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", s.path(), err)
		}
		return nil
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode MCP OAuth credentials: %w", err)
	}
	return atomicfile.WriteFile(s.path(), data, 0o600)
}

// Load returns the entry stored under key, or nil.
func (s Store) Load(key string) (*Entry, error) {
	m, err := s.read()
	if err != nil {
		return nil, err
	}
	e, ok := m[key]
	if !ok || e.AccessToken == "" {
		return nil, nil
	}
	return &e, nil
}

// Update runs fn on the entry under key (nil when none) while holding the
// store lock, and stores what fn returns (nil deletes). fn's error aborts
// without writing.
func (s Store) Update(ctx context.Context, key string, fn func(*Entry) (*Entry, error)) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = unlock() }()
	m, err := s.read()
	if err != nil {
		return err
	}
	var cur *Entry
	if e, ok := m[key]; ok {
		cur = &e
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	if next == nil {
		if cur == nil {
			return nil
		}
		delete(m, key)
	} else {
		m[key] = *next
	}
	return s.write(m)
}

// Delete removes the entry under key and reports whether there was one.
func (s Store) Delete(ctx context.Context, key string) (bool, error) {
	found := false
	err := s.Update(ctx, key, func(e *Entry) (*Entry, error) {
		found = e != nil
		return nil, nil
	})
	return found, err
}
