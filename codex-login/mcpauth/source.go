package mcpauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/codexgo/codex-login/oauth"
)

// RefreshSkew is how long before its expiry an access token is refreshed.
const RefreshSkew = 30 * time.Second

// LoginRequiredError says the server wants a (new) login.
type LoginRequiredError struct {
	Server string
	Reason string
}

func (e *LoginRequiredError) Error() string {
	return fmt.Sprintf("MCP server '%s' %s: run `codex mcp login %s`", e.Server, e.Reason, e.Server)
}

// Source hands out one server's access token from the store, refreshing
// it shortly before it expires and when the server answers 401. Its
// methods are safe for concurrent use; refreshes are serialised across
// processes by the store lock, so one refresh token is used once.
type Source struct {
	Store  Store
	Server Server
	// HTTP talks to the token endpoint (default http.DefaultClient).
	HTTP *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu  sync.Mutex
	cur *Entry
}

func (s *Source) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Source) expiring(e *Entry) bool {
	exp := e.Expiry()
	return !exp.IsZero() && !s.now().Add(RefreshSkew).Before(exp)
}

// Token returns the access token to send ("" when the server has none
// stored), refreshed first when it is about to expire.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		e, err := s.Store.Load(s.Server.Key())
		if err != nil || e == nil {
			return "", err
		}
		s.cur = e
	}
	if s.expiring(s.cur) && s.cur.RefreshToken != "" {
		if err := s.refreshLocked(ctx, s.cur.AccessToken); err != nil {
			return "", err
		}
	}
	return s.cur.AccessToken, nil
}

// Refresh is called when the server refused stale (401): it returns a
// newer token, from the store when another request or process already
// refreshed, else from the token endpoint.
func (s *Source) Refresh(ctx context.Context, stale string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && s.cur.AccessToken != stale {
		return s.cur.AccessToken, nil
	}
	if err := s.refreshLocked(ctx, stale); err != nil {
		return "", err
	}
	return s.cur.AccessToken, nil
}

// refreshLocked replaces s.cur under the store lock. s.mu is held.
func (s *Source) refreshLocked(ctx context.Context, stale string) error {
	var out *Entry
	err := s.Store.Update(ctx, s.Server.Key(), func(e *Entry) (*Entry, error) {
		if e == nil || e.AccessToken == "" {
			return nil, &LoginRequiredError{Server: s.Server.Name, Reason: "requires OAuth login"}
		}
		if e.AccessToken != stale && !s.expiring(e) {
			out = e // refreshed (or logged in) elsewhere meanwhile
			return e, nil
		}
		if e.RefreshToken == "" {
			return nil, &LoginRequiredError{Server: s.Server.Name, Reason: "rejected the OAuth access token and there is no refresh token"}
		}
		is, err := s.issuer(ctx, e)
		if err != nil {
			return nil, err
		}
		tr, err := (&oauth.Client{Issuer: is, HTTP: s.HTTP}).Refresh(ctx, e.RefreshToken, "")
		if err != nil {
			var oe *oauth.Error
			if errors.As(err, &oe) && (oe.Permanent() || oe.Status == http.StatusBadRequest) {
				return nil, &LoginRequiredError{Server: s.Server.Name, Reason: "refused to refresh the OAuth token (" + err.Error() + ")"}
			}
			return nil, fmt.Errorf("MCP server '%s': refresh the OAuth token: %w", s.Server.Name, err)
		}
		n := *e
		apply(&n, tr, s.now())
		out = &n
		return &n, nil
	})
	if err != nil {
		return err
	}
	s.cur = out
	return nil
}

// issuer is where e's tokens are refreshed.
func (s *Source) issuer(ctx context.Context, e *Entry) (oauth.Issuer, error) {
	is := oauth.Issuer{URL: e.Issuer, TokenEndpoint: e.TokenEndpoint}
	if is.TokenEndpoint == "" {
		if e.Issuer == "" {
			return is, &LoginRequiredError{Server: s.Server.Name, Reason: "has stored tokens without an issuer"}
		}
		d, err := oauth.DiscoverAuthServer(ctx, s.HTTP, e.Issuer)
		if err != nil {
			return is, fmt.Errorf("MCP server '%s': find the token endpoint: %w", s.Server.Name, err)
		}
		is = d
	}
	is.ClientID, is.ClientSecret, is.Resource = e.ClientID, e.ClientSecret, e.Resource
	if is.ClientSecret == "" && e.ClientID == s.Server.ClientID {
		is.ClientSecret = s.Server.ClientSecret
	}
	return is, nil
}

// Transport puts the Source's token on each request; on 401 it refreshes
// once and repeats the request.
type Transport struct {
	Source *Source
	// Base sends the requests (default http.DefaultTransport).
	Base http.RoundTripper
}

func (t *Transport) base() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tok, err := t.Source.Token(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req, req.Body, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if tok == "" && !bearerChallenge(resp) {
		return resp, nil // not an OAuth server's 401
	}
	// Up to two refreshes: the first may only pick up a token another
	// process stored, which the server can have revoked as well.
	for range 2 {
		drain(resp)
		if tok, err = t.Source.Refresh(ctx, tok); err != nil {
			return nil, err
		}
		body := io.ReadCloser(http.NoBody)
		if req.GetBody != nil {
			if body, err = req.GetBody(); err != nil {
				return nil, err
			}
		} else if req.Body != nil && req.Body != http.NoBody {
			return nil, &LoginRequiredError{Server: t.Source.Server.Name, Reason: "rejected the OAuth access token"}
		}
		resp, err = t.send(req, body, tok)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			return resp, err
		}
	}
	drain(resp)
	return nil, &LoginRequiredError{Server: t.Source.Server.Name, Reason: "rejected the refreshed OAuth access token"}
}

func (t *Transport) send(req *http.Request, body io.ReadCloser, tok string) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Body = body
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	return t.base().RoundTrip(r)
}

func bearerChallenge(resp *http.Response) bool {
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		if len(v) >= 6 && (v[:6] == "Bearer" || v[:6] == "bearer") {
			return true
		}
	}
	return false
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
