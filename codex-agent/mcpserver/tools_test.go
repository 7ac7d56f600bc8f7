package mcpserver

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

func TestParseCodexArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Settings
		err  string
	}{
		{`{"prompt":"p"}`, Settings{}, ""},
		{`{"prompt":"p","approval-policy":"unless-allow-listed"}`, Settings{ApprovalPolicy: protocol.ApprovalUntrusted}, ""},
		{`{"prompt":"p","approval-policy":"auto-edit"}`, Settings{ApprovalPolicy: protocol.ApprovalOnRequest}, ""},
		{`{"prompt":"p","approval-policy":"on-failure","sandbox":"danger-full-access"}`,
			Settings{ApprovalPolicy: protocol.ApprovalOnFailure, Sandbox: protocol.SandboxDangerFullAccess}, ""},
		{`{"prompt":"p","sandbox-permissions":["disk-full-read-access"]}`, Settings{Sandbox: protocol.SandboxReadOnly}, ""},
		{`{"prompt":"p","sandbox-permissions":["disk-full-read-access","disk-write-cwd","network-full-access"]}`,
			Settings{Sandbox: protocol.SandboxWorkspaceWrite, NetworkAccess: true}, ""},
		{`{"prompt":"p","sandbox-permissions":["disk-write-platform-user-temp-folder"]}`, Settings{Sandbox: protocol.SandboxWorkspaceWrite}, ""},
		{`{"prompt":"p","sandbox-permissions":["disk-full-write-access","disk-write-cwd"]}`, Settings{Sandbox: protocol.SandboxDangerFullAccess}, ""},
		{`{"prompt":"p","sandbox":"read-only","sandbox-permissions":["disk-write-cwd"]}`, Settings{Sandbox: protocol.SandboxReadOnly}, ""},
		{`{"prompt":"p","model":"o3","cwd":"/w","profile":"x","base-instructions":"b","developer-instructions":"d","compact-prompt":"c"}`,
			Settings{Model: "o3", Cwd: "/w", Profile: "x", BaseInstructions: "b", DeveloperInstructions: "d", CompactPrompt: "c"}, ""},
		{`{"prompt":"p","config":{"model":"gpt","sandbox_workspace_write":{"network_access":true,"writable_roots":["/a","/b"]},"weird key":1,"tools":{"x":{"a":"b"}},"features":{}}}`,
			Settings{Overrides: []string{`features={}`, `model="gpt"`, `sandbox_workspace_write.network_access=true`,
				`sandbox_workspace_write.writable_roots=["/a", "/b"]`, `tools.x.a="b"`, `"weird key"=1`}}, ""},
		{`{"prompt":""}`, Settings{}, "missing prompt"},
		{`{"prompt":"p","approval-policy":"yes"}`, Settings{}, "unknown approval policy"},
		{`{"prompt":"p","sandbox":"none"}`, Settings{}, "unknown sandbox mode"},
		{`{"prompt":"p","sandbox-permissions":["x"]}`, Settings{}, "unknown sandbox permission"},
		{`{"prompt":"p","config":{"a":null}}`, Settings{}, "config a: null"},
		{`{"prompt":3}`, Settings{}, "invalid arguments"},
	}
	for _, tt := range tests {
		_, got, err := parseCodexArgs(json.RawMessage(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: got error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestDecisionOf(t *testing.T) {
	t.Parallel()
	tests := map[string]protocol.ReviewDecision{
		`{"decision":"approved"}`:             protocol.DecisionApproved,
		`{"decision":"approved_for_session"}`: protocol.DecisionApprovedForSession,
		`{"decision":"abort"}`:                protocol.DecisionAbort,
		`{"decision":"denied"}`:               protocol.DecisionDenied,
		`{"decision":"maybe"}`:                protocol.DecisionDenied,
		`{"action":"accept"}`:                 protocol.DecisionApproved,
		`{"action":"accept","content":{"decision":"approved_for_session"}}`: protocol.DecisionApprovedForSession,
		`{"action":"decline"}`: protocol.DecisionDenied,
		`{"action":"cancel"}`:  protocol.DecisionAbort,
		`[]`:                   protocol.DecisionDenied,
		`null`:                 protocol.DecisionDenied,
	}
	for in, want := range tests {
		if got := decisionOf(json.RawMessage(in)); got != want {
			t.Errorf("decisionOf(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestShellJoin(t *testing.T) {
	t.Parallel()
	if got, want := shellJoin([]string{"bash", "-lc", "echo 'hi' there", ""}), `bash -lc 'echo '\''hi'\'' there' ''`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func FuzzParseCodexArgs(f *testing.F) {
	f.Add([]byte(`{"prompt":"p","config":{"a":{"b":[1,"x",{"c":true}]}},"sandbox-permissions":["disk-write-cwd"]}`))
	f.Add([]byte(`{"prompt":"p","approval-policy":"auto-edit"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, s, err := parseCodexArgs(b)
		if err != nil {
			return
		}
		for _, o := range s.Overrides {
			if !strings.Contains(o, "=") {
				t.Fatalf("override %q has no =", o)
			}
		}
	})
}
