package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// granularTable is a Codex CLI 0.169 approval_policy table.
const granularTable = "approval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = true } }\n"

// TestGranularApprovalConfigFrontEnds: config.toml's granular table (and
// the same from -c and a profile) reaches codex proto's session as that
// policy, the one the agent's setup makes of it; codex exec loads it
// and runs under never, as the Codex CLI's exec does; a bad table stops
// both with one line naming the file, line and column.
func TestGranularApprovalConfigFrontEnds(t *testing.T) {
	want := protocol.GranularApproval(protocol.Granular{SandboxApproval: true, McpElicitations: true})
	for _, tc := range []struct {
		name, file string
		args       []string
	}{
		{"file", granularTable, nil},
		{"override", "approval_policy = \"never\"\n", []string{"-c", "approval_policy={granular={sandbox_approval=true,rules=false,mcp_elicitations=true}}"}},
		{"profile", "approval_policy = \"never\"\n[profiles.g]\n" + granularTable, []string{"-p", "g"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
			if err := os.WriteFile(filepath.Join(fx.home, "config.toml"), []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append(append(fx.providerArgs(), "-C", fx.repo), tc.args...)
			code, out, errText := fx.runService(RunProto, "", args...)
			if code != 0 {
				t.Fatalf("proto: exit %d, stderr: %s", code, errText)
			}
			if sc := firstSessionConfigured(t, out); sc.ApprovalPolicy != want {
				t.Errorf("proto session approval_policy = %q, want %q", sc.ApprovalPolicy, want)
			}
			// On the wire, the Codex CLI's object.
			if !strings.Contains(out, `"approval_policy":{"granular":{"sandbox_approval":true,"rules":false,"skill_approval":false,"request_permissions":false,"mcp_elicitations":true}}`) {
				t.Errorf("proto session_configured: %s", strings.SplitN(out, "\n", 2)[0])
			}
		})
	}
	t.Run("exec", func(t *testing.T) {
		fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("exec ok")}})
		if err := os.WriteFile(filepath.Join(fx.home, "config.toml"), []byte(granularTable), 0o600); err != nil {
			t.Fatal(err)
		}
		r := fx.run(append(fx.providerArgs(), "--skip-git-repo-check", "hi")...)
		if r.code != 0 || !strings.Contains(r.stdout, "exec ok") {
			t.Fatalf("exec: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "approval: never") {
			t.Errorf("exec header: %s", r.stderr)
		}
	})
	t.Run("bad table", func(t *testing.T) {
		fx := newExecFixture(t)
		bad := "model = \"m\"\napproval_policy = { granular = { sandbox_approval = true, rules = \"no\", mcp_elicitations = true } }\n"
		if err := os.WriteFile(filepath.Join(fx.home, "config.toml"), []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		line := filepath.Join(fx.home, "config.toml") + ":2:59: approval_policy.granular.rules: expected true or false, got a string"
		code, _, errText := fx.runService(RunProto, "", append(fx.providerArgs(), "-C", fx.repo)...)
		if code == 0 || !strings.Contains(errText, line) {
			t.Errorf("proto: exit %d, stderr %q; want %q", code, errText, line)
		}
		r := fx.run(append(fx.providerArgs(), "--skip-git-repo-check", "hi")...)
		if r.code == 0 || !strings.Contains(r.stderr, line) {
			t.Errorf("exec: exit %d, stderr %q; want %q", r.code, r.stderr, line)
		}
	})
}
