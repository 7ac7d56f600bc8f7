package sandbox

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDuplicateEnvOneSetting starts codex-sandbox with $TMPDIR set twice
// in its environment (as a parent may pass it; os/exec would have merged
// them, so os.StartProcess does it), both outside the workspace and /tmp,
// and with a CODEX_SANDBOX of the caller's: the command sees one setting
// of each (the first $TMPDIR, as getenv(3) and Go take it; CODEX_SANDBOX
// the sandbox's, not the caller's), and the sandbox made that $TMPDIR
// writable, whichever process plans the sandbox (as root the supervisor,
// as uid 65534 the helper).
func TestDuplicateEnvOneSetting(t *testing.T) {
	bin, err := publicBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		t.Run(u.name, func(t *testing.T) {
			if u.cred != nil && os.Geteuid() != 0 {
				t.Skip("needs root to run as another user")
			}
			base, err := os.MkdirTemp("/var/tmp", "dupenv-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.RemoveAll(base) })
			ws := filepath.Join(base, "ws")
			first, second := filepath.Join(base, "first"), filepath.Join(base, "second")
			for _, d := range []string{base, ws, first, second} {
				if err := os.MkdirAll(d, 0o777); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(d, 0o777); err != nil {
					t.Fatal(err)
				}
			}
			var env []string
			for _, kv := range testEnv() {
				if !strings.HasPrefix(kv, "TMPDIR=") && !strings.HasPrefix(kv, "CODEX_SANDBOX") {
					env = append(env, kv)
				}
			}
			env = append(env, "TMPDIR="+first, "CODEX_SANDBOX=callers", "TMPDIR="+second)
			run := func(argv ...string) string {
				t.Helper()
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				p, err := os.StartProcess(bin, append([]string{ToolName, "--sandbox", "workspace-write", "--"}, argv...),
					&os.ProcAttr{Dir: ws, Env: env, Files: []*os.File{nil, w, w}, Sys: &syscall.SysProcAttr{Credential: u.cred}})
				_ = w.Close()
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if st, err := p.Wait(); err != nil || !st.Success() {
					t.Errorf("%q: exit %v %v\n%s", argv, st, err, b)
				}
				return string(b)
			}
			if got, want := run("/usr/bin/printenv", "CODEX_SANDBOX", "TMPDIR"), "landlock\n"+first+"\n"; got != want {
				t.Errorf("printenv: %q, want %q", got, want)
			}
			for _, k := range []string{"TMPDIR=", "CODEX_SANDBOX="} {
				if n := strings.Count("\n"+run("/usr/bin/env"), "\n"+k); n != 1 {
					t.Errorf("the command's environment sets %s %d times", k, n)
				}
			}
			run("/bin/sh", "-c", `echo x > "$TMPDIR/f"`)
			if _, err := os.Stat(filepath.Join(first, "f")); err != nil {
				t.Errorf("the command's $TMPDIR was not writable: %v", err)
			}
		})
	}
}
