package mcpconfig

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/codexgo/codex-login/mcpauth"
)

// AuthStatus is the auth status of a server as `codex mcp list` and the
// app-server's mcpServerStatus/list report it (mcpauth.Status* values):
// stdio servers are unsupported, a configured bearer token or
// Authorization header is bearer_token, and a streamable HTTP server is
// o_auth with stored tokens, else what its OAuth metadata says.
func AuthStatus(ctx context.Context, codexHome, name string, s Server) string {
	switch {
	case !s.IsHTTP():
		return mcpauth.StatusUnsupported
	case !s.UsesOAuth():
		return mcpauth.StatusBearerToken
	}
	return mcpauth.Status(ctx, nil, mcpauth.Store{Home: codexHome}, s.AuthServer(name, OAuthSettings{}))
}

// authStatuses probes every server at once.
func authStatuses(ctx context.Context, codexHome string, servers map[string]Server) map[string]string {
	out := make(map[string]string, len(servers))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := AuthStatus(ctx, codexHome, name, s)
			mu.Lock()
			out[name] = st
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func (c *cli) context() context.Context {
	if c.ctx == nil {
		return context.Background()
	}
	return c.ctx
}

// login runs `codex mcp login NAME`.
func (c *cli) login(path, name string, v *mcpFlags) error {
	servers, err := Load(path)
	if err != nil {
		return err
	}
	srv, ok := servers[name]
	if !ok {
		return fmt.Errorf("No MCP server named '%s' found.", name) //nolint:staticcheck // the Codex CLI's exact text
	}
	if !srv.IsHTTP() {
		return errors.New("OAuth login is only supported for streamable HTTP servers.") //nolint:staticcheck // the Codex CLI's exact text
	}
	top, err := LoadOAuthSettings(path)
	if err != nil {
		return err
	}
	var scopes []string
	for _, sc := range strings.Split(v.scopes, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			scopes = append(scopes, sc)
		}
	}
	return c.runLogin(path, name, srv, top, scopes, v.registration, v.noBrowser)
}

func (c *cli) runLogin(path, name string, srv Server, top OAuthSettings, scopes []string, registration string, noBrowser bool) error {
	switch registration {
	case "", mcpauth.RegistrationAuto, mcpauth.RegistrationDCR, mcpauth.RegistrationCIMD:
	default:
		return usagef("invalid value '%s' for '--oauth-client-registration' (possible values: auto, cimd, dcr)", registration)
	}
	o := mcpauth.LoginOptions{
		Store:        mcpauth.Store{Home: filepath.Dir(path)},
		Scopes:       scopes,
		Registration: registration,
		OnURL: func(u string) {
			_, _ = fmt.Fprintf(c.stdout, "Authorize `%s` by opening this URL in your browser:\n%s\n", name, u)
			if !noBrowser && c.openBrowser != nil {
				_ = c.openBrowser(u) // the printed URL is the fallback
			}
		},
	}
	if noBrowser {
		_, _ = fmt.Fprint(c.stderr, "Paste the URL your browser ended on (the callback URL), then Enter:\n")
		o.Paste = c.stdin
	}
	if err := mcpauth.Login(c.context(), srv.AuthServer(name, top), o); err != nil {
		return fmt.Errorf("Failed to complete OAuth login for '%s': %w", name, err) //nolint:staticcheck // the Codex CLI's exact text
	}
	_, _ = fmt.Fprintf(c.stdout, "Successfully logged in to MCP server '%s'.\n", name)
	return nil
}

// logout runs `codex mcp logout NAME`.
func (c *cli) logout(path, name string) error {
	servers, err := Load(path)
	if err != nil {
		return err
	}
	srv, ok := servers[name]
	if !ok {
		return fmt.Errorf("No MCP server named '%s' found.", name) //nolint:staticcheck // the Codex CLI's exact text
	}
	if !srv.IsHTTP() {
		return errors.New("OAuth logout is only supported for streamable HTTP servers.") //nolint:staticcheck // the Codex CLI's exact text
	}
	found, err := mcpauth.Store{Home: filepath.Dir(path)}.Delete(c.context(), srv.AuthServer(name, OAuthSettings{}).Key())
	if err != nil {
		return err
	}
	if found {
		_, _ = fmt.Fprintf(c.stdout, "Removed OAuth credentials for '%s'.\n", name)
	} else {
		_, _ = fmt.Fprintf(c.stdout, "No OAuth credentials stored for '%s'.\n", name)
	}
	return nil
}

// afterAdd does what the Codex CLI does once an HTTP server is added: log
// in at once when the server supports OAuth, say so when that is unknown.
func (c *cli) afterAdd(path, name string, srv Server, v *mcpFlags) error {
	switch AuthStatus(c.context(), filepath.Dir(path), name, srv) {
	case mcpauth.StatusNotLoggedIn:
		top, err := LoadOAuthSettings(path)
		if err != nil {
			return err
		}
		_, _ = fmt.Fprintln(c.stdout, "Detected OAuth support. Starting OAuth flow…")
		return c.runLogin(path, name, srv, top, srv.Scopes, v.registration, false)
	case mcpauth.StatusUnknown:
		_, _ = fmt.Fprintf(c.stdout, "MCP server may or may not require login. Run `codex mcp login %s` to login.\n", name)
	}
	return nil
}
