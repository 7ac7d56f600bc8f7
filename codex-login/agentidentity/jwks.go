package agentidentity

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// DefaultChatGPTBaseURL is 0.169's chatgpt_base_url default.
const DefaultChatGPTBaseURL = "https://chatgpt.com/backend-api/"

// BaseURLEnv overrides where the key set is fetched from (0.169's name);
// see JWKSBaseURL.
const BaseURLEnv = "CODEX_AGENT_IDENTITY_JWKS_BASE_URL"

// FetchTimeout bounds the key set request, as in 0.169.
const FetchTimeout = 10 * time.Second

// maxJWKSLen bounds the key set body.
const maxJWKSLen = 1 << 20

// RSA key sizes 0.169's verifier accepts for RS256.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// JWKSURL is where the key set lives under base, as 0.169 spells it: the
// ChatGPT backend API serves it under /wham, anything else directly.
func JWKSURL(base string) string {
	base = strings.TrimRight(base, "/")
	if strings.Contains(base, "/backend-api") {
		return base + "/wham/agent-identities/jwks"
	}
	return base + "/agent-identities/jwks"
}

// Key is one RSA verification key of the set.
type Key struct {
	ID  string
	Pub *rsa.PublicKey
}

// JWKS is the verification keys of a key set. Keys 0.169 cannot use for
// RS256 (other key types, RSA keys outside 2048..8192 bits) are left out.
type JWKS struct {
	Keys []Key
}

// ParseJWKS decodes a JSON Web Key Set (RFC 7517).
func ParseJWKS(data []byte) (JWKS, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return JWKS{}, fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	if doc.Keys == nil {
		return JWKS{}, errors.New("not a JSON Web Key Set: no keys array")
	}
	var set JWKS
	for _, raw := range doc.Keys {
		var k struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			N   string `json:"n"`
			E   string `json:"e"`
		}
		if err := json.Unmarshal(raw, &k); err != nil {
			return JWKS{}, fmt.Errorf("not a JSON Web Key Set: %w", err)
		}
		if k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return JWKS{}, fmt.Errorf("key %q: n and e must be base64url big-endian integers", k.Kid)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if bits := pub.N.BitLen(); bits < minRSABits || bits > maxRSABits || pub.E < 3 || pub.E%2 == 0 {
			continue
		}
		set.Keys = append(set.Keys, Key{ID: k.Kid, Pub: pub})
	}
	return set, nil
}

// FetchJWKS gets and parses the key set at url (GET, FetchTimeout). A nil
// client is http.DefaultClient.
func FetchJWKS(ctx context.Context, client *http.Client, url string) (JWKS, error) {
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return JWKS{}, fmt.Errorf("failed to request agent identity JWKS: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return JWKS{}, fmt.Errorf("failed to request agent identity JWKS: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		return JWKS{}, fmt.Errorf("agent identity JWKS endpoint returned an error: %s from %s", resp.Status, url)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSLen+1))
	if err != nil {
		return JWKS{}, fmt.Errorf("failed to request agent identity JWKS: %w", err)
	}
	if len(data) > maxJWKSLen {
		return JWKS{}, fmt.Errorf("failed to decode agent identity JWKS from %s: larger than %d bytes", url, maxJWKSLen)
	}
	set, err := ParseJWKS(data)
	if err != nil {
		return JWKS{}, fmt.Errorf("failed to decode agent identity JWKS from %s: %w", url, err)
	}
	return set, nil
}
