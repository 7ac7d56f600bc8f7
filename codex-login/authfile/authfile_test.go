package authfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Files as the Codex CLI writes them must survive parse + marshal byte for
// byte: that is what makes the two tools interchangeable.
func TestRoundTripCodexCLIFiles(t *testing.T) {
	for _, name := range []string{"cli-apikey.json", "cli-chatgpt.json", "extra-fields.json", "cli-agent-identity.json"} {
		t.Run(name, func(t *testing.T) {
			want := readTestdata(t, name)
			f, err := Parse(want)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := f.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("round trip differs\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestMarshalAPIKeyShape(t *testing.T) {
	key := "sk-test-1234567890ABCDEFGH"
	got, err := (&File{AuthMode: ModeAPIKey, APIKey: &key}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "cli-apikey.json"); !bytes.Equal(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestMarshalChatGPTKeepsNullKeyAndOrder(t *testing.T) {
	f := &File{
		AuthMode:    ModeChatGPT,
		Tokens:      &Tokens{IDToken: "i", AccessToken: "a", RefreshToken: "r"},
		LastRefresh: time.Date(2026, 11, 23, 19, 51, 54, 89947959, time.UTC),
	}
	got, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "auth_mode": "chatgpt",
  "OPENAI_API_KEY": null,
  "tokens": {
    "id_token": "i",
    "access_token": "a",
    "refresh_token": "r",
    "account_id": null
  },
  "last_refresh": "2026-11-23T19:51:54.089947959Z"
}`
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseLenient(t *testing.T) {
	tests := []struct {
		name, file  string
		mode        string
		account     string
		refresh     string
		lastRefresh time.Time
	}{
		{"python helper shape", "py-old.json", ModeChatGPT, "", "rt-old", time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"cli chatgpt", "cli-chatgpt.json", ModeChatGPT, "acct-1", "rt-old", time.Date(2026, 11, 23, 19, 51, 54, 89947959, time.UTC)},
		{"cli apikey", "cli-apikey.json", ModeAPIKey, "", "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(readTestdata(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := f.Mode(); got != tt.mode {
				t.Errorf("Mode() = %q, want %q", got, tt.mode)
			}
			if got := f.AccountID(); got != tt.account {
				t.Errorf("AccountID() = %q, want %q", got, tt.account)
			}
			if f.Tokens != nil && f.Tokens.RefreshToken != tt.refresh {
				t.Errorf("refresh token = %q, want %q", f.Tokens.RefreshToken, tt.refresh)
			}
			if !f.LastRefresh.Equal(tt.lastRefresh) {
				t.Errorf("LastRefresh = %v, want %v", f.LastRefresh, tt.lastRefresh)
			}
		})
	}
}

func TestModeWithoutAuthMode(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`{"OPENAI_API_KEY":"sk-abc"}`, ModeAPIKey},
		{`{"OPENAI_API_KEY":null,"tokens":{"access_token":"a","refresh_token":"r"}}`, ModeChatGPT},
		{`{"tokens":{"access_token":"a","refresh_token":"r"}}`, ModeChatGPT},
	}
	for _, tt := range tests {
		f, err := Parse([]byte(tt.in))
		if err != nil {
			t.Fatalf("Parse(%s): %v", tt.in, err)
		}
		if got := f.Mode(); got != tt.want {
			t.Errorf("Parse(%s).Mode() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseCorrupt(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", ``, "unexpected end of file"},
		{"truncated", "{\n  \"auth_mode\": \"chatgpt\",\n  \"tokens\": {", "unexpected end of file"},
		{"syntax", "{\n  \"auth_mode\": \"apikey\",\n  \"OPENAI_API_KEY\": sk-123\n}", "line 3, column 21"},
		{"array", `[1,2]`, "not a JSON object"},
		{"wrong type", `{"OPENAI_API_KEY": 42}`, "OPENAI_API_KEY: want a string or null, got 42"},
		{"tokens wrong type", `{"auth_mode":"chatgpt","tokens":{"access_token":5}}`, "tokens: access_token: want string, got number"},
		{"chatgpt without tokens", `{"auth_mode":"chatgpt","OPENAI_API_KEY":null}`, "tokens is missing"},
		{"apikey without key", `{"auth_mode":"apikey","OPENAI_API_KEY":null}`, "OPENAI_API_KEY is empty"},
		{"bad time", `{"OPENAI_API_KEY":"k","last_refresh":"yesterday"}`, "last_refresh"},
		{"duplicate", `{"OPENAI_API_KEY":"k","OPENAI_API_KEY":"j"}`, "duplicate key"},
		{"trailing", `{"OPENAI_API_KEY":"k"} {}`, "trailing data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSaveModesAndLoad(t *testing.T) {
	home := filepath.Join(t.TempDir(), "codex-home")
	key := "sk-abcdefghijklmnop"
	if err := Save(home, &File{AuthMode: ModeAPIKey, APIKey: &key}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{home, 0o700}, {Path(home), 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("mode of %s = %o, want %o", c.path, got, c.want)
		}
	}
	f, err := Load(home)
	if err != nil {
		t.Fatal(err)
	}
	if f.APIKey == nil || *f.APIKey != key {
		t.Errorf("loaded key = %v, want %q", f.APIKey, key)
	}
	// No temporary files are left behind.
	ents, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Errorf("CODEX_HOME holds %d entries, want only auth.json", len(ents))
	}
}

func TestLoadMissingAndCorrupt(t *testing.T) {
	home := t.TempDir()
	if _, err := Load(home); err != ErrNotLoggedIn {
		t.Errorf("Load(empty) = %v, want ErrNotLoggedIn", err)
	}
	if err := os.WriteFile(Path(home), []byte(`{"auth_mode":`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(home)
	if err == nil || !strings.Contains(err.Error(), Path(home)) {
		t.Errorf("Load(corrupt) = %v, want an error naming the file", err)
	}
}

func TestRemove(t *testing.T) {
	home := t.TempDir()
	if removed, err := Remove(home); removed || err != nil {
		t.Errorf("Remove(nothing) = %v, %v; want false, nil", removed, err)
	}
	key := "sk-abcdefghijklmnop"
	if err := Save(home, &File{AuthMode: ModeAPIKey, APIKey: &key}); err != nil {
		t.Fatal(err)
	}
	if removed, err := Remove(home); !removed || err != nil {
		t.Errorf("Remove = %v, %v; want true, nil", removed, err)
	}
}

func TestFormatTime(t *testing.T) {
	tests := []struct {
		ns   int
		want string
	}{
		{0, "2026-01-02T03:04:05Z"},
		{120_000_000, "2026-01-02T03:04:05.120Z"},
		{123_456_000, "2026-01-02T03:04:05.123456Z"},
		{123_456_789, "2026-01-02T03:04:05.123456789Z"},
	}
	for _, tt := range tests {
		got := FormatTime(time.Date(2026, 1, 2, 3, 4, 5, tt.ns, time.UTC))
		if got != tt.want {
			t.Errorf("FormatTime(ns=%d) = %s, want %s", tt.ns, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"cli-apikey.json", "cli-chatgpt.json", "py-old.json", "extra-fields.json", "cli-agent-identity.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"tokens":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		// What codex-login status reads of it (its tokens' claims) must
		// not fail whatever they hold.
		_ = file.Account()
		_ = file.Expiry()
		// Whatever parses must marshal, and the result must parse to the
		// same file again.
		out, err := file.Marshal()
		if err != nil {
			t.Fatalf("Marshal after Parse: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(x)): %v\n%s", err, out)
		}
		out2, err := again.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("marshal not stable: %v\n%s\n%s", err, out, out2)
		}
	})
}

func BenchmarkParseMarshal(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "cli-chatgpt.json"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		f, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

// What `codex login --with-access-token` writes must be byte for byte the
// file 0.169 writes (testdata/cli-agent-identity.json, written by 0.169).
func TestMarshalAgentIdentityAsCodex(t *testing.T) {
	want := readTestdata(t, "cli-agent-identity.json")
	f, err := Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	if f.Mode() != ModeAgentIdentity || f.AgentIdentity == "" || f.APIKey != nil || len(f.Extra) != 0 {
		t.Fatalf("parsed %+v, want an agentIdentity login with its JWT", f)
	}
	got, err := (&File{AuthMode: ModeAgentIdentity, AgentIdentity: f.AgentIdentity}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	for _, bad := range []string{
		`{"auth_mode":"agentIdentity","OPENAI_API_KEY":null}`,
		`{"auth_mode":"agentIdentity","OPENAI_API_KEY":null,"agent_identity":""}`,
		`{"auth_mode":"agentIdentity","OPENAI_API_KEY":null,"agent_identity":"\u"}`,
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%s) succeeded, want an error", bad)
		}
	}
}
