//go:build unix

package mcpclient

import (
	"strings"
	"testing"

	"github.com/codexgo/codex-mcp-client/internal/servertest"
	"github.com/codexgo/common/schemacheck"
)

// TestJSONSchemas: the summary and the list-* objects codex-mcp-client
// really prints for a real server validate against schema/, and with a
// field renamed they do not.
func TestJSONSchemas(t *testing.T) {
	ev := servertest.Everything(t)
	out := func(args ...string) []byte {
		t.Helper()
		r := run(t, "", append([]string{"--server-stderr", "discard"}, append(args, "--", ev)...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		return []byte(strings.TrimSpace(r.stdout))
	}
	schemacheck.Check(t, "schema/summary.schema.json", [][]byte{out()}, "protocol_version", "protocolVersion", "tools")
	var lists [][]byte
	for _, sub := range []string{"list-tools", "list-resources", "list-resource-templates", "list-prompts"} {
		lists = append(lists, out(sub))
	}
	schemacheck.Check(t, "schema/list.schema.json", lists, "protocol_version", "tools")
	schemacheck.Check(t, "schema/list.schema.json", lists[1:2], "resources")
}
