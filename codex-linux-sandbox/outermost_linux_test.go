package linuxsandbox

import (
	"reflect"
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]string(nil), tc.roots...)
			if got := outermost(tc.roots); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("outermost(%q) = %q, want %q", tc.roots, got, tc.want)
			}
			if !reflect.DeepEqual(in, tc.roots) {
				t.Errorf("outermost changed its argument: %q, was %q", tc.roots, in)
			}
		})
	}
}
