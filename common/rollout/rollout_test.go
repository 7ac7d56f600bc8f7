package rollout

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestFiles(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	dir := SessionsDir(home)
	mk := func(rel string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	older := mk("2026/01/02/rollout-2026-01-02T10-00-00-a.jsonl")
	newer := mk("2026/11/25/rollout-2026-11-25T08-00-00-b.jsonl")
	mk("2026/11/25/notes.txt")
	mk("2026/11/25/rollout-x.json")
	got, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{newer, older}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if none, err := Files(filepath.Join(home, "missing")); err != nil || len(none) != 0 {
		t.Errorf("missing dir: got %v, %v; want none", none, err)
	}
}
