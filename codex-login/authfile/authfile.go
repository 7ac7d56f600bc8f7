// Package authfile reads and writes $CODEX_HOME/auth.json in exactly the
// shape the Codex CLI uses, so a file written by either works with the other.
//
// Writing: keys in the CLI's order (auth_mode, OPENAI_API_KEY, tokens,
// last_refresh), OPENAI_API_KEY always present, 2-space pretty printing,
// mode 0600 in a 0700 directory, atomically. Reading is lenient (older
// shapes without auth_mode, missing account_id, unknown fields kept), but a
// corrupt file is an error that says what is wrong; it is never replaced
// behind the user's back.
package authfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/codexgo/common/atomicfile"
	"github.com/codexgo/common/codexhome"
)

// Name is the credentials file inside CODEX_HOME.
const Name = "auth.json"

// Auth modes as stored in auth_mode.
const (
	ModeAPIKey  = "apikey"
	ModeChatGPT = "chatgpt"
	// ModeAgentIdentity is `codex login --with-access-token`: the verified
	// agent identity JWT is kept in agent_identity.
	ModeAgentIdentity = "agentIdentity"
)

// ErrNotLoggedIn is returned by Load when there is no auth.json.
var ErrNotLoggedIn = errors.New("not logged in")

// File is the content of auth.json.
type File struct {
	// AuthMode is the stored auth_mode, "" when the file predates it; use
	// Mode for the effective mode.
	AuthMode string
	// APIKey is OPENAI_API_KEY: nil is JSON null.
	APIKey *string
	// Tokens holds the ChatGPT/OIDC tokens; nil for API-key logins.
	Tokens *Tokens
	// LastRefresh is when the tokens were last obtained; zero if unknown.
	LastRefresh time.Time
	// OIDC describes a non-OpenAI issuer the tokens came from; nil for
	// OpenAI's issuer, in which case the file is byte-compatible with the
	// Codex CLI. Stored under the "oidc" key.
	OIDC *OIDC
	// AgentIdentity is the agent identity JWT of an access-token login
	// (agent_identity); "" for other modes.
	AgentIdentity string
	// Extra keeps top-level fields this package does not know (e.g. the
	// CLI's personal_access_token), in file order, so a rewrite preserves them.
	Extra []Field
}

// Tokens is the "tokens" object.
type Tokens struct {
	IDToken      string  `json:"id_token"`
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	AccountID    *string `json:"account_id"`
}

// OIDC records where tokens from a generic OpenID Connect issuer are
// refreshed and revoked, and the access token expiry when the token itself
// is opaque.
type OIDC struct {
	Issuer             string    `json:"issuer"`
	ClientID           string    `json:"client_id"`
	TokenEndpoint      string    `json:"token_endpoint"`
	RevocationEndpoint string    `json:"revocation_endpoint,omitempty"`
	ExpiresAt          time.Time `json:"expires_at,omitzero"`
}

// Field is one preserved top-level key and its raw JSON value.
type Field struct {
	Key   string
	Value json.RawMessage
}

// Mode is the effective auth mode: auth_mode when present, otherwise API
// key when OPENAI_API_KEY is non-null, otherwise chatgpt (the CLI's rule).
func (f *File) Mode() string {
	if f.AuthMode != "" {
		return f.AuthMode
	}
	if f.APIKey != nil {
		return ModeAPIKey
	}
	return ModeChatGPT
}

// AccountID returns tokens.account_id or "".
func (f *File) AccountID() string {
	if f.Tokens == nil || f.Tokens.AccountID == nil {
		return ""
	}
	return *f.Tokens.AccountID
}

// Path returns the auth.json path inside home.
func Path(home string) string { return filepath.Join(home, Name) }

// Load reads home/auth.json. A missing file is ErrNotLoggedIn.
func Load(home string) (*File, error) {
	path := Path(home)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotLoggedIn
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Save writes f to home/auth.json (mode 0600, directory 0700, atomically).
func Save(home string, f *File) error {
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	if err := codexhome.Ensure(home); err != nil {
		return err
	}
	return atomicfile.WriteFile(Path(home), data, 0o600)
}

// Remove deletes home/auth.json; removed is false when there was none.
func Remove(home string) (removed bool, err error) {
	err = os.Remove(Path(home))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("remove credentials: %w", err)
	}
	return true, nil
}

