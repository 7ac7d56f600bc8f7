package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// TestLargeReportIsRead: the helper's report is read once it has ended,
// so it must never have to wait for a reader. With 300 writable roots of
// long names the report is larger than a pipe holds (64 KiB); a report
// channel that filled up would block the helper before it starts the
// command, until the timeout ended it (proven by reading a pipe only
// after the wait: the run timed out).
func TestLargeReportIsRead(t *testing.T) {
	ws, _ := workspace(t)
	base := filepath.Join(filepath.Dir(ws), "roots")
	var roots []string
	for i := range 300 {
		d := filepath.Join(base, fmt.Sprintf("%03d-%s", i, strings.Repeat("r", 200)))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		roots = append(roots, d)
	}
	req := protocol.ExecRequest{Argv: []string{"true"}, Cwd: ws, TimeoutMS: 60_000,
		Env:           map[string]string{"PATH": os.Getenv("PATH")},
		SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: roots}}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	r := cs(t, string(b), "--json")
	var res protocol.ExecResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("result %q: %v (stderr %q)", r.stdout, err, r.stderr)
	}
	if res.TimedOut || res.ExitCode != 0 || res.Sandbox == nil {
		t.Fatalf("timed out %v, exit %d, error %q, report %v", res.TimedOut, res.ExitCode, res.Error, res.Sandbox != nil)
	}
	size, err := json.Marshal(res.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if len(size) <= 64<<10 {
		t.Fatalf("the report is only %d bytes: the test proves nothing", len(size))
	}
	for _, d := range roots {
		if !strings.Contains(string(size), d) {
			t.Fatalf("%s missing from the report", d)
		}
	}
}
