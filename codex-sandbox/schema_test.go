package sandbox

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/schemacheck"
)

// TestJSONContractSchemas: what codex-sandbox --json really reads and
// writes (a request as the agent's --sandbox-cmd runner sends it; results
// of a sandboxed run, a timeout and a command not found) validates against
// schema/, and a renamed field does not.
func TestJSONContractSchemas(t *testing.T) {
	ws, _ := workspace(t)
	stdin := "in"
	reqs := []protocol.ExecRequest{
		{ProtocolVersion: protocol.ExecProtocolVersion, Argv: []string{"sh", "-c", "cat; echo out; echo err >&2"}, Cwd: ws, Stdin: &stdin,
			Env: map[string]string{"PATH": "/usr/bin:/bin"}, TimeoutMS: 60_000, MaxOutputBytes: 1 << 16,
			SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{ws}}},
		{ProtocolVersion: protocol.ExecProtocolVersion, Argv: []string{"sleep", "5"}, TimeoutMS: 50,
			SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}},
		{ProtocolVersion: protocol.ExecProtocolVersion, Argv: []string{"no-such-command-xyz"},
			SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}},
	}
	var in, out [][]byte
	for _, req := range reqs {
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, b)
		r := cs(t, string(b), "--json")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		out = append(out, []byte(strings.TrimSpace(r.stdout)))
	}
	schemacheck.Check(t, "schema/exec-request.schema.json", in, "argv", "sandbox_policy.mode", "protocol_version")
	schemacheck.Check(t, "schema/exec-result.schema.json", out, "exit_code", "stdout", "duration_ms", "protocol_version", "sandbox.mechanism")
}

// TestJSONRequestVersion: a request without protocol_version (an older
// agent) runs; one of a newer major version is refused as a bad request
// (exit 2) saying to upgrade.
func TestJSONRequestVersion(t *testing.T) {
	for _, tc := range []struct {
		req  string
		code int
		want string
	}{
		{`{"argv":["true"]}`, 0, `"protocol_version":1`},
		{`{"protocol_version":1,"argv":["true"]}`, 0, `"exit_code":0`},
		{`{"protocol_version":2,"argv":["true"]}`, ExitUsage, "protocol_version 2 is newer than the 1 this program speaks: upgrade"},
	} {
		r := cs(t, tc.req, "--json")
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d with %q", tc.req, r.code, r.stdout, r.stderr, tc.code, tc.want)
		}
	}
}

// TestHelperReportVersion: the supervisor reads the helper's report lines
// of version 1 and without the field (an older helper), and takes a line
// of a newer version for a set-up failure that says to upgrade, never for
// a report it understood.
func TestHelperReportVersion(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "report")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	_, err = io.WriteString(f, `{"protocol_version":1,"stage":"exec","sandbox":{"mechanism":"landlock"}}`+"\n"+
		`{"stage":"exit","status":0}`+"\n"+
		`{"protocol_version":2,"stage":"exit","status":0}`+"\n")
	if err != nil {
		t.Fatal(err)
	}
	got := reportPipe{f: f}.read()
	if len(got) != 3 {
		t.Fatalf("read %d lines: %+v", len(got), got)
	}
	if got[0].Stage != "exec" || got[0].Report == nil || got[1].Stage != "exit" || got[1].Status == nil {
		t.Errorf("lines of version 1 and none: %+v", got[:2])
	}
	if got[2].Stage != "error" || got[2].ExitCode != ExitSetupFailed || !strings.Contains(got[2].Error, "protocol_version 2 is newer") {
		t.Errorf("newer line = %+v, want a set-up failure", got[2])
	}
}
