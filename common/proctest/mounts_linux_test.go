package proctest

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestHostMounts: nothing mounted, nothing reported; a mount made in
// this process's own namespace is reported, and nothing once it is gone.
func TestHostMounts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	check := HostMounts()
	if err := check(); err != nil {
		t.Fatalf("nothing mounted, yet: %v", err)
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=4k"); err != nil {
		t.Fatal(err)
	}
	err := check()
	_ = unix.Unmount(dir, unix.MNT_DETACH)
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("a mount on %s in the host namespace: check = %v", dir, err)
	}
	if err := check(); err != nil {
		t.Fatalf("unmounted again, yet: %v", err)
	}
}
