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
	for _, want := range []string{`ran\n"`, "Read-only file system",
		`"aggregated_output":"approval required (forced delete (rm -f) cannot be undone), but approval_policy is never: command not run","exit_code":null,"status":"declined"`,
		`"aggregated_output":"execution forbidden by policy: `} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}
