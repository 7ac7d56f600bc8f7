package issuertest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// signer makes ES256 JWTs and publishes the key as a JWKS.
type signer struct {
	key *ecdsa.PrivateKey
	kid string
}

func (s *signer) sign(claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": s.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signing))
	r, sv, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	sig := append(pad32(r), pad32(sv)...)
	return signing + "." + enc.EncodeToString(sig), nil
}

func pad32(n *big.Int) []byte {
	b := make([]byte, 32)
	return n.FillBytes(b)
}

func (s *signer) jwks() map[string]any {
	enc := base64.RawURLEncoding
	pub := s.key.PublicKey
	// The ecdh form gives the uncompressed point 0x04||X||Y.
	ek, err := pub.ECDH()
	var x, y string
	if err == nil {
		b := ek.Bytes()
		x, y = enc.EncodeToString(b[1:33]), enc.EncodeToString(b[33:65])
	}
	return map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": s.kid, "x": x, "y": y,
	}}}
}
