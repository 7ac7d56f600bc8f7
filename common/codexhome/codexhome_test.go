package codexhome

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		want string
		err  bool
	}{
		{"CODEX_HOME wins", map[string]string{"CODEX_HOME": "/x/ch", "HOME": "/h"}, "/x/ch", false},
		{"HOME fallback", map[string]string{"HOME": "/h"}, "/h/.codex", false},
		{"neither", map[string]string{}, "", true},
	}
	for _, tt := range tests {
		got, err := Dir(env(tt.env))
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s: got %q, %v; want %q (error %v)", tt.name, got, err, tt.want, tt.err)
		}
	}
	rel, err := Dir(env(map[string]string{"CODEX_HOME": "rel"}))
	if err != nil || !filepath.IsAbs(rel) {
		t.Errorf("relative CODEX_HOME: got %q, %v; want an absolute path", rel, err)
	}
}

func TestEnsure(t *testing.T) {
	t.Parallel()
	d := filepath.Join(t.TempDir(), "a", "codex")
	if err := Ensure(d); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(d)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("got %v, %v; want a 0700 directory", fi.Mode(), err)
	}
}
