package agentidentity

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/nacl/box"
)

// Task registration, as 0.169 does it (measured against its binary).
const (
	// RegisterTimeout bounds one registration request.
	RegisterTimeout = 30 * time.Second
	// RegisterAttempts is how often a registration is tried when the
	// auth API cannot be reached or answers 429 or 5xx (no delay between
	// attempts, as 0.169).
	RegisterAttempts = 3
	// maxRegisterBody bounds the reply read.
	maxRegisterBody = 1 << 20
	// maxErrorBody is how much of an error reply goes into the message.
	maxErrorBody = 512
)

// Timestamp is how assertions and registrations spell the time: RFC 3339
// in UTC, whole seconds.
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// RegisterURL is where a runtime registers tasks under the auth API base.
func RegisterURL(authAPIBase, runtimeID string) string {
	return strings.TrimRight(authAPIBase, "/") + "/v1/agent/" + url.PathEscape(runtimeID) + "/task/register"
}

// retryable marks a registration failure worth another attempt.
type retryable struct{ msg string }

func (e retryable) Error() string { return e.msg }

// RegisterTask registers a task for the runtime and returns its id: POST
// {"timestamp":T,"signature":base64(Ed25519(runtime_id ":" T))} to
// RegisterURL, read task_id (or taskId), else encrypted_task_id (or
// encryptedTaskId): a sealed box to the runtime key (see boxKeys).
func RegisterTask(ctx context.Context, hc *http.Client, authAPIBase, runtimeID string, key ed25519.PrivateKey, now func() time.Time) (string, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	var err error
	for attempt := 1; attempt <= RegisterAttempts; attempt++ {
		var id string
		id, err = registerOnce(ctx, hc, authAPIBase, runtimeID, key, now())
		var r retryable
		if err == nil || !errors.As(err, &r) || ctx.Err() != nil {
			return id, err
		}
	}
	return "", fmt.Errorf("retryable agent identity registration failure: %w", err)
}

func registerOnce(ctx context.Context, hc *http.Client, authAPIBase, runtimeID string, key ed25519.PrivateKey, now time.Time) (string, error) {
	ts := Timestamp(now)
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(runtimeID+":"+ts)))
	var body bytes.Buffer
	body.WriteString(`{"timestamp":`)
	body.Write(appendJSONString(nil, ts))
	body.WriteString(`,"signature":`)
	body.Write(appendJSONString(nil, sig))
	body.WriteByte('}')
	ctx, cancel := context.WithTimeout(ctx, RegisterTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, RegisterURL(authAPIBase, runtimeID), &body)
	if err != nil {
		return "", fmt.Errorf("failed to register agent task: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "*/*")
	resp, err := hc.Do(req)
	if err != nil {
		return "", retryable{"failed to register agent task"}
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxRegisterBody))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Trimmed, unlike 0.169, so that the error stays one line for the
		// usual JSON body that ends in a newline.
		text := strings.TrimSpace(string(data))
		if utf8.RuneCountInString(text) > maxErrorBody {
			text = string([]rune(text)[:maxErrorBody]) + "..."
		}
		msg := fmt.Sprintf("agent task registration failed with status %d %s: %s", resp.StatusCode, http.StatusText(resp.StatusCode), text)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			return "", retryable{msg}
		}
		return "", errors.New(msg)
	}
	if err != nil {
		return "", retryable{"failed to register agent task"}
	}
	return taskID(data, key)
}

// taskID reads the task id from a registration reply.
func taskID(data []byte, key ed25519.PrivateKey) (string, error) {
	var r struct {
		TaskID         *string `json:"task_id"`
		TaskIDCamel    *string `json:"taskId"`
		Encrypted      *string `json:"encrypted_task_id"`
		EncryptedCamel *string `json:"encryptedTaskId"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil || dec.More() {
		return "", errors.New("failed to decode agent task registration response")
	}
	for _, p := range []*string{r.TaskID, r.TaskIDCamel} {
		if p != nil {
			return *p, nil
		}
	}
	for _, p := range []*string{r.Encrypted, r.EncryptedCamel} {
		if p != nil {
			return DecryptTaskID(key, *p)
		}
	}
	return "", errors.New("agent task registration response omitted task id")
}

// DecryptTaskID opens an encrypted_task_id: standard base64 of a sealed
// box (libsodium crypto_box_seal) to the runtime key's X25519 form.
func DecryptTaskID(key ed25519.PrivateKey, encrypted string) (string, error) {
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return "", errors.New("encrypted task id is not valid base64")
	}
	pub, sec, err := boxKeys(key)
	if err != nil {
		return "", err
	}
	pt, ok := box.OpenAnonymous(nil, ct, pub, sec)
	if !ok {
		return "", errors.New("failed to decrypt encrypted task id")
	}
	if !utf8.Valid(pt) {
		return "", errors.New("decrypted task id is not valid UTF-8")
	}
	return string(pt), nil
}
