package skills

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWatcher: every kind of change to a known root's SKILL.md files is
// seen once; a new root is recorded without a change; files that are
// not SKILL.md, and hidden folders, are not watched.
func TestWatcher(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "skills")
	other := filepath.Join(t.TempDir(), "more")
	skill := filepath.Join(root, "demo", FileName)
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var w Watcher
	w.Add(root)
	if w.Look() {
		t.Fatal("first look reported a change")
	}
	steps := []struct {
		what   string
		do     func()
		roots  []string
		change bool
	}{
		{"root created with a skill", func() { write(skill, "---\nname: demo\ndescription: d\n---\n") }, []string{root}, true},
		{"nothing", func() {}, []string{root}, false},
		{"same size, mtime put back", func() {
			st, _ := os.Stat(skill)
			write(skill, "---\nname: demo\ndescription: e\n---\n")
			if err := os.Chtimes(skill, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
		}, []string{root}, true},
		{"replaced by a rename", func() {
			tmp := filepath.Join(root, "demo", "tmp")
			write(tmp, "---\nname: demo\ndescription: f\n---\n")
			if err := os.Rename(tmp, skill); err != nil {
				t.Fatal(err)
			}
		}, []string{root}, true},
		{"a script beside it", func() { write(filepath.Join(root, "demo", "run.sh"), "echo") }, []string{root}, false},
		{"a hidden folder", func() { write(filepath.Join(root, ".git", "x", FileName), "x") }, []string{root}, false},
		{"a new root joins with a skill", func() { write(filepath.Join(other, "b", FileName), "x") }, []string{root, other}, false},
		{"a second skill", func() { write(filepath.Join(other, "c", FileName), "y") }, []string{root, other}, true},
		{"removed", func() {
			if err := os.RemoveAll(filepath.Join(root, "demo")); err != nil {
				t.Fatal(err)
			}
		}, []string{root, other}, true},
	}
	for _, s := range steps {
		s.do()
		w.Add(s.roots...)
		if got := w.Look(); got != s.change {
			t.Errorf("%s: change = %v, want %v", s.what, got, s.change)
		}
	}
}

// TestWatchStops: Run returns when its context ends.
func TestWatchStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := contextWithCancel()
	done := make(chan struct{})
	go func() {
		var w Watcher
		w.Run(ctx, time.Hour, func() {})
		close(done)
	}()
	cancel()
	<-done
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
