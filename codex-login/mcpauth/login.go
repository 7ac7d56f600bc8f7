package mcpauth

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/codexgo/codex-login/oauth"
)

// DefaultLoginTimeout bounds a login waiting for the browser.
const DefaultLoginTimeout = 10 * time.Minute

// ClientName is what dynamic client registration names us.
const ClientName = "Codex"

// Server is what OAuth needs of an [mcp_servers.NAME] table.
type Server struct {
	Name string
	URL  string
	// Headers are the static http_headers (part of the store key).
	Headers map[string]string
	// Scopes (scopes) are asked for when the login names none.
	Scopes []string
	// Resource (oauth_resource) overrides the RFC 8707 resource indicator,
	// which is otherwise the server's protected-resource identifier.
	Resource string
	// ClientID and ClientSecret ([mcp_servers.NAME.oauth]) name a
	// pre-registered client; without them the client registers itself.
	ClientID, ClientSecret string
	// CallbackPort and CallbackURL place the loopback callback
	// (oauth.callback_port / callback_url, else the top-level
	// mcp_oauth_callback_port / mcp_oauth_callback_url); 0 and "" mean a
	// free port and http://127.0.0.1:PORT/callback/RANDOM.
	CallbackPort int
	CallbackURL  string
}

// Key is the server's store key.
func (s Server) Key() string { return Key(s.Name, s.URL, s.Headers) }

// Registration strategies of --oauth-client-registration.
const (
	RegistrationAuto = "auto"
	RegistrationDCR  = "dcr"
	RegistrationCIMD = "cimd"
)

// LoginOptions tune Login. Zero values are usable except Store.
type LoginOptions struct {
	Store Store
	// HTTP talks to the server and its authorization server.
	HTTP *http.Client
	// Scopes (--scopes) win over the server's configured and advertised
	// scopes.
	Scopes []string
	// Registration is auto (default), dcr or cimd.
	Registration string
	// OnURL receives the authorize URL once the callback listens.
	OnURL func(authorizeURL string)
	// Paste, when set (--no-browser), is read for the callback URL the
	// browser ended on, as an alternative to the loopback callback.
	Paste io.Reader
	// Timeout bounds the wait for the browser (default 10 minutes).
	Timeout time.Duration
	// Now is the clock for expires_at (default time.Now).
	Now func() time.Time
}

// ErrTimeout is returned when the browser did not come back in time.
var ErrTimeout = errors.New("timed out waiting for the OAuth callback")

