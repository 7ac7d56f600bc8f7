package sse

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func readAll(t *testing.T, s string) ([]Event, error) {
	t.Helper()
	r := NewReader(strings.NewReader(s))
	var out []Event
	for {
		ev, err := r.Next()
		if err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, err
		}
		out = append(out, ev)
	}
}

func TestNext(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Event
	}{
		{"simple", "event: a\ndata: {\"x\":1}\n\n", []Event{{Type: "a", Data: `{"x":1}`}}},
		{"default type", "data: hi\n\n", []Event{{Type: "message", Data: "hi"}}},
		{"multi data", "data: a\ndata: b\n\n", []Event{{Type: "message", Data: "a\nb"}}},
		{"crlf", "event: x\r\ndata: 1\r\n\r\n", []Event{{Type: "x", Data: "1"}}},
		{"cr only", "event: x\rdata: 1\r\r", []Event{{Type: "x", Data: "1"}}},
		{"comment and id", ": ping\nid: 7\ndata: z\n\n", []Event{{Type: "message", Data: "z", ID: "7"}}},
		{"no space", "data:tight\n\n", []Event{{Type: "message", Data: "tight"}}},
		{"empty data", "data\n\n", []Event{{Type: "message", Data: ""}}},
		{"event without data dropped", "event: a\n\ndata: b\n\n", []Event{{Type: "message", Data: "b"}}},
		{"unterminated dropped", "data: a\n\ndata: b\n", []Event{{Type: "message", Data: "a"}}},
		{"two", "event: a\ndata: 1\n\nevent: b\ndata: 2\n\n", []Event{{Type: "a", Data: "1"}, {Type: "b", Data: "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.in)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestWriteRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "response.created", "line1\nline2"); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{Type: "response.created", Data: "line1\nline2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestReadError(t *testing.T) {
	_, err := NewReader(errReader{}).Next()
	if err == nil || err.Error() != "boom" {
		t.Errorf("err = %v, want boom", err)
	}
}

func FuzzNext(f *testing.F) {
	f.Add("event: a\ndata: {\"x\":1}\n\n")
	f.Add("data: a\r\ndata: b\r\n\r\n: c\nid: 1\n\n")
	f.Add("\r\r\n\n:")
	f.Fuzz(func(t *testing.T, s string) {
		r := NewReader(strings.NewReader(s))
		for i := 0; i < len(s)+1; i++ {
			ev, err := r.Next()
			if err != nil {
				return
			}
			// Writing an event and reading it back yields the same event.
			if strings.ContainsAny(ev.Type, "\r\n") {
				t.Fatalf("type %q holds a line break", ev.Type)
			}
			var b bytes.Buffer
			if err := Write(&b, ev.Type, strings.ReplaceAll(ev.Data, "\r", "")); err != nil {
				t.Fatal(err)
			}
			back, err := NewReader(&b).Next()
			if err != nil {
				t.Fatalf("re-read: %v", err)
			}
			if back.Data != strings.ReplaceAll(ev.Data, "\r", "") {
				t.Fatalf("round trip data %q != %q", back.Data, ev.Data)
			}
		}
		t.Fatalf("more events than bytes")
	})
}
