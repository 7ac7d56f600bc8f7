package proctest

import (
	"io"
	"os"
	"runtime"
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
	// A mount in another namespace, checked from the thread that is in
	// it (as a test goroutine left on the main thread would be): not
	// the namespace the check was taken in, so nothing to report.
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with its namespace
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			errc <- err
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			errc <- err
			return
		}
		if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=4k"); err != nil {
			errc <- err
			return
		}
		errc <- check()
	}()
	if err := <-errc; err != nil {
		t.Fatalf("a mount in another namespace: check = %v", err)
	}
	testRun(t)
}

// fakeM stands in for a *testing.M: its tests are run.
type fakeM func() int

func (f fakeM) Run() int { return f() }

// testRun (in TestHostMounts, which needs root): a package whose tests
// pass fails all the same when they leave a mount in the host's
// namespace; without one its code stands.
func testRun(t *testing.T) {
	if code := run(fakeM(func() int { return 0 }), io.Discard); code != 0 {
		t.Fatalf("nothing mounted: code %d, want 0", code)
	}
	if code := run(fakeM(func() int { return 3 }), io.Discard); code != 3 {
		t.Fatalf("a failing run: code %d, want its 3", code)
	}
	dir := t.TempDir()
	code := run(fakeM(func() int {
		if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=4k"); err != nil {
			t.Error(err)
		}
		return 0
	}), io.Discard)
	_ = unix.Unmount(dir, unix.MNT_DETACH)
	if code != 1 {
		t.Fatalf("a mount left in the host's namespace: code %d, want 1", code)
	}
}
