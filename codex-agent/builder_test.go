package agent

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// TestExecHonoursAutoCompactLimit: codex exec is built by the same
// builder as proto, so model_auto_compact_token_limit from config.toml
// compacts the conversation inside its turn (it was ignored).
func TestExecHonoursAutoCompactLimit(t *testing.T) {
	big := json.RawMessage(`{"input_tokens":900,"output_tokens":50,"total_tokens":950}`)
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "echo hi"})}, Usage: big},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("SUMMARY: ran echo")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
	if err := os.WriteFile(filepath.Join(fx.home, "config.toml"), []byte("model_auto_compact_token_limit = 500\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := fx.run(append(fx.providerArgs(), "--json", "go")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	reqs := fx.srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("requests = %d, want 3 (the compaction between)", len(reqs))
	}
	if !strings.Contains(string(reqs[1].Body), "CONTEXT CHECKPOINT COMPACTION") {
		t.Errorf("second request is not a compaction:\n%s", reqs[1].Body)
	}
}

// TestBadSettingsNameTheirPlace: a bad sandbox_mode or approval_policy
// in config.toml is a config error (exit 1) naming the file and line; a
// bad --sandbox flag stays a usage error (exit 2).
func TestBadSettingsNameTheirPlace(t *testing.T) {
	fx := newExecFixture(t)
	cfg := filepath.Join(fx.home, "config.toml")
	if err := os.WriteFile(cfg, []byte("model = \"m\"\nsandbox_mode = \"workspace\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := fx.run(append(fx.providerArgs(), "go")...)
	if r.code != 1 || !strings.Contains(r.stderr, cfg+":2: sandbox_mode") {
		t.Errorf("exit %d, stderr %q: want 1 naming %s:2", r.code, r.stderr, cfg)
	}
	if err := os.WriteFile(cfg, []byte(""), 0o600); err != nil {
		t.Fatal(err)
	}
	r = fx.run(append(fx.providerArgs(), "-s", "bogus", "go")...)
	if r.code != 2 {
		t.Errorf("bad --sandbox: exit %d, want 2 (%s)", r.code, r.stderr)
	}
}

// TestProtoRejectsUnknownSettings: an unknown approval_policy or sandbox
// mode in a proto override or user_turn is an error event, and changes
// nothing (it behaved as on-request).
func TestProtoRejectsUnknownSettings(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{{Items: []json.RawMessage{modelserver.Message("ok")}}}, nil)
	ctx := context.Background()
	for _, op := range []protocol.Op{
		protocol.OverrideTurnContextOp{ApprovalPolicy: "sometimes"},
		protocol.OverrideTurnContextOp{SandboxPolicy: &protocol.SandboxPolicy{Mode: "workspace"}},
		protocol.UserTurnOp{Items: protocol.TextInput("hi"), ApprovalPolicy: "always"},
	} {
		if err := h.s.Submit(ctx, protocol.Submission{ID: "o", Op: op}); err != nil {
			t.Fatal(err)
		}
		ev := <-h.s.Events()
		if e, ok := ev.Msg.(protocol.ErrorMsg); !ok || !strings.Contains(e.Message, "unknown") {
			t.Errorf("%s: event %#v, want an error naming the unknown value", op.OpType(), ev.Msg)
		}
	}
	if got := h.s.Settings(); got.ApprovalPolicy != protocol.ApprovalNever || got.Sandbox.Mode != protocol.SandboxWorkspaceWrite {
		t.Errorf("settings changed: %s / %s", got.ApprovalPolicy, got.Sandbox.Mode)
	}
}

// TestModelErrorsShowTheProviderMessage: when retries give up, codex
// exec shows the provider's error.message, not only the status.
func TestModelErrorsShowTheProviderMessage(t *testing.T) {
	for _, tc := range []struct {
		status int
		msg    string
	}{
		{429, "Rate limit reached for gpt-test on tokens per min (TPM): Limit 30000, Used 30000"},
		{500, "The server had an error processing your request. Sorry about that!"},
	} {
		turn := modelserver.Turn{Status: tc.status, Body: `{"error":{"message":"` + tc.msg + `","type":"x"}}`}
		var turns []modelserver.Turn
		for range 20 {
			turns = append(turns, turn)
		}
		fx := newExecFixture(t, turns...)
		r := fx.run(append(fx.providerArgs(), "-c", "model_providers.mock.request_max_retries=0", "go")...)
		if r.code != 1 || !strings.Contains(r.stderr, "ERROR: ") || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("status %d: exit %d, stderr:\n%s\nwant the provider's message", tc.status, r.code, r.stderr)
		}
	}
}

// TestMissingImage: codex exec -i missing.png fails before the turn (no
// request to the model), and a local_image that cannot be read is an
// error event that starts no turn.
func TestMissingImage(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("saw nothing")}})
	r := fx.run(append(fx.providerArgs(), "-i", filepath.Join(fx.repo, "missing.png"), "describe")...)
	if r.code != 1 || !strings.Contains(r.stderr, "missing.png: no such file or directory") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Errorf("%d model requests, want none", n)
	}
	h := newHarness(t, []modelserver.Turn{{Items: []json.RawMessage{modelserver.Message("ok")}}}, nil)
	err := h.s.Submit(context.Background(), protocol.Submission{ID: "t", Op: protocol.UserInputOp{Items: []protocol.InputItem{
		{Type: "text", Text: "look"}, {Type: "local_image", Path: filepath.Join(h.dir, "gone.png")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-h.s.Events(); !isErrorAbout(ev.Msg, "gone.png") {
		t.Errorf("event %#v, want an error naming the image", ev.Msg)
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("%d model requests, want none", n)
	}
}

func isErrorAbout(m protocol.Msg, what string) bool {
	e, ok := m.(protocol.ErrorMsg)
	return ok && strings.Contains(e.Message, what)
}

// TestLogFile: --log-level (or CODEX_LOG) writes the session's log to
// $CODEX_HOME/log/codex-exec.log; without either nothing is written; a
// bad level is an error naming it.
func TestLogFile(t *testing.T) {
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "echo hi"})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("again")}})
	log := filepath.Join(fx.home, "log", "codex-exec.log")
	if r := fx.run(append(fx.providerArgs(), "--log-level", "info", "go")...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`msg="session started"`, `msg="turn started"`, `msg="tool call"`, "tool=exec_command", `msg="command ended"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("log lacks %s:\n%s", want, b)
		}
	}
	if err := os.Remove(log); err != nil {
		t.Fatal(err)
	}
	if r := fx.run(append(fx.providerArgs(), "go")...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(log); !os.IsNotExist(err) {
		t.Errorf("a log was written without a level: %v", err)
	}
	fx.env["CODEX_LOG"] = "verbose"
	if r := fx.run(append(fx.providerArgs(), "go")...); r.code != 1 || !strings.Contains(r.stderr, "CODEX_LOG") {
		t.Errorf("bad CODEX_LOG: exit %d, %s", r.code, r.stderr)
	}
}
