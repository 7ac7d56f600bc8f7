package tui

import (
	"bytes"
	"testing"
)

func TestMarkPastedNewlines(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		more     bool
	}{
		{"\r", "\r", false},
		{"hi\r", "hi\r", false},         // a script's prompt and Enter: sent
		{"hi\r", "hi\n", true},          // more is waiting: the paste goes on
		{"a\rb", "a\nb", false},         // pasted lines
		{"a\r\rb\r", "a\n\nb\r", false}, // a blank line kept, the last Enter sends
		{"a\r\nb", "a\n\nb", false},     // CRLF
		{"\r\x1b[A", "\r\x1b[A", false}, // Enter, then Up: keys
		{"\x1b[200~a\rb\x1b[201~", "\x1b[200~a\nb\x1b[201~", false},
		{"\r\r", "\r\r", true}, // no text: keys
		{"x\rü", "x\nü", false},
	} {
		b := []byte(tc.in)
		markPastedNewlines(b, func() bool { return tc.more })
		if string(b) != tc.want {
			t.Errorf("%q (more %v): got %q, want %q", tc.in, tc.more, b, tc.want)
		}
	}
}

// FuzzMarkPastedNewlines: terminal input is outside input; the
// translation keeps every byte but CRs, and turns CRs only into LFs.
func FuzzMarkPastedNewlines(f *testing.F) {
	f.Add([]byte("a\rb\r"), true)
	f.Add([]byte("\x1b[200~x\ry\x1b[201~\r"), false)
	f.Fuzz(func(t *testing.T, in []byte, more bool) {
		b := bytes.Clone(in)
		markPastedNewlines(b, func() bool { return more })
		if len(b) != len(in) {
			t.Fatalf("length changed")
		}
		for i := range b {
			if b[i] != in[i] && (in[i] != '\r' || b[i] != '\n') {
				t.Fatalf("byte %d: %q became %q", i, in[i], b[i])
			}
		}
	})
}
