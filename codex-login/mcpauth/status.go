package mcpauth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/codexgo/codex-login/oauth"
)

// Auth statuses, spelled as `codex mcp list --json` prints them.
const (
	StatusUnknown     = "unknown"
	StatusUnsupported = "unsupported"
	StatusNotLoggedIn = "not_logged_in"
	StatusBearerToken = "bearer_token"
	StatusOAuth       = "o_auth"
)

// ProbeTimeout bounds Status's look at a server's metadata.
const ProbeTimeout = 5 * time.Second

// Status is the OAuth status of a streamable HTTP server: o_auth when
// tokens are stored, else whether the server publishes OAuth metadata
// (not_logged_in), publishes none (unsupported) or could not be asked
// (unknown).
func Status(ctx context.Context, hc *http.Client, st Store, srv Server) string {
	if e, err := st.Load(srv.Key()); err == nil && e != nil {
		return StatusOAuth
	}
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	_, _, err := discover(ctx, hc, srv)
	var nm *noOAuthError
	switch {
	case err == nil:
		return StatusNotLoggedIn
	case errors.As(err, &nm), errors.Is(err, oauth.ErrNoMetadata):
		return StatusUnsupported
	}
	return StatusUnknown
}

// Display is the status as the `codex mcp list` table shows it.
func Display(status string) string {
	switch status {
	case StatusUnsupported:
		return "Unsupported"
	case StatusNotLoggedIn:
		return "Not logged in"
	case StatusBearerToken:
		return "Bearer token"
	case StatusOAuth:
		return "OAuth"
	}
	return "Unknown"
}