// Login runs the authorization code flow with PKCE for srv and stores the
// tokens. It discovers the authorization server from the server's
// protected resource metadata (RFC 9728) or, failing that, from the
// server's origin (RFC 8414), registers a client when none is configured
// (RFC 7591), and sends the resource indicator (RFC 8707).
func Login(ctx context.Context, srv Server, o LoginOptions) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultLoginTimeout
	}
	is, pr, err := discover(ctx, o.HTTP, srv)
	if err != nil {
		return err
	}
	is.Resource = srv.Resource
	if is.Resource == "" {
		is.Resource = pr.Resource
	}
	if is.Resource == "" {
		is.Resource = srv.URL
	}
	scopes := firstNonEmpty(o.Scopes, srv.Scopes, pr.ScopesSupported, is.ScopesSupported)
	is.Scope = strings.Join(scopes, " ")

	ln, redirectURI, path, err := listenCallback(srv)
	if err != nil {
		return err
	}
	defer func() { _ = ln.Close() }()

	switch {
	case srv.ClientID != "":
		is.ClientID, is.ClientSecret = srv.ClientID, srv.ClientSecret
	case o.Registration == RegistrationCIMD:
		return errors.New("--oauth-client-registration cimd (client ID metadata documents) is not supported: use dcr, or set mcp_servers." + srv.Name + ".oauth.client_id")
	case is.RegistrationEndpoint == "":
		return fmt.Errorf("the authorization server of MCP server '%s' offers no dynamic client registration: register a client there and set mcp_servers.%s.oauth.client_id (codex mcp add %s --url %s --oauth-client-id ID)", srv.Name, srv.Name, srv.Name, srv.URL)
	default:
		c := oauth.Client{Issuer: is, HTTP: o.HTTP}
		reg, err := c.Register(ctx, ClientName, redirectURI)
		if err != nil {
			return err
		}
		is.ClientID, is.ClientSecret = reg.ClientID, reg.ClientSecret
	}

	pk, err := oauth.NewPKCE()
	if err != nil {
		return err
	}
	state, err := oauth.NewState()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, ErrTimeout)
	defer cancel()
	got := make(chan callbackResult, 2)
	hs := &http.Server{Handler: callbackHandler(path, state, got), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer func() {
		// Let the callback's answer reach the browser before the listener
		// goes: Close would cut a handler still writing ("EOF" in the
		// browser, an empty page for the user).
		sctx, stop := context.WithTimeout(context.Background(), 2*time.Second)
		defer stop()
		if hs.Shutdown(sctx) != nil {
			_ = hs.Close()
		}
	}()
	if o.OnURL != nil {
		o.OnURL(is.AuthorizeURL(redirectURI, pk, state))
	}
	if o.Paste != nil {
		go readPasted(o.Paste, state, got)
	}
	var res callbackResult
	select {
	case res = <-got:
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), ErrTimeout) {
			return fmt.Errorf("%w (%s)", ErrTimeout, o.Timeout)
		}
		return fmt.Errorf("OAuth login cancelled: %w", context.Cause(ctx))
	}
	if res.err != nil {
		return res.err
	}
	c := oauth.Client{Issuer: is, HTTP: o.HTTP}
	tr, err := c.ExchangeCode(ctx, res.code, redirectURI, pk.Verifier)
	if err != nil {
		return fmt.Errorf("exchange the authorization code: %w", err)
	}
	e := &Entry{
		ServerName: srv.Name, ServerURL: srv.URL, Issuer: is.URL, ClientID: is.ClientID,
		ClientSecret: is.ClientSecret, TokenEndpoint: is.TokenEndpoint, Resource: is.Resource,
		Scopes: scopes,
	}
	apply(e, tr, o.Now())
	if e.Scopes == nil {
		e.Scopes = []string{}
	}
	return o.Store.Update(ctx, srv.Key(), func(*Entry) (*Entry, error) { return e, nil })
}

// apply copies a token response into e (a refresh may omit the refresh
// token, which then stays).
func apply(e *Entry, tr oauth.TokenResponse, now time.Time) {
	e.AccessToken = tr.AccessToken
	if tr.RefreshToken != "" {
		e.RefreshToken = tr.RefreshToken
	}
	e.ExpiresAt = nil
	if tr.ExpiresIn > 0 {
		ms := now.Add(tr.ExpiresIn).UnixMilli()
		e.ExpiresAt = &ms
	}
	if tr.Scope != "" {
		e.Scopes = strings.Fields(tr.Scope)
	}
}

