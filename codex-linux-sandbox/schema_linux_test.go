//go:build linux

package linuxsandbox

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-linux-sandbox/internal/nsinit"
	"github.com/codexgo/common/schemacheck"
)

// TestJSONSchemas: the report lines the helper and its PID namespace's
// init really write, and what --explain prints, validate against
// schema/, and with a field renamed they do not.
func TestJSONSchemas(t *testing.T) {
	ws, _ := workspace(t)
	s := sbx{policy: wsPolicy, policyCwd: ws, reportFD: true}
	var lines [][]byte
	for _, argv := range [][]string{{"true"}, {filepath.Join(ws, "no-such-command")}} {
		o := s.run(t, argv...)
		if len(o.reportLines) == 0 {
			t.Fatalf("%v: no report lines (exit %d, %s)", argv, o.code, o.stderr)
		}
		lines = append(lines, o.reportLines...)
	}
	if got := string(lines[len(lines)-1]); !strings.Contains(got, `"stage":"error"`) {
		t.Fatalf("the missing command gave no error line: %s", got)
	}
	if exit := initExitLine(t); exit != nil {
		lines = append(lines, exit)
	}
	schemacheck.Check(t, "schema/report.schema.json", lines, "protocol_version", "stage", "sandbox.mechanism")

	var out strings.Builder
	if code := Main(context.Background(), []string{"--explain", "--sandbox-policy-cwd", ws, "--sandbox-policy", wsPolicy},
		strings.NewReader(""), &out, io.Discard); code != 0 {
		t.Fatalf("--explain: exit %d", code)
	}
	schemacheck.Check(t, "schema/explain.schema.json", [][]byte{[]byte(out.String())},
		"protocol_version", "mechanism", "writable_roots", "landlock.rules")
}

// initExitLine runs the PID namespace's init itself (it needs no
// namespace to fork, reap and report) on `true` and returns the line it
// writes; nil where there is no init program (the command is PID 1).
func initExitLine(t *testing.T) []byte {
	t.Helper()
	if nsinit.Program == "" {
		return nil
	}
	bin := filepath.Join(t.TempDir(), "codex-init")
	if err := os.WriteFile(bin, []byte(nsinit.Program), 0o755); err != nil {
		t.Fatal(err)
	}
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	cmd := &exec.Cmd{Path: bin, Args: []string{"3", truePath, "true"}, ExtraFiles: []*os.File{w}}
	err = cmd.Start()
	_ = w.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, rerr := io.ReadAll(r)
	if err := cmd.Wait(); err != nil || rerr != nil {
		t.Fatalf("init: %v %v", err, rerr)
	}
	line := strings.TrimSpace(string(b))
	if !strings.Contains(line, `"stage":"exit"`) {
		t.Fatalf("init wrote %q, want an exit line", line)
	}
	return []byte(line)
}