// Parse decodes auth.json content and checks it is usable.
func Parse(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxErr(data, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	f := &File{}
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, syntaxErr(data, err)
		}
		key, _ := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxErr(data, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if err := f.setField(key, raw); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxErr(data, err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data after the JSON object")
	}
	return f, f.validate()
}

func (f *File) setField(key string, raw json.RawMessage) error {
	isNull := string(raw) == "null"
	switch key {
	case "auth_mode":
		if isNull {
			return nil
		}
		if err := json.Unmarshal(raw, &f.AuthMode); err != nil {
			return fmt.Errorf("auth_mode: want a string, got %s", clip(raw))
		}
	case "OPENAI_API_KEY":
		if isNull {
			return nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("OPENAI_API_KEY: want a string or null, got %s", clip(raw))
		}
		f.APIKey = &s
	case "tokens":
		if isNull {
			return nil
		}
		var t Tokens
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("tokens: %w", fieldErr(err))
		}
		f.Tokens = &t
	case "last_refresh":
		if isNull {
			return nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("last_refresh: want an RFC 3339 string, got %s", clip(raw))
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("last_refresh: %q is not an RFC 3339 time", s)
		}
		f.LastRefresh = t
	case "agent_identity":
		if isNull {
			return nil
		}
		if len(raw) == 0 || raw[0] != '"' {
			// 0.169 also reads an older record object here; keep it as is.
			f.Extra = append(f.Extra, Field{Key: key, Value: append(json.RawMessage(nil), raw...)})
			return nil
		}
		if err := json.Unmarshal(raw, &f.AgentIdentity); err != nil {
			return fmt.Errorf("agent_identity: %w", err)
		}
	case "oidc":
		if isNull {
			return nil
		}
		var o OIDC
		if err := json.Unmarshal(raw, &o); err != nil {
			return fmt.Errorf("oidc: %w", fieldErr(err))
		}
		f.OIDC = &o
	default:
		f.Extra = append(f.Extra, Field{Key: key, Value: append(json.RawMessage(nil), raw...)})
	}
	return nil
}

func (f *File) validate() error {
	switch f.Mode() {
	case ModeAPIKey:
		if f.APIKey == nil || *f.APIKey == "" {
			return errors.New("auth_mode is apikey but OPENAI_API_KEY is empty")
		}
	case ModeChatGPT:
		if f.Tokens == nil {
			return errors.New("auth_mode is chatgpt but tokens is missing")
		}
		if f.Tokens.AccessToken == "" && f.Tokens.RefreshToken == "" {
			return errors.New("tokens has neither access_token nor refresh_token")
		}
	case ModeAgentIdentity:
		if f.AgentIdentity == "" && !f.hasExtra("agent_identity") {
			return errors.New("auth_mode is agentIdentity but agent_identity is empty")
		}
	}
	// Other modes (in-memory tokens, personal access tokens) are the CLI's own; they
	// are kept as they are and reported by the caller as unsupported.
	return nil
}

func (f *File) hasExtra(key string) bool {
	for _, x := range f.Extra {
		if x.Key == key {
			return true
		}
	}
	return false
}

// syntaxErr turns a decoder error into one that names the line and column.
func syntaxErr(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// The streaming decoder's offsets are relative; a whole-document
		// pass gives the absolute position.
		var v any
		if uerr := json.Unmarshal(data, &v); uerr != nil {
			var whole *json.SyntaxError
			if errors.As(uerr, &whole) {
				se = whole
			}
		}
		// Offset counts the offending byte; report the byte itself.
		line, col := position(data, max(se.Offset-1, 0))
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: unexpected end of file")
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func fieldErr(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: want %s, got %s", te.Field, te.Type, te.Value)
	}
	return err
}

func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func clip(raw json.RawMessage) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

// SetAside renames an unreadable auth.json to auth.json.corrupt-<UTC time>
// before a new login replaces it, so its content is never lost silently.
// It returns the new path.
func SetAside(home string, now time.Time) (string, error) {
	dst := Path(home) + ".corrupt-" + now.UTC().Format("20060102T150405.000000000Z")
	if err := os.Rename(Path(home), dst); err != nil {
		return "", fmt.Errorf("set aside unreadable credentials: %w", err)
	}
	return dst, nil
}

// PrepareReplace is called before a login writes new credentials: it
// returns the current file (nil if none or unreadable) and, when the file
// was unreadable, sets it aside and returns where it went.
func PrepareReplace(home string, now time.Time) (old *File, setAside string, err error) {
	old, err = Load(home)
	if err == nil || errors.Is(err, ErrNotLoggedIn) {
		return old, "", nil
	}
	setAside, err = SetAside(home, now)
	return nil, setAside, err
}
