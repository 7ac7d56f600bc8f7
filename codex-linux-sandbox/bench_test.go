//go:build linux

package linuxsandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/codexgo/common/protocol"
	"golang.org/x/sys/unix"
)

// BenchmarkPlanAndPrepare measures the helper's work before it touches
// the kernel's restrictions, for 1 and 100 writable roots.
func BenchmarkPlanAndPrepare(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("roots=%d", n), func(b *testing.B) {
			base := b.TempDir()
			var roots []string
			for i := 0; i < n; i++ {
				d := filepath.Join(base, fmt.Sprint(i))
				if err := os.Mkdir(d, 0o755); err != nil {
					b.Fatal(err)
				}
				roots = append(roots, d)
			}
			policy := protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: roots}
			getenv := func(string) string { return "" }
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := NewPlan(policy, base, "", getenv)
				if err != nil {
					b.Fatal(err)
				}
				if s := Prepare(p); s.Error != "" {
					b.Fatal(s.Error)
				}
			}
		})
	}
}

// BenchmarkApply measures restricting a thread (what the helper and the
// direct codex-sandbox path do before exec), step by step, each
// iteration on a fresh locked OS thread that ends with its goroutine.
// Reported per step in µs/op: mount namespace, capabilities, Landlock,
// seccomp.
func BenchmarkApply(b *testing.B) {
	dir := b.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	p, err := NewPlan(protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}, dir, "", func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	s := Prepare(p)
	if s.Error != "" {
		b.Fatal(s.Error)
	}
	var steps [4]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		errc := make(chan error, 1)
		go func() {
			// Never unlocked: the restricted thread ends with this goroutine.
			runtime.LockOSThread()
			t0 := time.Now()
			lap := func(k int) { now := time.Now(); steps[k] += now.Sub(t0); t0 = now }
			var fds map[string]int
			if s.MountNamespace {
				var err error
				if fds, err = setupMounts(s.WritableRoots, s.Protected); err != nil {
					errc <- err
					return
				}
				defer closeAll(fds)
			}
			lap(0)
			if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
				errc <- err
				return
			}
			if err := dropCaps(s.canBound); err != nil {
				errc <- err
				return
			}
			lap(1)
			if err := s.Landlock.restrict(fds); err != nil {
				errc <- err
				return
			}
			lap(2)
			err := loadFilter(s.filter)
			lap(3)
			errc <- err
		}()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
	for k, name := range []string{"mounts-µs/op", "caps-µs/op", "landlock-µs/op", "seccomp-µs/op"} {
		b.ReportMetric(float64(steps[k].Microseconds())/float64(b.N), name)
	}
}
