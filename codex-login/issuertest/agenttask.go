package issuertest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/nacl/box"
)

// AgentAuthAPIPath is where the server plays OpenAI's auth API for agent
// identities: point CODEX_AGENT_IDENTITY_AUTHAPI_BASE_URL at
// URL+AgentAuthAPIPath (0.169's production base is
// https://auth.openai.com/api/accounts).
const AgentAuthAPIPath = "/api/accounts"

// AssertionSkew is how far from the server's clock the timestamp of a
// registration or an AgentAssertion may be. OpenAI does not publish its
// window; a signed timestamp is only worth something with one, and five
// minutes is this stand-in's choice.
const AssertionSkew = 5 * time.Minute

// agentRuntime is what the backend knows of a runtime it issued.
type agentRuntime struct {
	pub       ed25519.PublicKey
	accountID string
	revoked   bool
}

func (s *Server) addAgent(pub ed25519.PublicKey, account string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("agent-runtime-%d", len(s.agents)+1)
	s.agents[id] = &agentRuntime{pub: pub, accountID: account}
	return id
}

// SetAgentTaskReply chooses how registrations answer: "" an
// encrypted_task_id (a sealed box to the runtime key), "plain" task_id,
// "camel" taskId.
func (s *Server) SetAgentTaskReply(mode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.taskReply = mode
}

// FailAgentTasks makes task registration answer status (0 registers again).
func (s *Server) FailAgentTasks(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.taskFail = status
}

// RevokeAgent makes the backend refuse runtimeID from now on: its
// registrations and the assertions of its tasks.
func (s *Server) RevokeAgent(runtimeID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.agents[runtimeID]; a != nil {
		a.revoked = true
	}
}

// AgentTasks returns the registered task ids.
func (s *Server) AgentTasks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.tasks {
		ids = append(ids, id)
	}
	return ids
}

func agentError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": "invalid_agent_identity"}})
}

// registerAgentTask is POST /api/accounts/v1/agent/{runtime}/task/register:
// a body {"timestamp","signature"} signed by the runtime key over
// runtime ":" timestamp, the timestamp within AssertionSkew.
func (s *Server) registerAgentTask(w http.ResponseWriter, r *http.Request) {
	runtimeID := r.PathValue("runtime")
	s.mu.Lock()
	s.stats.AgentTaskRegistrations++
	fail, reply, a := s.taskFail, s.taskReply, s.agents[runtimeID]
	s.mu.Unlock()
	if fail != 0 {
		agentError(w, fail, "task registration unavailable")
		return
	}
	if a == nil || a.revoked {
		agentError(w, http.StatusNotFound, "unknown agent runtime")
		return
	}
	var req struct {
		Timestamp *string `json:"timestamp"`
		Signature *string `json:"signature"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &req) != nil || req.Timestamp == nil || req.Signature == nil {
		agentError(w, http.StatusBadRequest, "a JSON body {timestamp, signature} is required")
		return
	}
	if err := checkSigned(a.pub, runtimeID+":"+*req.Timestamp, *req.Timestamp, *req.Signature, time.Now()); err != nil {
		agentError(w, http.StatusUnauthorized, err.Error())
		return
	}
	id := "task-" + randomID()
	s.mu.Lock()
	s.tasks[id] = runtimeID
	s.mu.Unlock()
	switch reply {
	case "plain":
		writeJSON(w, http.StatusOK, map[string]string{"task_id": id})
	case "camel":
		writeJSON(w, http.StatusOK, map[string]string{"taskId": id})
	default:
		ct, err := sealTo(a.pub, id)
		if err != nil {
			agentError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"encrypted_task_id": base64.StdEncoding.EncodeToString(ct)})
	}
}

// checkSigned checks a base64 Ed25519 signature of msg and that ts (RFC
// 3339, whole seconds, UTC) is within AssertionSkew of now.
func checkSigned(pub ed25519.PublicKey, msg, ts, sig string, now time.Time) error {
	t, err := time.Parse("2006-01-02T15:04:05Z", ts)
	if err != nil {
		return fmt.Errorf("timestamp %q is not RFC 3339 UTC seconds", ts)
	}
	if d := now.Sub(t); d > AssertionSkew || d < -AssertionSkew {
		return fmt.Errorf("timestamp %s is outside the accepted window", ts)
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != ed25519.SignatureSize || !ed25519.Verify(pub, []byte(msg), raw) {
		return errors.New("signature does not verify")
	}
	return nil
}

// VerifyAgentAssertion checks a request's AgentAssertion as the ChatGPT
// backend must: scheme, encoding, a known runtime that is not revoked, a
// task registered for it, the signature by the runtime key over
// runtime ":" task ":" timestamp, a fresh timestamp, and ChatGPT-Account-ID
// naming the runtime's account. The model server stand-in calls it.
func (s *Server) VerifyAgentAssertion(h http.Header, now time.Time) error {
	auth := h.Get("Authorization")
	raw, ok := strings.CutPrefix(auth, "AgentAssertion ")
	if !ok {
		return fmt.Errorf("authorization %q is not an AgentAssertion", clipHeader(auth))
	}
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return errors.New("assertion is not unpadded base64url")
	}
	var env map[string]string
	if err := json.Unmarshal(data, &env); err != nil || len(env) != 4 {
		return fmt.Errorf("assertion %s is not an object of four strings", data)
	}
	runtimeID, task, ts, sig := env["agent_runtime_id"], env["task_id"], env["timestamp"], env["signature"]
	s.mu.Lock()
	a, owner := s.agents[runtimeID], s.tasks[task]
	s.mu.Unlock()
	switch {
	case a == nil || a.revoked:
		return fmt.Errorf("agent runtime %q is not known", runtimeID)
	case owner != runtimeID:
		return fmt.Errorf("task %q is not registered for runtime %q", task, runtimeID)
	case h.Get("ChatGPT-Account-ID") != a.accountID:
		return fmt.Errorf("ChatGPT-Account-ID %q is not the runtime's account", h.Get("ChatGPT-Account-ID"))
	}
	return checkSigned(a.pub, runtimeID+":"+task+":"+ts, ts, sig, now)
}

func clipHeader(v string) string {
	if len(v) > 40 {
		return v[:40] + "…"
	}
	return v
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sealTo seals msg to the X25519 form of an Ed25519 public key, computed
// here from the key alone (the birational map u = (1+y)/(1-y) mod p), as a
// server that keeps only public keys would.
func sealTo(pub ed25519.PublicKey, msg string) ([]byte, error) {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	le := make([]byte, 32)
	for i := range le {
		le[i] = pub[31-i]
	}
	le[0] &= 0x7f
	y := new(big.Int).SetBytes(le)
	num := new(big.Int).Add(big.NewInt(1), y)
	den := new(big.Int).Sub(big.NewInt(1), y)
	den.Mod(den, p)
	if den.Sign() == 0 {
		return nil, errors.New("public key has no Montgomery form")
	}
	u := num.Mul(num, den.ModInverse(den, p))
	u.Mod(u, p)
	var x [32]byte
	ub := u.Bytes()
	for i, b := range ub {
		x[len(ub)-1-i] = b
	}
	return box.SealAnonymous(nil, []byte(msg), &x, rand.Reader)
}

// AgentRuntimes returns the runtime ids issued so far, in order.
func (s *Server) AgentRuntimes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.agents))
	for i := 1; i <= len(s.agents); i++ {
		ids = append(ids, fmt.Sprintf("agent-runtime-%d", i))
	}
	return ids
}
