//go:build linux

package linuxsandbox

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// TestMountsRefuseSwappedPaths swaps a path for a symlink between
// planning and mounting, as a concurrent process could: the set-up must
// fail rather than mount (and grant or protect) somewhere else.
func TestMountsRefuseSwappedPaths(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs CAP_SYS_ADMIN for a mount namespace")
	}
	tests := []struct {
		name string
		swap string // relative to base: renamed to swap+".old", a symlink put in its place
		to   string // the symlink's target ("" : the renamed original)
		want string
	}{
		{"outermost root to /etc", "a", "/etc", "open writable root"},
		{"pinned parent", "a/x", "", "changed since planning"},
		{"protected .git", "a/x/ws/.git", "", "changed since planning"},
		{"pinned workspace", "a/x/ws", "", "changed since planning"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			ws := filepath.Join(base, "a", "x", "ws")
			if err := os.MkdirAll(filepath.Join(ws, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			plan, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{filepath.Join(base, "a")},
				ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true}, ws, "", func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Pinned) == 0 {
				t.Fatalf("nothing pinned: %+v", plan)
			}
			victim := filepath.Join(base, tc.swap)
			if err := os.Rename(victim, victim+".old"); err != nil {
				t.Fatal(err)
			}
			target := tc.to
			if target == "" {
				target = victim + ".old"
			}
			if err := os.Symlink(target, victim); err != nil {
				t.Fatal(err)
			}
			errc := make(chan error, 1)
			go func() {
				// Never unlocked: the thread's mount namespace dies with it.
				runtime.LockOSThread()
				fds, err := setupMounts(plan)
				closeAll(fds)
				errc <- err
			}()
			if err := <-errc; err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("setupMounts = %v, want an error with %q", err, tc.want)
			}
		})
	}
}
