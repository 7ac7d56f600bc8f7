package agentidentity

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"
)

const fuzzToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJhY2NvdW50X2lkIjoiYWNjdF8xIiwiYWdlbnRfcHJpdmF0ZV9rZXkiOiJjSEpwZGc9PSIsImFnZW50X3J1bnRpbWVfaWQiOiJhcl8xMjMiLCJhdWQiOiJjb2RleC1hcHAtc2VydmVyIiwiY2hhdGdwdF9hY2NvdW50X2lzX2ZlZHJhbXAiOmZhbHNlLCJjaGF0Z3B0X3VzZXJfaWQiOiJ1c2VyXzEiLCJlbWFpbCI6ImFAZXhhbXBsZS5jb20iLCJleHAiOjE3OTY1ODUxMDAsImlhdCI6MTc5NjU4MTUwMCwiaXNzIjoiaHR0cHM6Ly9jaGF0Z3B0LmNvbS9jb2RleC1iYWNrZW5kL2FnZW50LWlkZW50aXR5IiwicGxhbl90eXBlIjoicHJvIn0.c2ln"

// FuzzVerify feeds outside tokens (stdin, auth.json) through the decoder
// and verifier: never a panic, and nothing verifies against an empty set.
func FuzzVerify(f *testing.F) {
	f.Add(fuzzToken)
	f.Add("a.b.c")
	f.Add("..")
	f.Add("e30.e30.e30")
	f.Fuzz(func(t *testing.T, token string) {
		_, _ = Decode(token)
		if _, err := Verify(token, JWKS{}, time.Unix(0, 0)); err == nil {
			t.Fatalf("Verify accepted %q with no keys", token)
		}
	})
}

// FuzzParseJWKS feeds the key set answer of the configured server.
func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ParseJWKS(data)
		if err != nil {
			return
		}
		for _, k := range set.Keys {
			if k.Pub == nil || k.Pub.N.BitLen() < minRSABits {
				t.Fatalf("unusable key kept: %+v", k)
			}
		}
	})
}

// FuzzTaskID feeds the auth API's registration reply through its reader.
func FuzzTaskID(f *testing.F) {
	for _, s := range []string{`{"task_id":"t"}`, `{"taskId":null,"encrypted_task_id":"AAAA"}`, `{"encryptedTaskId":"!!"}`, `{}`, `[]`, `{"task_id":1}`} {
		f.Add([]byte(s))
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := taskID(data, priv)
		if err != nil && id != "" {
			t.Fatalf("an id %q with error %v", id, err)
		}
	})
}
