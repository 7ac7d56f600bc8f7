package authfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Marshal encodes f as the Codex CLI writes it: keys in its order, 2-space
// indentation, no HTML escaping, no trailing newline.
func (f *File) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	add := func(key string, v any) error {
		raw, err := encode(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", key, err)
		}
		return addRaw(&buf, &n, key, raw)
	}
	mode := f.AuthMode
	if mode == "" {
		mode = f.Mode()
	}
	if err := add("auth_mode", mode); err != nil {
		return nil, err
	}
	// OPENAI_API_KEY is always present, null when there is no key.
	if err := add("OPENAI_API_KEY", f.APIKey); err != nil {
		return nil, err
	}
	if f.Tokens != nil {
		if err := add("tokens", f.Tokens); err != nil {
			return nil, err
		}
	}
	if !f.LastRefresh.IsZero() {
		if err := add("last_refresh", FormatTime(f.LastRefresh)); err != nil {
			return nil, err
		}
	}
	if f.AgentIdentity != "" {
		if err := add("agent_identity", f.AgentIdentity); err != nil {
			return nil, err
		}
	}
	if f.OIDC != nil {
		if err := add("oidc", f.OIDC); err != nil {
			return nil, err
		}
	}
	for _, x := range f.Extra {
		switch x.Key {
		case "auth_mode", "OPENAI_API_KEY", "tokens", "last_refresh", "oidc":
			continue
		case "agent_identity":
			if f.AgentIdentity != "" {
				continue
			}
		}
		if !json.Valid(x.Value) {
			return nil, fmt.Errorf("encode %s: invalid JSON value", x.Key)
		}
		if err := addRaw(&buf, &n, x.Key, x.Value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("encode auth.json: %w", err)
	}
	return out.Bytes(), nil
}

func addRaw(buf *bytes.Buffer, n *int, key string, raw []byte) error {
	k, err := encode(key)
	if err != nil {
		return err
	}
	if *n > 0 {
		buf.WriteByte(',')
	}
	*n++
	buf.Write(k)
	buf.WriteByte(':')
	buf.Write(bytes.TrimSpace(raw))
	return nil
}

func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// FormatTime renders t in UTC as RFC 3339 with 0, 3, 6 or 9 fractional
// digits, like chrono's SecondsFormat::AutoSi that the Codex CLI uses.
func FormatTime(t time.Time) string {
	t = t.UTC()
	ns := t.Nanosecond()
	switch {
	case ns == 0:
		return t.Format("2006-01-02T15:04:05Z")
	case ns%1_000_000 == 0:
		return t.Format("2006-01-02T15:04:05.000Z")
	case ns%1_000 == 0:
		return t.Format("2006-01-02T15:04:05.000000Z")
	default:
		return t.Format("2006-01-02T15:04:05.000000000Z")
	}
}
