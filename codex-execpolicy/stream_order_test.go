package execpolicy

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/codexgo/common/protocol"
)

// TestStreamMatchesCheck: the mixed stream judged by several workers
// (each reusing one evaluator across requests) gives, line for line and
// in input order, what a fresh Check gives for each request alone.
func TestStreamMatchesCheck(t *testing.T) {
	p := loadDefault(t)
	data, err := os.ReadFile("testdata/bench/mixed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte{'\n'}) {
		var req protocol.PolicyRequest
		if err := decodeRequest(line, &req); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		v := p.Check(req)
		v.ProtocolVersion = protocol.PolicyProtocolVersion
		want = appendVerdict(want, &v)
	}
	for _, workers := range []int{1, 3, 0} {
		var out bytes.Buffer
		if _, err := p.Stream(context.Background(), bytes.NewReader(data), &out, StreamOptions{Workers: workers}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			got, exp := bytes.Split(out.Bytes(), []byte{'\n'}), bytes.Split(want, []byte{'\n'})
			for i := range min(len(got), len(exp)) {
				if !bytes.Equal(got[i], exp[i]) {
					t.Fatalf("workers=%d: line %d differs\n got %s\nwant %s", workers, i+1, got[i], exp[i])
				}
			}
			t.Fatalf("workers=%d: %d lines, want %d", workers, len(got), len(exp))
		}
	}
}
