package sandboxpolicy

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"
)

func TestOutermost(t *testing.T) {
	tests := []struct {
		name  string
		roots []string
		want  []string
	}{
		{"none", nil, nil},
		{"disjoint", []string{"/b", "/a"}, []string{"/a", "/b"}},
		{"nested dropped", []string{"/tmp/x/y", "/tmp", "/tmp/x"}, []string{"/tmp"}},
		{"prefix is not nesting", []string{"/tmp", "/tmpfoo"}, []string{"/tmp", "/tmpfoo"}},
		{"slash covers all", []string{"/home/u", "/"}, []string{"/"}},
		{"duplicates", []string{"/a", "/a", "/a/b", "/a/b"}, []string{"/a"}},
		// '-' sorts before '/': a plain sort puts /a-b between /a and /a/c.
		{"sibling between parent and child", []string{"/a/c", "/a-b", "/a", "/a-b/d"}, []string{"/a", "/a-b"}},
		{"deep chain", []string{"/a/b/c/d", "/a/b", "/a/b/c", "/a/bc", "/a/b.c/x"}, []string{"/a/b", "/a/b.c/x", "/a/bc"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]string(nil), tc.roots...)
			if got := Outermost(tc.roots); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Outermost(%q) = %q, want %q", tc.roots, got, tc.want)
			}
			if !reflect.DeepEqual(in, tc.roots) {
				t.Errorf("outermost changed its argument: %q, was %q", tc.roots, in)
			}
		})
	}
}

// TestOutermostMatchesPairwise checks the sorted scan against the
// definition (compare every pair) on random trees of short names.
func TestOutermostMatchesPairwise(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	parts := []string{"a", "b", "a-b", "a.b", "ab", "a b"}
	for iter := 0; iter < 500; iter++ {
		var roots []string
		for i := rng.Intn(12); i >= 0; i-- {
			p := ""
			for d := rng.Intn(4); d >= 0; d-- {
				p += "/" + parts[rng.Intn(len(parts))]
			}
			roots = append(roots, p)
		}
		var want []string
		for i, r := range roots {
			nested := false
			for j, o := range roots {
				if (i != j && r != o && Within(r, o)) || (r == o && j < i) {
					nested = true
					break
				}
			}
			if !nested {
				want = append(want, r)
			}
		}
		sort.Strings(want)
		if got := Outermost(roots); !reflect.DeepEqual(got, want) {
			t.Fatalf("Outermost(%q) = %q, want %q", roots, got, want)
		}
	}
}

func TestCompareSlashFirst(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"/a", "/a", 0}, {"/a", "/a/b", -1}, {"/a/b", "/a-b", -1}, {"/a-b", "/a/b", 1}, {"/a", "/b", -1}, {"/b/c", "/a", 1},
	}
	for _, tc := range tests {
		if got := compareSlashFirst(tc.a, tc.b); sign(got) != tc.want {
			t.Errorf("compareSlashFirst(%q, %q) = %d, want sign %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func BenchmarkOutermost(b *testing.B) {
	for _, nested := range []bool{false, true} {
		b.Run(fmt.Sprintf("nested=%v", nested), func(b *testing.B) {
			roots := []string{"/tmp", "/home/u/ws"}
			for i := 0; i < 100; i++ {
				if nested {
					roots = append(roots, fmt.Sprintf("/tmp/bench/r%d", i))
				} else {
					roots = append(roots, fmt.Sprintf("/srv/bench/r%d", i))
				}
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Outermost(roots)
			}
		})
	}
}
