//go:build linux

package linuxsandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/codexgo/common/protocol"
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
