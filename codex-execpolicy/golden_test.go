package execpolicy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestGoldenVerdicts runs testdata/golden/requests.jsonl through the JSONL
// stream and compares the verdicts with verdicts.jsonl (-update rewrites).
func TestGoldenVerdicts(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "golden", "requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// Pretend only /usr/bin copies exist, so the trusted executable does
	// not depend on the machine.
	exists := func(p string) bool { return filepath.Dir(p) == "/usr/bin" }
	p, err := LoadSources(nil, Options{Home: "/home/u", Exists: exists})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := p.Stream(context.Background(), bytes.NewReader(in), &out, StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden", "verdicts.jsonl")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGoldenVerdicts -update)", err)
	}
	gotLines, wantLines := bytes.Split(out.Bytes(), []byte("\n")), bytes.Split(want, []byte("\n"))
	if len(gotLines) != len(wantLines) {
		t.Fatalf("got %d lines, want %d", len(gotLines), len(wantLines))
	}
	for i := range gotLines {
		if !bytes.Equal(gotLines[i], wantLines[i]) {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, gotLines[i], wantLines[i])
		}
	}
}
