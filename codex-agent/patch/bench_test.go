package patch

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkApplyChunks(b *testing.B) {
	var file strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&file, "line %d of a fairly ordinary source file\n", i)
	}
	p, err := Parse("*** Begin Patch\n*** Update File: f\n@@ line 1500 of a fairly ordinary source file\n line 1501 of a fairly ordinary source file\n-line 1502 of a fairly ordinary source file\n+changed\n*** End Patch")
	if err != nil {
		b.Fatal(err)
	}
	content := file.String()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := applyChunks(content, p.Hunks[0].Chunks, "f"); err != nil {
			b.Fatal(err)
		}
	}
}
