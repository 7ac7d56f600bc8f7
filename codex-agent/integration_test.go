package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestExecRealSandbox runs exec's commands through the in-process
// execpolicy and the real sandbox (Landlock and seccomp; the test binary
// is re-executed as codex-sandbox, see TestMain): a write inside the
// workspace succeeds, one outside the writable roots fails, a forced
// rm -rf (a firm prompt) is refused under exec's "never", and a
// catastrophic command is forbidden.
func TestExecRealSandbox(t *testing.T) {
	outside := t.TempDir()
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{
			modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "touch inside.txt; touch " + filepath.Join(outside, "x") + " 2>&1; echo ran"}),
			modelserver.FunctionCall("c2", "exec_command", map[string]any{"cmd": "rm -rf " + outside}),
			modelserver.FunctionCall("c3", "exec_command", map[string]any{"cmd": "rm -rf / --no-preserve-root"}),
		}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
	r := fx.run(append(fx.providerArgs(), "--json", "-s", "workspace-write", "-c", "sandbox_workspace_write.exclude_slash_tmp=true", "go")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(fx.repo, "inside.txt")); err != nil {
		t.Errorf("write inside the workspace failed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "x")); err == nil {
		t.Errorf("write outside the writable roots succeeded")
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("rm -rf ran: %v", err)
	}
	// The refused write: EROFS where a mount namespace keeps the rest
	// read-only, EACCES where Landlock alone refuses it; both are right.
	if !strings.Contains(r.stdout, "Read-only file system") && !strings.Contains(r.stdout, "Permission denied") {
		t.Errorf("stdout shows no refused write:\n%s", r.stdout)
	}
	for _, want := range []string{`ran\n"`,
		`"aggregated_output":"approval required (forced delete (rm -f) cannot be undone), but approval_policy is never: command not run","exit_code":null,"status":"declined"`,
		`"aggregated_output":"execution forbidden by policy: `} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestExecNetworkOffHint: a command that fails on DNS inside the
// sandbox (network off) gets a hint, in exec's output and in what the
// model reads, that the network is off and how to allow it; with the
// network allowed there is no such hint.
func TestExecNetworkOffHint(t *testing.T) {
	lookup := "python3 -c \"import socket; socket.getaddrinfo('example.com', 80)\""
	turns := []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": lookup})}},
		{Items: []json.RawMessage{modelserver.Message("ok")}},
	}
	fx := newExecFixture(t, turns...)
	r := fx.run(append(fx.providerArgs(), "--json", "-s", "workspace-write", "go")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "the network is off in this sandbox") {
		t.Errorf("exec output lacks the network hint:\n%s", r.stdout)
	}
	var body struct {
		Input []json.RawMessage `json:"input"`
	}
	reqs := fx.srv.Requests()
	if err := reqs[len(reqs)-1].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if in := string(jsonJoin(body.Input)); !strings.Contains(in, "Note: the network is off in this sandbox") {
		t.Errorf("the model was not told the network is off:\n%s", in)
	}

	fx = newExecFixture(t, turns...)
	r = fx.run(append(fx.providerArgs(), "--json", "-s", "workspace-write", "-c", "sandbox_workspace_write.network_access=true", "go")...)
	if strings.Contains(r.stdout, "the network is off") {
		t.Errorf("network allowed, yet the hint:\n%s", r.stdout)
	}
}

func jsonJoin(items []json.RawMessage) []byte {
	var b []byte
	for _, it := range items {
		b = append(append(b, it...), '\n')
	}
	return b
}