func firstNonEmpty(lists ...[]string) []string {
	for _, l := range lists {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

// discover finds the authorization server of srv.
func discover(ctx context.Context, hc *http.Client, srv Server) (oauth.Issuer, oauth.ProtectedResource, error) {
	pr, err := oauth.DiscoverResource(ctx, hc, srv.URL, "")
	issuer := ""
	switch {
	case err == nil:
		issuer = pr.AuthorizationServers[0]
	case errors.Is(err, oauth.ErrNoMetadata):
		u, _ := url.Parse(srv.URL) // DiscoverResource parsed it
		issuer = u.Scheme + "://" + u.Host
	default:
		return oauth.Issuer{}, pr, fmt.Errorf("MCP server '%s': %w", srv.Name, err)
	}
	is, err := oauth.DiscoverAuthServer(ctx, hc, issuer)
	if errors.Is(err, oauth.ErrNoMetadata) {
		return is, pr, &noOAuthError{server: srv.Name, issuer: issuer}
	}
	if err != nil {
		return is, pr, fmt.Errorf("MCP server '%s': %w", srv.Name, err)
	}
	return is, pr, nil
}

// noOAuthError: the server publishes no OAuth metadata.
type noOAuthError struct{ server, issuer string }

func (e *noOAuthError) Error() string {
	return fmt.Sprintf("MCP server '%s' does not support OAuth: no authorization server metadata at %s", e.server, e.issuer)
}

// listenCallback binds the loopback callback and returns the redirect URI
// and the path it answers on.
func listenCallback(srv Server) (net.Listener, string, string, error) {
	port := srv.CallbackPort
	path := "/callback/" + RandomID(12)
	var fixed *url.URL
	if srv.CallbackURL != "" {
		u, err := url.Parse(srv.CallbackURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, "", "", fmt.Errorf("callback URL %q is not an absolute http URL", srv.CallbackURL)
		}
		fixed = u
		path = u.EscapedPath()
		if path == "" {
			path = "/"
		}
		if p := u.Port(); p != "" && port == 0 {
			port, _ = strconv.Atoi(p) // url.Parse checked it is numeric
		}
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", "", fmt.Errorf("listen for the OAuth callback on %s: %w (set mcp_oauth_callback_port to a free port)", addr, err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	if fixed == nil {
		return ln, fmt.Sprintf("http://127.0.0.1:%d%s", port, path), path, nil
	}
	u := *fixed
	if u.Port() == "" && isLoopback(u.Hostname()) {
		// A registered loopback URI without a port: RFC 8252 §7.3 lets
		// the port vary, so ours goes in.
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	}
	return ln, u.String(), path, nil
}

func isLoopback(h string) bool { return h == "127.0.0.1" || h == "localhost" || h == "::1" }

// RandomID is n random characters of [A-Za-z0-9] (callback paths).
func RandomID(n int) string {
	const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	for i := range b {
		b[i] = abc[int(b[i])%len(abc)]
	}
	return string(b)
}

type callbackResult struct {
	code string
	err  error
}

// callbackHandler answers the redirect on path; a request with another
// state is refused and the wait goes on.
func callbackHandler(path, state string, got chan<- callbackResult) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if r.URL.EscapedPath() != path {
			http.Error(w, "Not found", http.StatusNotFound)
			return
		}
		res, ok := parseCallback(r.URL.Query(), state)
		if !ok {
			http.Error(w, "Invalid OAuth callback: state mismatch", http.StatusBadRequest)
			return
		}
		if res.err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, "Authentication failed: %v\n", res.err)
		} else {
			_, _ = io.WriteString(w, "Authentication complete. You may close this window.")
		}
		send(got, res)
	})
	return mux
}

// parseCallback reads a callback's query; ok is false when the state is
// not ours.
func parseCallback(q url.Values, state string) (callbackResult, bool) {
	if q.Get("state") != state {
		return callbackResult{}, false
	}
	if e := q.Get("error"); e != "" {
		msg := e
		if d := q.Get("error_description"); d != "" {
			msg = d + " (" + e + ")"
		}
		return callbackResult{err: fmt.Errorf("the authorization server refused the login: %s", msg)}, true
	}
	code := q.Get("code")
	if code == "" {
		return callbackResult{err: errors.New("the OAuth callback carries no authorization code")}, true
	}
	return callbackResult{code: code}, true
}

// readPasted reads callback URLs, one a line, until one carries our state.
func readPasted(r io.Reader, state string, got chan<- callbackResult) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		u, err := url.Parse(line)
		if err != nil {
			continue
		}
		if res, ok := parseCallback(u.Query(), state); ok {
			send(got, res)
			return
		}
	}
	send(got, callbackResult{err: errors.New("no OAuth callback URL received before input closed")})
}

// send delivers res unless a result is already waiting (the first wins).
func send(got chan<- callbackResult, res callbackResult) {
	select {
	case got <- res:
	default:
	}
}
