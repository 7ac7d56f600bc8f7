package agentidentity

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/nacl/box"
)

// TestEnvironment is chatgpt_base_url classified as 0.169 classified the
// same URLs (each row was run through its `login status`, see the commit).
func TestEnvironment(t *testing.T) {
	prod, staging := ProductionAuthAPIBaseURL, StagingAuthAPIBaseURL
	for in, want := range map[string]string{
		"https://chatgpt.com": prod, "https://chatgpt.com/": prod, "https://chatgpt.com/backend-api": prod,
		"https://chatgpt.com/backend-api/": prod, "https://chatgpt.com/codex": prod, "https://chatgpt.com/backend-api/codex": prod,
		"https://chat.openai.com": prod, "https://chat.openai.com/codex": prod, "https://chat.openai.com/backend-api/": prod,
		"https://CHATGPT.com/backend-api": prod, "https://chatgpt.com:443/backend-api": prod, "https://chatgpt.com/backend-api//": prod,
		" https://chatgpt.com/backend-api": prod, "https://www.chatgpt.com": prod, "https://foo.chatgpt.com": prod,
		"https://a.b.chatgpt.com": prod, "https://chatgpt.com/backend-api/codex/": prod, "https://chatgpt.com/backend-api/./codex": prod,
		"https://chatgpt-staging.com": staging, "https://chatgpt-staging.com/backend-api/codex": staging,
		"https://www.chatgpt-staging.com": staging, "https://foo.chatgpt-staging.com": staging, "https://chatgpt-staging.com/": staging,
		"https://chatgpt.com/api/codex": "", "http://chatgpt.com/backend-api": "", "https://openai-staging.com/backend-api": "",
		"https://chatgpt.com/backend-api/wham": "", "https://chatgpt.com:8443/backend-api": "", "https://user@chatgpt.com/backend-api": "",
		"https://chatgpt.com/backend-api?x=1": "", "https://chatgpt.com/backend-api#f": "", "https://chatgpt.com/BACKEND-API": "",
		"https://chatgpt.com.": "", "https://chatgpt.com/codex/backend-api": "", "https://www.chat.openai.com": "",
		"https://foo.chat.openai.com": "", "https://xchatgpt.com": "", "https://openai.com": "", "https://foo.openai.com/backend-api": "",
		"https://chatgpt.com/%62ackend-api": "", "http://127.0.0.1:8080/backend-api": "",
	} {
		if got := environment(in); got != want {
			t.Errorf("environment(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEndpoints: where the key set and the auth API are, with and without
// the two overrides, as 0.169 chose them.
func TestEndpoints(t *testing.T) {
	const local = "http://127.0.0.1:9/backend-api"
	tests := []struct {
		name, chatgpt, jwksEnv, authEnv string
		jwks, auth                      string // "!" is ErrEnvironment
	}{
		{name: "defaults", jwks: DefaultChatGPTBaseURL, auth: ProductionAuthAPIBaseURL},
		{name: "staging", chatgpt: "https://chatgpt-staging.com/backend-api", jwks: "https://chatgpt-staging.com/backend-api", auth: StagingAuthAPIBaseURL},
		{name: "both overrides, OpenAI backend", jwksEnv: "http://k/", authEnv: " http://a/api/accounts/ ", jwks: "http://k", auth: "http://a/api/accounts"},
		{name: "local backend alone", chatgpt: local, jwks: local, auth: "!"},
		{name: "local backend, auth API override alone", chatgpt: local, authEnv: "http://a", jwks: local, auth: "!"},
		{name: "local backend, key set override alone", chatgpt: local, jwksEnv: local, jwks: local, auth: "!"},
		{name: "local backend named by both", chatgpt: local + "/", jwksEnv: " " + local + "/ ", authEnv: "http://a", jwks: local, auth: "http://a"},
		{name: "local backend, key set elsewhere", chatgpt: local, jwksEnv: "http://k", authEnv: "http://a", jwks: "!", auth: "!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				return map[string]string{BaseURLEnv: tt.jwksEnv, AuthAPIBaseURLEnv: tt.authEnv}[k]
			}
			for _, c := range []struct {
				f    func(func(string) string, string) (string, error)
				want string
			}{{JWKSBaseURL, tt.jwks}, {AuthAPIBaseURL, tt.auth}} {
				got, err := c.f(getenv, tt.chatgpt)
				if c.want == "!" {
					if err != ErrEnvironment {
						t.Errorf("got %q %v, want ErrEnvironment", got, err)
					}
				} else if err != nil || got != c.want {
					t.Errorf("got %q %v, want %q", got, err, c.want)
				}
			}
		})
	}
}

func testKey(t testing.TB) (ed25519.PrivateKey, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return priv, base64.StdEncoding.EncodeToString(der)
}

// TestParseKey: PKCS#8 v1 (Go, OpenSSL) and v2 with the public key
// (ed25519-dalek) are read; anything else is refused in 0.169's words.
func TestParseKey(t *testing.T) {
	priv, b64 := testKey(t)
	if got, err := ParseKey(b64); err != nil || !got.Equal(priv) {
		t.Fatalf("v1: %v", err)
	}
	// RFC 8410's v2 example layout: version 1, the seed, [1] the public key.
	seed, pub := priv.Seed(), priv.Public().(ed25519.PublicKey)
	v2 := append([]byte{0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20}, seed...)
	v2 = append(append(v2, 0x81, 0x21, 0x00), pub...)
	if got, err := ParseKey(base64.StdEncoding.EncodeToString(v2)); err != nil || !got.Equal(priv) {
		t.Fatalf("v2: %v", err)
	}
	other, _ := testKey(t)
	bad := append(append([]byte(nil), v2[:len(v2)-32]...), other.Public().(ed25519.PublicKey)...)
	for in, want := range map[string]string{
		"!!": "not valid base64", base64.StdEncoding.EncodeToString([]byte("junk")): "not valid PKCS#8",
		base64.StdEncoding.EncodeToString(bad): "not valid PKCS#8",
	} {
		if _, err := ParseKey(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKey(%q) = %v, want %q", in, err, want)
		}
	}
}

// TestAssertion decodes an assertion as a server would and checks every
// part: the scheme, unpadded base64url, the four keys in order, the
// signature over runtime:task:timestamp by the runtime key.
func TestAssertion(t *testing.T) {
	priv, _ := testKey(t)
	now := time.Date(2026, 12, 6, 19, 8, 53, 999, time.FixedZone("x", 3600))
	h := Assertion(priv, "agent-runtime-1", "task-<&>\"\n", now)
	raw, ok := strings.CutPrefix(h, "AgentAssertion ")
	if !ok || strings.ContainsAny(raw, "=+/") {
		t.Fatalf("header %q", h)
	}
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(env["signature"])
	want := `{"agent_runtime_id":"agent-runtime-1","signature":"` + env["signature"] + `","task_id":"task-<&>\"\n","timestamp":"2026-12-06T18:08:53Z"}`
	if string(data) != want {
		t.Errorf("assertion JSON\n%s\nwant\n%s", data, want)
	}
	if !ed25519.Verify(priv.Public().(ed25519.PublicKey), []byte("agent-runtime-1:task-<&>\"\n:2026-12-06T18:08:53Z"), sig) {
		t.Error("signature does not verify")
	}
	id := NewIdentity(Claims{AgentRuntimeID: "agent-runtime-1", AccountID: "acct-1", IsFedRAMP: true}, priv, "t1")
	hd := http.Header{}
	id.SetHeaders(hd, now)
	if hd.Get("ChatGPT-Account-ID") != "acct-1" || hd.Get("X-OpenAI-Fedramp") != "true" || !strings.HasPrefix(hd.Get("Authorization"), "AgentAssertion ") {
		t.Errorf("headers %v", hd)
	}
	id.Claims.IsFedRAMP = false
	hd = http.Header{}
	id.SetHeaders(hd, now)
	if _, ok := hd["X-Openai-Fedramp"]; ok {
		t.Errorf("fedramp header without a FedRAMP account: %v", hd)
	}
}

func TestAppendJSONString(t *testing.T) {
	// serde_json's output for the same strings.
	for in, want := range map[string]string{
		"a<b>&c": `"a<b>&c"`, "\u2028é": "\"\u2028é\"", "q\"b\\": `"q\"b\\"`,
		"\b\t\n\f\r\x01\x1f": `"\b\t\n\f\r\u0001\u001f"`,
	} {
		if got := string(appendJSONString(nil, in)); got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

// sealFor seals msg to priv's X25519 form as a server holding the key
// would (here from the private scalar; issuertest does it from the public
// key alone).
func sealFor(t *testing.T, priv ed25519.PrivateKey, msg string) string {
	pub, _, err := boxKeys(priv)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := box.SealAnonymous(nil, []byte(msg), pub, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}

// TestRegisterTask runs registration against a server that checks the
// request and answers each way 0.169 reads (and each way it refuses).
func TestRegisterTask(t *testing.T) {
	priv, _ := testKey(t)
	other, _ := testKey(t)
	now := func() time.Time { return time.Date(2026, 12, 6, 19, 8, 40, 0, time.UTC) }
	tests := []struct {
		name, reply string
		status      int
		calls       int32
		want, err   string
	}{
		{name: "task_id", reply: `{"task_id":"t-1"}`, calls: 1, want: "t-1"},
		{name: "taskId", reply: `{"taskId":"t-2"}`, calls: 1, want: "t-2"},
		{name: "encrypted", reply: `{"encrypted_task_id":"` + sealFor(t, priv, "t-3") + `"}`, calls: 1, want: "t-3"},
		{name: "encryptedTaskId", reply: `{"encryptedTaskId":"` + sealFor(t, priv, "t-4") + `"}`, calls: 1, want: "t-4"},
		{name: "plain wins", reply: `{"encrypted_task_id":"` + sealFor(t, priv, "t-5") + `","task_id":"t-6"}`, calls: 1, want: "t-6"},
		{name: "sealed to another key", reply: `{"encrypted_task_id":"` + sealFor(t, other, "t") + `"}`, calls: 1, err: "failed to decrypt encrypted task id"},
		{name: "not base64", reply: `{"encrypted_task_id":"!!"}`, calls: 1, err: "encrypted task id is not valid base64"},
		{name: "no id", reply: `{}`, calls: 1, err: "agent task registration response omitted task id"},
		{name: "not JSON", reply: `hello`, calls: 1, err: "failed to decode agent task registration response"},
		{name: "400", status: 400, reply: `{"error":"nope"}`, calls: 1, err: `agent task registration failed with status 400 Bad Request: {"error":"nope"}`},
		{name: "429 retried", status: 429, reply: `x`, calls: 3, err: "retryable agent identity registration failure: agent task registration failed with status 429 Too Many Requests: x"},
		{name: "503 retried", status: 503, reply: strings.Repeat("é", 600), calls: 3, err: "status 503 Service Unavailable: " + strings.Repeat("é", 512) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				var body struct{ Timestamp, Signature string }
				b, _ := io.ReadAll(r.Body)
				if json.Unmarshal(b, &body) != nil || string(b) != `{"timestamp":"2026-12-06T19:08:40Z","signature":"`+body.Signature+`"}` ||
					r.URL.Path != "/api/accounts/v1/agent/rt-1/task/register" || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("request %s %s %q", r.Method, r.URL.Path, b)
				}
				if sig, _ := base64.StdEncoding.DecodeString(body.Signature); !ed25519.Verify(priv.Public().(ed25519.PublicKey), []byte("rt-1:2026-12-06T19:08:40Z"), sig) {
					t.Error("registration signature does not verify")
				}
				if tt.status != 0 {
					w.WriteHeader(tt.status)
				}
				_, _ = io.WriteString(w, tt.reply)
			}))
			defer srv.Close()
			got, err := RegisterTask(context.Background(), srv.Client(), srv.URL+"/api/accounts/", "rt-1", priv, now)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v, want %q", err, tt.err)
				}
			} else if err != nil || got != tt.want {
				t.Errorf("= %q %v, want %q", got, err, tt.want)
			}
			if n := calls.Load(); n != tt.calls {
				t.Errorf("%d requests, want %d", n, tt.calls)
			}
		})
	}
	// Nobody listening: retried, then 0.169's message.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	if _, err := RegisterTask(context.Background(), nil, url, "rt-1", priv, now); err == nil || err.Error() != "retryable agent identity registration failure: failed to register agent task" {
		t.Errorf("unreachable: %v", err)
	}
}
