package agentidentity

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrUntrustedKey is a kid the key set does not hold.
var ErrUntrustedKey = errors.New("kid is not trusted")

// verifyErr wraps why verification failed under 0.169's message.
func verifyErr(format string, a ...any) error {
	return fmt.Errorf("failed to verify agent identity JWT: "+format, a...)
}

// Verify checks token against set at now and returns its claims: the
// claims decode (Decode), the header names RS256, the signature verifies
// with the key its kid names (with no kid, with any key of the set), iss
// is Issuer, aud is Audience and exp is no more than Leeway in the past.
// nbf and iat are not checked (0.169 does not either).
func Verify(token string, set JWKS, now time.Time) (Claims, error) {
	c, err := Decode(token)
	if err != nil {
		return Claims{}, err
	}
	h, p, s, _ := split(token)
	hb, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return Claims{}, errors.New("failed to decode agent identity JWT header: not base64url")
	}
	var hdr struct {
		Alg *string `json:"alg"`
		Kid *string `json:"kid"`
	}
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return Claims{}, errors.New("failed to decode agent identity JWT header: not a JSON object")
	}
	if hdr.Alg == nil || *hdr.Alg != "RS256" {
		alg := "none"
		if hdr.Alg != nil {
			alg = *hdr.Alg
		}
		return Claims{}, verifyErr("signed with %s, want RS256", alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Claims{}, verifyErr("signature is not base64url")
	}
	keys := set.Keys
	if hdr.Kid != nil {
		keys = nil
		for _, k := range set.Keys {
			if k.ID == *hdr.Kid {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			return Claims{}, fmt.Errorf("agent identity JWT kid %s is not trusted: %w", *hdr.Kid, ErrUntrustedKey)
		}
	}
	sum := sha256.Sum256([]byte(h + "." + p))
	ok := false
	for _, k := range keys {
		if rsa.VerifyPKCS1v15(k.Pub, crypto.SHA256, sum[:], sig) == nil {
			ok = true
			break
		}
	}
	if !ok {
		return Claims{}, verifyErr("the signature does not match the published keys")
	}
	if c.Iss != Issuer {
		return Claims{}, verifyErr("issuer %q, want %q", c.Iss, Issuer)
	}
	if c.Aud != Audience {
		return Claims{}, verifyErr("audience %q, want %q", c.Aud, Audience)
	}
	if now.After(c.Expires().Add(Leeway)) {
		return Claims{}, verifyErr("expired at %s; get a new access token", c.Expires().UTC().Format(time.RFC3339))
	}
	return c, nil
}
