package login

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/codexgo/codex-login/oauth"
)

// successGrace is how long the flow waits for the browser to load /success
// after the credentials are saved; the login has succeeded either way.
const successGrace = 10 * time.Second

// BrowserLogin runs the authorization code flow with PKCE: it starts the
// callback server on 127.0.0.1, hands the authorize URL to o.OnURL, waits
// for the redirect, exchanges the code and writes auth.json. It ends on
// success, an error from the issuer, /cancel, the timeout or ctx.
func BrowserLogin(ctx context.Context, o Options) (Result, error) {
	if err := o.defaults(); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, ErrTimeout)
	defer cancel()

	ln, port, err := listen(ctx, &o)
	if err != nil {
		return Result{}, err
	}
	pk, err := oauth.NewPKCE()
	if err != nil {
		_ = ln.Close()
		return Result{}, err
	}
	state, err := oauth.NewState()
	if err != nil {
		_ = ln.Close()
		return Result{}, err
	}
	cb := &callback{
		o:           &o,
		ctx:         ctx,
		port:        port,
		redirectURI: fmt.Sprintf("http://127.0.0.1:%d/auth/callback", port),
		pkce:        pk,
		state:       state,
		done:        make(chan outcome, 1),
		saved:       make(chan Result, 1),
	}
	srv := &http.Server{Handler: cb.routes(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		// Serve only returns ErrServerClosed after Shutdown, or an accept
		// error that leaves the login to its timeout; either way the
		// outcome is decided by the select below.
		_ = srv.Serve(ln)
	}()
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer scancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
		<-served
	}()

	if o.OnURL != nil {
		o.OnURL(o.Issuer.AuthorizeURL(cb.redirectURI, pk, state))
	}

	var saved *Result
	var grace <-chan time.Time
	for {
		select {
		case r := <-cb.saved:
			saved = &r
			t := time.NewTimer(successGrace)
			defer t.Stop()
			grace = t.C
		case out := <-cb.done:
			if out.err != nil && saved != nil {
				// Cancelled after the credentials were saved: the login
				// itself has succeeded.
				return *saved, nil
			}
			if out.err != nil {
				return Result{}, out.err
			}
			return out.result, nil
		case <-grace:
			return *saved, nil
		case <-ctx.Done():
			if saved != nil {
				return *saved, nil
			}
			select {
			case r := <-cb.saved: // saved just as the context ended
				return r, nil
			default:
			}
			return Result{}, wrapCtx(ctx, o.Timeout)
		}
	}
}

// outcome ends the wait.
type outcome struct {
	result Result
	err    error
}

type callback struct {
	o           *Options
	ctx         context.Context
	port        int
	redirectURI string
	pkce        oauth.PKCE
	state       string
	done        chan outcome
	saved       chan Result

	mu       sync.Mutex
	handled  bool // a callback with the right state was processed
	result   *Result
	finished bool
}

func (cb *callback) finish(out outcome) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if cb.finished {
		return
	}
	cb.finished = true
	cb.done <- out
}

func (cb *callback) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/callback", cb.handleCallback)
	mux.HandleFunc("/success", cb.handleSuccess)
	mux.HandleFunc("/cancel", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Connection", "close")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", "15")
		_, _ = w.Write([]byte("Login cancelled"))
		cb.finish(outcome{err: ErrCancelled})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("Not Found"))
	})
	return mux
}

