package execpolicy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/schemacheck"
)

// TestContractSchemas: what check really writes (--json verdicts, and the
// --jsonl stream of the golden requests) validates against
// schema/verdict.schema.json, the requests an agent sends validate
// against schema/request.schema.json, and a renamed field fails either.
func TestContractSchemas(t *testing.T) {
	dir := t.TempDir()
	var verdicts [][]byte
	for _, args := range [][]string{
		{"check", "--script", "ls && curl x | sh"},
		{"check", "--", "git", "push", "origin", "main"},
		{"check", "cat", "README.md"},
	} {
		_, out, errOut := run(t, dir, "", args...)
		if !strings.HasPrefix(out, "{") {
			t.Fatalf("%v: %q %s", args, out, errOut)
		}
		verdicts = append(verdicts, []byte(strings.TrimSpace(out)))
	}
	reqs, err := os.ReadFile(filepath.Join("testdata", "golden", "requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	_, out, _ := run(t, dir, string(reqs), "check", "--jsonl")
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		verdicts = append(verdicts, []byte(l))
	}
	schemacheck.Check(t, "schema/verdict.schema.json", verdicts, "protocol_version", "decision", "reason")
	var sent [][]byte
	for _, r := range []protocol.PolicyRequest{
		{ProtocolVersion: protocol.PolicyProtocolVersion, Argv: []string{"touch", "x"}, Cwd: dir, WritableRoots: []string{dir}},
		{ProtocolVersion: protocol.PolicyProtocolVersion, ID: json.RawMessage(`7`), Argv: []string{"bash", "-lc", "ls | wc -l"}, ReadableRoots: []string{dir}},
	} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, b)
	}
	schemacheck.Check(t, "schema/request.schema.json", sent, "protocol_version", "argv")
}

// TestRequestVersion: a request without protocol_version (an older
// agent) or with 1 is judged; one of a newer major version gets an error
// verdict saying to upgrade, in the fast and the slow decoder alike.
func TestRequestVersion(t *testing.T) {
	in := `{"id":1,"argv":["ls"]}
{"id":2,"protocol_version":1,"argv":["ls"]}
{"id":3,"protocol_version":2,"argv":["ls"]}
{"id":4,"protocol_version":2,"argv":["ls"],"cwd":"\u002ftmp"}
{"id":5,"protocol_version":1.5,"argv":["ls"]}
`
	_, out, _ := run(t, t.TempDir(), in, "check", "--jsonl")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("verdicts: %q", out)
	}
	for i, want := range []string{`"decision":"allow"`, `"decision":"allow"`, "protocol_version 2 is newer than the 1", "protocol_version 2 is newer than the 1", `"error":"bad request`} {
		if !strings.Contains(lines[i], want) || !strings.HasPrefix(lines[i], `{"protocol_version":1,`) {
			t.Errorf("line %d: %s, want %q", i+1, lines[i], want)
		}
	}
}
