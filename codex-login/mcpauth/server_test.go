package mcpauth

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

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
