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
// the kernel's restrictions, for 1 and 100 writable roots, nested in /tmp
// (a root by default) or not (/tmp excluded: each root then needs its own
// Landlock rule and, in Apply, its own mount).
func BenchmarkPlanAndPrepare(b *testing.B) {
	for _, tc := range []struct {
		n      int
		nested bool
	}{{1, true}, {100, true}, {100, false}} {
		b.Run(fmt.Sprintf("roots=%d/nested=%v", tc.n, tc.nested), func(b *testing.B) {
			policy := siblingRoots(b, tc.n)
			policy.ExcludeSlashTmp = !tc.nested
			getenv := func(string) string { return "" }
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := NewPlan(policy, policy.WritableRoots[0], "", getenv)
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

// siblingRoots is a workspace-write policy with n sibling directories of
// a fresh temporary directory as writable roots (the first is also the
// policy cwd); TMPDIR is not a root.
func siblingRoots(b *testing.B, n int) protocol.SandboxPolicy {
	b.Helper()
	base := b.TempDir()
	policy := protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeTmpdirEnvVar: true}
	for i := 0; i < n; i++ {
		d := filepath.Join(base, fmt.Sprint(i))
		if err := os.Mkdir(d, 0o755); err != nil {
			b.Fatal(err)
		}
		policy.WritableRoots = append(policy.WritableRoots, d)
	}
	return policy
}

// BenchmarkApply measures restricting a thread (what the helper and the
// direct codex-sandbox path do before exec), step by step, each
// iteration on a fresh locked OS thread that ends with its goroutine.
// Reported per step in µs/op: mount namespace, capabilities, Landlock,
// seccomp. With 100 roots not nested in another (/tmp excluded), each
// root costs a mount clone, a move and a Landlock rule.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("roots=%d", n), func(b *testing.B) {
			policy := siblingRoots(b, n)
			policy.ExcludeSlashTmp = true
			if err := os.Mkdir(filepath.Join(policy.WritableRoots[0], ".git"), 0o755); err != nil {
				b.Fatal(err)
			}
			p, err := NewPlan(policy, policy.WritableRoots[0], "", func(string) string { return "" })
			if err != nil {
				b.Fatal(err)
			}
			s := Prepare(p)
			if s.Error != "" {
				b.Fatal(s.Error)
			}
			benchmarkApply(b, s)
		})
	}
}

func benchmarkApply(b *testing.B, s *Setup) {
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
				if fds, err = setupMounts(s.Plan); err != nil {
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
