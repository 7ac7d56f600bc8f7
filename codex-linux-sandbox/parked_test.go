package linuxsandbox

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// TestPlanMessage: a plan's arguments and environment come back as they
// were sent; a message whose counts do not match its strings, or with a
// NUL in a string, is refused.
func TestPlanMessage(t *testing.T) {
	for _, tc := range []struct{ args, env []string }{
		{[]string{"--sandbox-policy", `{"mode":"read-only"}`, "--", "sh", "-c", "echo 'a b'"}, []string{"PATH=/bin", "X="}},
		{[]string{"--", ""}, nil},
		{nil, nil},
	} {
		b, err := AppendPlanMessage(nil, tc.args, tc.env)
		if err != nil {
			t.Fatal(err)
		}
		if n := binary.LittleEndian.Uint32(b); int(n) != len(b)-4 {
			t.Errorf("length %d for a body of %d", n, len(b)-4)
		}
		args, env, err := parsePlanMessage(b[4:])
		if err != nil || !slices.Equal(args, tc.args) || !slices.Equal(env, tc.env) {
			t.Errorf("%q %q: got %q %q, %v", tc.args, tc.env, args, env, err)
		}
	}
	if _, err := AppendPlanMessage(nil, []string{"a\x00b"}, nil); err == nil {
		t.Error("a NUL in an argument was accepted")
	}
	for _, bad := range []string{"", "\x01\x00\x00\x00\x00\x00\x00\x00", "\x01\x00\x00\x00\x00\x00\x00\x00a", "\x00\x00\x00\x00\x00\x00\x00\x00a\x00", "\xff\xff\xff\xff\xff\xff\xff\xff\x00"} {
		if _, _, err := parsePlanMessage([]byte(bad)); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// FuzzPlanMessage: any body either is refused or decodes to strings that
// encode back to the same body.
func FuzzPlanMessage(f *testing.F) {
	b, _ := AppendPlanMessage(nil, []string{"--", "true"}, []string{"A=1"})
	f.Add(b[4:])
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, body []byte) {
		args, env, err := parsePlanMessage(body)
		if err != nil {
			return
		}
		for _, s := range append(slices.Clone(args), env...) {
			if strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("decoded a NUL: %q", s)
			}
		}
		again, err := AppendPlanMessage(nil, args, env)
		if err != nil || string(again[4:]) != string(body) {
			t.Fatalf("%q decoded to %q %q, which encodes to %q (%v)", body, args, env, again, err)
		}
	})
}
