package agentidentity

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"strings"
)

// oidEd25519 is id-Ed25519 (RFC 8410).
var oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}

// pkcs8 is RFC 5958's OneAsymmetricKey: version 0 (RFC 5208, the private
// key alone) or 1 (with the public key, as ed25519-dalek writes it).
type pkcs8 struct {
	Version    int
	Algo       struct{ Algorithm asn1.ObjectIdentifier }
	PrivateKey []byte
	Attributes asn1.RawValue  `asn1:"optional,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,tag:1"`
}

// Errors of the runtime key, in 0.169's words.
var (
	errKeyBase64 = errors.New("stored agent identity private key is not valid base64")
	errKeyPKCS8  = errors.New("stored agent identity private key is not valid PKCS#8")
)

// ParseKey decodes the agent_private_key claim: standard base64 of an
// Ed25519 PKCS#8 key. A key that carries its public half must match it.
func ParseKey(b64 string) (ed25519.PrivateKey, error) {
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, errKeyBase64
	}
	var k pkcs8
	rest, err := asn1.Unmarshal(der, &k)
	if err != nil || len(rest) != 0 || (k.Version != 0 && k.Version != 1) || !k.Algo.Algorithm.Equal(oidEd25519) {
		return nil, errKeyPKCS8
	}
	var seed []byte
	if rest, err := asn1.Unmarshal(k.PrivateKey, &seed); err != nil || len(rest) != 0 || len(seed) != ed25519.SeedSize {
		return nil, errKeyPKCS8
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if len(k.PublicKey.Bytes) != 0 && string(k.PublicKey.Bytes) != string(priv.Public().(ed25519.PublicKey)) {
		return nil, errKeyPKCS8
	}
	return priv, nil
}

// boxKeys returns the X25519 key pair an Ed25519 key decrypts sealed
// boxes with: the scalar is the clamped first half of SHA-512(seed), the
// one Ed25519 signs with, so the public half is the Montgomery form of the
// Ed25519 public key and a server that knows only that can seal to it.
func boxKeys(priv ed25519.PrivateKey) (pub, sec *[32]byte, err error) {
	h := sha512.Sum512(priv.Seed())
	s := h[:32]
	s[0] &= 248
	s[31] &= 127
	s[31] |= 64
	k, err := ecdh.X25519().NewPrivateKey(s)
	if err != nil {
		return nil, nil, err
	}
	pub, sec = new([32]byte), new([32]byte)
	copy(pub[:], k.PublicKey().Bytes())
	copy(sec[:], s)
	return pub, sec, nil
}
