// Package agentidentity reads and verifies the Codex "agent identity" JWT
// that `codex login --with-access-token` takes on stdin (0.169's
// CODEX_ACCESS_TOKEN), as the Codex CLI 0.169 does: the claims are decoded
// strictly, then the RS256 signature is checked against the JSON Web Key
// Set the ChatGPT backend publishes, with a fixed issuer and audience and
// a 60 s leeway on exp.
package agentidentity

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The issuer and audience every agent identity JWT must carry (0.169 checks
// both; they do not depend on the configured ChatGPT base URL).
const (
	Issuer   = "https://chatgpt.com/codex-backend/agent-identity"
	Audience = "codex-app-server"
)

// Leeway is how long after exp a token is still accepted (0.169's JWT
// library default).
const Leeway = 60 * time.Second

// maxTokenLen bounds what is decoded; real tokens are a few KiB.
const maxTokenLen = 64 << 10

// Claims are the claims of an agent identity JWT. Every one is required
// except Email, with the JSON type 0.169 requires.
type Claims struct {
	Iss            string `json:"iss"`
	Aud            string `json:"aud"`
	Iat            int64  `json:"iat"`
	Exp            int64  `json:"exp"`
	AgentRuntimeID string `json:"agent_runtime_id"`
	// AgentPrivateKey is the runtime's Ed25519 key, base64 PKCS#8.
	AgentPrivateKey string `json:"agent_private_key"`
	AccountID       string `json:"account_id"`
	ChatGPTUserID   string `json:"chatgpt_user_id"`
	Email           string `json:"email"`
	PlanType        string `json:"plan_type"`
	IsFedRAMP       bool   `json:"chatgpt_account_is_fedramp"`
}

// Expires is exp as a time.
func (c Claims) Expires() time.Time { return time.Unix(c.Exp, 0) }

// ErrFormat is a token that is not three non-empty dot-separated parts.
var ErrFormat = errors.New("invalid agent identity JWT format")

// split returns the three parts of a compact JWS.
func split(token string) (header, payload, sig string, err error) {
	if len(token) > maxTokenLen {
		return "", "", "", ErrFormat
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", ErrFormat
	}
	return parts[0], parts[1], parts[2], nil
}

// Decode reads the claims of token without checking its signature (the
// first step of 0.169's login, before the key set is fetched). Missing
// claims and claims of the wrong JSON type are errors.
func Decode(token string) (Claims, error) {
	_, p, _, err := split(token)
	if err != nil {
		return Claims{}, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return Claims{}, errors.New("agent identity JWT payload is not valid base64url")
	}
	return parseClaims(raw)
}

// required lists the claims that must be present (email may be missing).
var required = []string{"iss", "aud", "iat", "exp", "agent_runtime_id", "agent_private_key",
	"account_id", "chatgpt_user_id", "plan_type", "chatgpt_account_is_fedramp"}

func parseClaims(raw []byte) (Claims, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return Claims{}, errors.New("agent identity JWT payload is not a JSON object")
	}
	for _, k := range required {
		if _, ok := fields[k]; !ok {
			return Claims{}, fmt.Errorf("agent identity JWT has no %s claim", k)
		}
	}
	var c Claims
	for k, v := range fields {
		if err := c.set(k, v); err != nil {
			return Claims{}, fmt.Errorf("agent identity JWT claim %s: %w", k, err)
		}
	}
	return c, nil
}

func (c *Claims) set(k string, v json.RawMessage) error {
	var s *string
	switch k {
	case "iss":
		s = &c.Iss
	case "aud":
		s = &c.Aud
	case "agent_runtime_id":
		s = &c.AgentRuntimeID
	case "agent_private_key":
		s = &c.AgentPrivateKey
	case "account_id":
		s = &c.AccountID
	case "chatgpt_user_id":
		s = &c.ChatGPTUserID
	case "email":
		s = &c.Email
	case "plan_type":
		s = &c.PlanType
	case "iat":
		return seconds(v, &c.Iat)
	case "exp":
		return seconds(v, &c.Exp)
	case "chatgpt_account_is_fedramp":
		if string(v) != "true" && string(v) != "false" {
			return fmt.Errorf("want true or false, got %s", clip(v))
		}
		c.IsFedRAMP = string(v) == "true"
		return nil
	default:
		return nil // other claims are allowed and ignored
	}
	if len(v) == 0 || v[0] != '"' {
		return fmt.Errorf("want a string, got %s", clip(v))
	}
	return json.Unmarshal(v, s)
}

// seconds reads a non-negative integer number of seconds (0.169 reads exp
// and iat as unsigned integers: 1.5 and -1 are refused).
func seconds(v json.RawMessage, dst *int64) error {
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return fmt.Errorf("want whole seconds, got %s", clip(v))
	}
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var n json.Number
	if err := d.Decode(&n); err != nil {
		return fmt.Errorf("want whole seconds, got %s", clip(v))
	}
	i, err := n.Int64()
	if err != nil || i < 0 {
		return fmt.Errorf("want whole seconds, got %s", clip(v))
	}
	*dst = i
	return nil
}

func clip(v json.RawMessage) string {
	if len(v) > 40 {
		return string(v[:40]) + "…"
	}
	return string(v)
}