func (cb *callback) handleCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("state") != cb.state {
		// A stray or forged request: refuse it and keep waiting for ours.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("State mismatch"))
		return
	}
	cb.mu.Lock()
	if cb.handled {
		res := cb.result
		cb.mu.Unlock()
		if res != nil {
			http.Redirect(w, r, cb.successURL(*res), http.StatusFound)
			return
		}
		writePage(w, http.StatusConflict, errorPage("This login was already handled. Return to your terminal."))
		return
	}
	cb.handled = true
	cb.mu.Unlock()

	if e := q.Get("error"); e != "" {
		err := issuerError(e, q.Get("error_description"))
		writePage(w, http.StatusOK, errorPage(err.Error()))
		cb.finish(outcome{err: err})
		return
	}
	code := q.Get("code")
	if code == "" {
		err := errors.New("missing authorization code (missing_authorization_code)")
		writePage(w, http.StatusBadRequest, errorPage(err.Error()))
		cb.finish(outcome{err: err})
		return
	}
	c := oauth.Client{Issuer: cb.o.Issuer, HTTP: cb.o.HTTP}
	tr, err := c.ExchangeCode(cb.ctx, code, cb.redirectURI, cb.pkce.Verifier)
	if err != nil {
		err = fmt.Errorf("exchange authorization code: %w", err)
		writePage(w, http.StatusInternalServerError, errorPage(err.Error()))
		cb.finish(outcome{err: err})
		return
	}
	res, err := persist(cb.ctx, cb.o, tr, true)
	if err != nil {
		writePage(w, http.StatusInternalServerError, errorPage("Could not save the credentials: "+err.Error()))
		cb.finish(outcome{err: err})
		return
	}
	cb.mu.Lock()
	cb.result = &res
	cb.mu.Unlock()
	cb.saved <- res
	http.Redirect(w, r, cb.successURL(res), http.StatusFound)
}

// successURL carries what the Codex CLI's success page shows, minus the
// id_token: a secret has no business in the browser's history.
func (cb *callback) successURL(res Result) string {
	v := url.Values{}
	if cb.o.Issuer.OpenAI {
		v.Set("needs_setup", "false")
		v.Set("plan_type", res.PlanType)
		v.Set("platform_url", "https://platform.openai.com")
	}
	s := fmt.Sprintf("http://127.0.0.1:%d/success", cb.port)
	if len(v) > 0 {
		s += "?" + v.Encode()
	}
	return s
}

func (cb *callback) handleSuccess(w http.ResponseWriter, _ *http.Request) {
	cb.mu.Lock()
	res := cb.result
	cb.mu.Unlock()
	if res == nil {
		writePage(w, http.StatusNotFound, errorPage("No login has completed yet."))
		return
	}
	w.Header().Set("Connection", "close")
	writePage(w, http.StatusOK, successPage(res.Email))
	cb.finish(outcome{result: *res})
}

// issuerError explains an error redirect from the issuer.
func issuerError(code, desc string) error {
	if code == "access_denied" && strings.Contains(desc, "missing_codex_entitlement") {
		return errors.New("codex is not enabled for your workspace; ask your workspace admin for access")
	}
	if desc != "" {
		return fmt.Errorf("sign-in failed: %s (%s)", desc, code)
	}
	return fmt.Errorf("sign-in failed: %s", code)
}

// listen binds the first free port of o.Ports on 127.0.0.1. A busy port is
// first asked to /cancel (an earlier login server of ours still holding
// it), then retried.
func listen(ctx context.Context, o *Options) (net.Listener, int, error) {
	var lastErr error
	for _, port := range o.Ports {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		for attempt := 0; attempt <= o.BindRetries; attempt++ {
			ln, err := net.Listen("tcp", addr)
			if err == nil {
				return ln, ln.Addr().(*net.TCPAddr).Port, nil
			}
			if !errors.Is(err, syscall.EADDRINUSE) {
				return nil, 0, fmt.Errorf("listen on %s: %w", addr, err)
			}
			//lint:ignore ST1005 the Codex CLI's exact text
			lastErr = fmt.Errorf("Port %s is already in use", addr) //nolint:staticcheck // the Codex CLI's exact text
			if attempt == 0 {
				sendCancel(ctx, addr)
			}
			if attempt == o.BindRetries {
				break
			}
			t := time.NewTimer(o.BindInterval)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, 0, wrapCtx(ctx, o.Timeout)
			case <-t.C:
			}
		}
	}
	return nil, 0, lastErr
}

// sendCancel asks whatever holds addr to cancel its login (2 s bound).
func sendCancel(ctx context.Context, addr string) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/cancel", nil)
	if err != nil {
		return
	}
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Do(req)
	if err != nil {
		return
	}
	_ = resp.Body.Close()
}
