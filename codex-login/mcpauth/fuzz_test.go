package mcpauth

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseCallback: any query string the browser brings back is either
// refused (wrong state), an error, or a code; never a panic, and never a
// code without our state.
func FuzzParseCallback(f *testing.F) {
	f.Add("state=s&code=c")
	f.Add("state=s&error=access_denied&error_description=no")
	f.Add("state=x&code=c")
	f.Add("%zz&state=s")
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		res, ok := parseCallback(q, "s")
		if ok && q.Get("state") != "s" {
			t.Fatalf("accepted state %q", q.Get("state"))
		}
		if ok && res.err == nil && res.code == "" {
			t.Fatal("accepted a callback without a code")
		}
	})
}

// FuzzStoreRead: whatever .credentials.json holds, reading it returns
// entries or an error, never a panic.
func FuzzStoreRead(f *testing.F) {
	f.Add(`{"demo|0123456789abcdef":{"server_name":"demo","server_url":"http://127.0.0.1/mcp","client_id":"c","access_token":"a","expires_at":1,"scopes":[]}}`)
	f.Add(`{"k":{"expires_at":"x"}}`)
	f.Add(``)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, data string) {
		home := t.TempDir()
		if err := os.WriteFile(filepath.Join(home, FileName), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := Store{Home: home}.read()
		if err == nil && m == nil {
			t.Fatal("nil map without an error")
		}
	})
}
