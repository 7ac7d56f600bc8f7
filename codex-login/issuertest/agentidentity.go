package issuertest

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"time"
)

// AgentKeyID is the kid of the key the issuer signs agent identity JWTs
// with and publishes in its JWKS.
const AgentKeyID = "agent-identity-key-1"

// The agent identity key set, where the ChatGPT backend serves it: under
// /wham for a chatgpt_base_url ending in /backend-api (0.169's default
// layout), directly under any other base (CODEX_AGENT_IDENTITY_JWKS_BASE_URL
// pointing at the server itself).
const (
	AgentJWKSPath        = "/agent-identities/jwks"
	AgentBackendJWKSPath = "/backend-api/wham/agent-identities/jwks"
)

// agentKey returns the RS256 key for agent identity JWTs, made on first
// use so that tests that never need it do not pay for RSA key generation.
func (s *Server) agentKey() (*rsa.PrivateKey, error) {
	s.agentOnce.Do(func() {
		s.agentRSA, s.agentErr = rsa.GenerateKey(rand.Reader, 2048)
	})
	return s.agentRSA, s.agentErr
}

// FailAgentJWKS makes the key set endpoints answer status (0 serves the
// keys again).
func (s *Server) FailAgentJWKS(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jwksStatus = status
}

func (s *Server) agentJWKS(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.stats.AgentJWKSRequests++
	status := s.jwksStatus
	s.mu.Unlock()
	if status != 0 {
		writeJSON(w, status, map[string]any{"detail": "unavailable"})
		return
	}
	k, err := s.agentKey()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"detail": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{RSAJWK(AgentKeyID, &k.PublicKey)}})
}

// RSAJWK is pub as an RFC 7517 JSON Web Key for RS256.
func RSAJWK(kid string, pub *rsa.PublicKey) map[string]string {
	enc := base64.RawURLEncoding
	return map[string]string{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": enc.EncodeToString(pub.N.Bytes()),
		"e": enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// AgentIdentityClaims returns the claims of a valid agent identity JWT for
// the server's account, expiring after ttl (negative: already expired), with
// a fresh Ed25519 runtime key as 0.169 expects (base64 PKCS#8).
//
// The runtime (agent-runtime-N, N counting from 1) is remembered with its
// public key, account and FedRAMP flag, as the backend that issued it
// would: the auth API stand-in registers tasks for it and
// VerifyAgentAssertion checks requests signed with it.
func (s *Server) AgentIdentityClaims(ttl time.Duration) (map[string]any, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	runtimeID := s.addAgent(pub, s.opts.AccountID)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return map[string]any{
		"iss": "https://chatgpt.com/codex-backend/agent-identity", "aud": "codex-app-server",
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
		"agent_runtime_id":           runtimeID,
		"agent_private_key":          base64.StdEncoding.EncodeToString(der),
		"account_id":                 s.opts.AccountID,
		"chatgpt_user_id":            "user-1",
		"email":                      s.opts.Email,
		"plan_type":                  s.opts.PlanType,
		"chatgpt_account_is_fedramp": false,
	}, nil
}

// SignAgentIdentity signs claims as the ChatGPT backend signs agent
// identity JWTs: RS256 with the published key, header
// {"alg":"RS256","typ":"JWT","kid":AgentKeyID}. A non-nil header replaces
// that header as given (to test other algorithms or a missing kid).
func (s *Server) SignAgentIdentity(claims map[string]any, header map[string]any) (string, error) {
	k, err := s.agentKey()
	if err != nil {
		return "", err
	}
	return SignRS256(k, claims, header)
}

// SignRS256 makes a compact JWS of claims with key; a nil header is
// {"alg":"RS256","typ":"JWT","kid":AgentKeyID}.
func SignRS256(key *rsa.PrivateKey, claims, header map[string]any) (string, error) {
	if header == nil {
		header = map[string]any{"alg": "RS256", "typ": "JWT", "kid": AgentKeyID}
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}
