package sse

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

func BenchmarkNext(b *testing.B) {
	var stream bytes.Buffer
	for i := 0; i < 100; i++ {
		_ = Write(&stream, "response.output_text.delta", fmt.Sprintf(`{"type":"response.output_text.delta","output_index":0,"delta":"word %d "}`, i))
	}
	data := stream.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := NewReader(bytes.NewReader(data))
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
