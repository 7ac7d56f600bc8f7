//go:build linux

package linuxsandbox

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

func TestPrepareExplains(t *testing.T) {
	ws, _ := workspace(t)
	tests := []struct {
		name       string
		policy     protocol.SandboxPolicy
		mechanism  string
		seccompHas string
		netHandled bool
	}{
		{"read-only", protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}, "landlock", "socket, socketpair with a domain other than AF_UNIX: EPERM", true},
		{"network on", protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, NetworkAccess: true}, "landlock", "unshare", false},
		{"danger", protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, "none", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlan(tc.policy, ws, "", func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			s := Prepare(p)
			if s.Error != "" {
				t.Fatalf("prepare: %s", s.Error)
			}
			if s.Mechanism != tc.mechanism {
				t.Errorf("mechanism %q, want %q", s.Mechanism, tc.mechanism)
			}
			if tc.mechanism == "none" {
				if s.Landlock != nil || len(s.Seccomp) != 0 {
					t.Errorf("danger-full-access has restrictions: %+v", s.Explanation)
				}
				return
			}
			if !strings.Contains(strings.Join(s.Seccomp, "\n"), tc.seccompHas) {
				t.Errorf("seccomp summary %q lacks %q", s.Seccomp, tc.seccompHas)
			}
			if got := s.Landlock.HandledNet != nil; got != tc.netHandled {
				t.Errorf("TCP handled = %v, want %v", got, tc.netHandled)
			}
			root := s.Landlock.Rules[0]
			if root.Path != "/" || strings.Join(root.Access, ",") != "execute,read_file,read_dir" {
				t.Errorf("first rule = %+v, want / read+execute", root)
			}
			if s.SeccompInstructions == 0 {
				t.Errorf("no seccomp instructions")
			}
		})
	}
}

// TestExplainLimits: --explain names what no machine's sandbox stops,
// among them what git reads that the plan cannot find.
func TestExplainLimits(t *testing.T) {
	ws, _ := workspace(t)
	var out strings.Builder
	if code := Main(context.Background(), []string{"--explain", "--sandbox-policy-cwd", ws, "--sandbox-policy", `{"mode":"workspace-write"}`},
		strings.NewReader(""), &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var e struct {
		Limits []string `json:"limits"`
	}
	if err := json.Unmarshal([]byte(out.String()), &e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(e.Limits, "\n"), "git: repositories deeper") {
		t.Errorf("limits = %q", e.Limits)
	}
}
