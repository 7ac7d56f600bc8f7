package jsonlite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

func stdString(t testing.TB, s string, escapeHTML bool) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var seeds = []string{"", "plain", `q"uote\back`, "<a href='x'>&</a>", "tab\tnl\nret\rbs\bff\f",
	"\x00\x01\x1f\x7f", "é ü 日本", "\u2028\u2029", "bad \xff\xfe utf8 \xc3", "emoji 😀"}

// FuzzAppendString: the bytes are encoding/json's, with and without HTML
// escaping.
func FuzzAppendString(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{true, false} {
			if got, want := AppendString(nil, s, html), stdString(t, s, html); !bytes.Equal(got, want) {
				t.Fatalf("%q (html %v): got %s, want %s", s, html, got, want)
			}
		}
	})
}

func TestScanner(t *testing.T) {
	s := &Scanner{Buf: []byte(` { "a" : ["x", "y"], "b": true, "c": false, "d": [ ] } `)}
	var b, c bool
	if !s.Eat('{') {
		t.Fatal("no {")
	}
	for _, step := range []func() bool{
		func() bool { k, ok := s.Str(); return ok && k == "a" && s.Eat(':') },
		func() bool { v, ok := s.Strs(); return ok && len(v) == 2 && v[1] == "y" && s.Eat(',') },
		func() bool { k, ok := s.Str(); return ok && k == "b" && s.Eat(':') && s.Bool(&b) && b && s.Eat(',') },
		func() bool { _, ok := s.Str(); return ok && s.Eat(':') && s.Bool(&c) && !c && s.Eat(',') },
		func() bool { _, ok := s.Str(); return ok && s.Eat(':') },
		func() bool { v, ok := s.Strs(); return ok && v != nil && len(v) == 0 && s.Eat('}') && s.Done() },
	} {
		if !step() {
			t.Fatalf("scan stopped at %d of %q", s.Pos, s.Buf)
		}
	}
	for _, bad := range []string{`"a\"b"`, `"ctl` + "\x01" + `"`, "\"\xff\"", `"open`, `null`} {
		if _, ok := (&Scanner{Buf: []byte(bad)}).Str(); ok {
			t.Errorf("Str accepted %q", bad)
		}
	}
	if _, ok := (&Scanner{Buf: []byte(`["a",]`)}).Strs(); ok {
		t.Error("Strs accepted a trailing comma")
	}
	if ok := (&Scanner{Buf: []byte(`tru`)}).Bool(&b); ok {
		t.Error("Bool accepted tru")
	}
}

// With Src set, strings are cut from it and the arrays of one input share
// a slab: each keeps its own elements, appending to one never writes
// into the next, and an empty array is still non-nil.
func TestScannerSrc(t *testing.T) {
	in := `[["a","b","c"],[],["d"],["e","f","g","h","i","j","k","l","m","n"],["o"]]`
	s := &Scanner{Buf: []byte(in), Src: in}
	s.Eat('[')
	var got [][]string
	for {
		v, ok := s.Strs()
		if !ok {
			t.Fatalf("Strs failed at %d", s.Pos)
		}
		got = append(got, v)
		if !s.Eat(',') {
			break
		}
	}
	if !s.Eat(']') || !s.Done() {
		t.Fatal("not at the end")
	}
	got[0] = append(got[0], "X") // must copy, not overwrite got[1] or got[2]
	want := `[[a b c X] [] [d] [e f g h i j k l m n] [o]]`
	if fmt.Sprint(got) != want || got[1] == nil {
		t.Fatalf("got %v (empty nil: %v), want %s", got, got[1] == nil, want)
	}
	k, ok := (&Scanner{Buf: []byte(`"key"`)}).Key()
	if !ok || string(k) != "key" {
		t.Fatalf("Key = %q, %v", k, ok)
	}
}
