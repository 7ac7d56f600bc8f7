package agentidentity

import (
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"time"
)

// AssertionScheme is the Authorization scheme of agent requests.
const AssertionScheme = "AgentAssertion"

// Assertion is the Authorization value for one request of a task:
// "AgentAssertion " + base64url (unpadded) of the compact JSON object
// {"agent_runtime_id","signature","task_id","timestamp"} (keys in this
// order), where signature is standard base64 of the Ed25519 signature of
// runtime_id ":" task_id ":" timestamp. Each request gets a fresh one.
func Assertion(key ed25519.PrivateKey, runtimeID, taskID string, now time.Time) string {
	ts := Timestamp(now)
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(runtimeID+":"+taskID+":"+ts)))
	b := []byte(`{"agent_runtime_id":`)
	b = appendJSONString(b, runtimeID)
	b = append(b, `,"signature":`...)
	b = appendJSONString(b, sig)
	b = append(b, `,"task_id":`...)
	b = appendJSONString(b, taskID)
	b = append(b, `,"timestamp":`...)
	b = appendJSONString(b, ts)
	b = append(b, '}')
	return AssertionScheme + " " + base64.RawURLEncoding.EncodeToString(b)
}

// appendJSONString appends s as a JSON string the way serde_json writes
// it: only '"', '\\' and control characters escaped (\b \t \n \f \r
// short, the rest \u00xx), everything else as it is (no HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Identity is a verified agent identity with a registered task: it signs
// the requests of one process.
type Identity struct {
	// Claims are the verified claims of the access token.
	Claims Claims
	// TaskID is the task registered for this process.
	TaskID string
	key    ed25519.PrivateKey
}

// NewIdentity is an identity for claims with a registered task.
func NewIdentity(c Claims, key ed25519.PrivateKey, taskID string) *Identity {
	return &Identity{Claims: c, TaskID: taskID, key: key}
}

// SetHeaders authorises a request as 0.169 does: Authorization with a
// fresh assertion, ChatGPT-Account-ID, and X-OpenAI-Fedramp: true for a
// FedRAMP account.
func (id *Identity) SetHeaders(h http.Header, now time.Time) {
	h.Set("Authorization", Assertion(id.key, id.Claims.AgentRuntimeID, id.TaskID, now))
	h.Set("ChatGPT-Account-ID", id.Claims.AccountID)
	if id.Claims.IsFedRAMP {
		h.Set("X-OpenAI-Fedramp", "true")
	}
}
