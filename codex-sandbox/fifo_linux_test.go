package sandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestAttackPlantedFIFOs: a sandboxed command makes FIFOs where the next
// run's plan reads a repository's files (a nested repository's config,
// a new repository's index, a .git file's place) in a workspace of
// its own. The next command in that workspace must still run: the plan
// used to open them and block forever, in the supervisor (which caught
// SIGTERM meanwhile, so that only SIGKILL ended it) or the helper. As
// root and as uid 65534, each run with --timeout (exit 124 instead of a
// hang when the plan blocks); proven by opening them as before: both
// users' second run timed out.
func TestAttackPlantedFIFOs(t *testing.T) {
	for _, who := range []struct {
		name string
		uid  int
	}{{"root", 0}, {"uid 65534", 65534}} {
		t.Run(who.name, func(t *testing.T) {
			ws, _ := workspace(t)
			// No .git of its own: a repository the command makes there
			// is planned for (its index) on the next run.
			if err := os.RemoveAll(filepath.Join(ws, ".git")); err != nil {
				t.Fatal(err)
			}
			run := func(script string) {
				t.Helper()
				cmd := csCmd(t, "--sandbox", "workspace-write", "--cd", ws, "--timeout", "60s", "--", "sh", "-c", script)
				if who.uid != 0 {
					cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(who.uid), Gid: uint32(who.uid)}}
				}
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if code := exitCode(t, cmd.Run()); code != 0 {
					t.Fatalf("exit %d (124: the plan blocked on a FIFO), stderr %q", code, stderr.String())
				}
			}
			run(`set -e
mkdir -p sub/.git .git other
mkfifo sub/.git/config .git/index .git/commondir sub/.git/commondir
mkfifo other/.git`)
			for _, p := range []string{"sub/.git/config", ".git/index", "other/.git"} {
				fi, err := os.Lstat(filepath.Join(ws, p))
				if err != nil || fi.Mode().Type() != os.ModeNamedPipe {
					t.Fatalf("%s was not planted: %v", p, err)
				}
			}
			run("true")
		})
	}
}
