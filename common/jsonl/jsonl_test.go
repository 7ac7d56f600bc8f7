package jsonl

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

func TestReader(t *testing.T) {
	t.Parallel()
	in := "{\"a\":1}\n\n{bad}\n" + `{"a":` + strings.Repeat("1", 40) + "}\n{\"a\":2}\r\n{\"a\":3}"
	r := NewReader(strings.NewReader(in), 32)
	type want struct {
		a      int
		line   int
		offset int64
		errSub string
	}
	wants := []want{
		{a: 1},
		{line: 3, offset: 9, errSub: "invalid character"},
		{line: 4, offset: 15, errSub: "line too long"},
		{a: 2},
		{a: 3},
	}
	for i, w := range wants {
		var v struct{ A int }
		err := r.Next(&v)
		if w.errSub == "" {
			if err != nil || v.A != w.a {
				t.Fatalf("value %d: got %+v, %v; want a=%d", i, v, err, w.a)
			}
			continue
		}
		var le *LineError
		if !errors.As(err, &le) {
			t.Fatalf("value %d: got %v, want *LineError", i, err)
		}
		if le.Line != w.line || le.Offset != w.offset || !strings.Contains(le.Error(), w.errSub) {
			t.Errorf("value %d: got line %d offset %d %q; want line %d offset %d containing %q", i, le.Line, le.Offset, le.Error(), w.line, w.offset, w.errSub)
		}
	}
	var v any
	if err := r.Next(&v); err != io.EOF {
		t.Errorf("at end: got %v, want io.EOF", err)
	}
}

func TestReaderLongLineOverBuffer(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 200<<10)
	in := `"` + long + "\"\n\"ok\"\n"
	r := NewReader(strings.NewReader(in), 100<<10)
	var s string
	if err := r.Next(&s); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("got %v, want ErrLineTooLong", err)
	}
	if err := r.Next(&s); err != nil || s != "ok" {
		t.Fatalf("got %q, %v; want ok", s, err)
	}
	r = NewReader(strings.NewReader(in), 300<<10)
	if err := r.Next(&s); err != nil || len(s) != len(long) {
		t.Fatalf("within limit: got len %d, %v", len(s), err)
	}
}

func TestWriterConcurrent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := w.Write(map[string]int{"i": i}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	r := NewReader(&buf, 0)
	seen := map[int]bool{}
	for {
		var v struct{ I int }
		err := r.Next(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[v.I] = true
	}
	if len(seen) != 50 {
		t.Errorf("got %d distinct lines, want 50", len(seen))
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n{bad\n\n"), 16)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		r := NewReader(bytes.NewReader(data), max%4096)
		for i := 0; i < len(data)+2; i++ {
			var v any
			err := r.Next(&v)
			if err == io.EOF {
				return
			}
			var le *LineError
			if err != nil && !errors.As(err, &le) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
		}
		t.Fatal("reader did not reach EOF")
	})
}
