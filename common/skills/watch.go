package skills

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Fingerprint describes the SKILL.md files under root as Discover finds
// them: their paths, and of each its size, inode, modification and
// change times. Any edit, addition, removal or replacement (a rename
// over it, a new symlink target) changes it, even one that keeps the
// size and resets the modification time (the change time moves). A
// missing root has the empty fingerprint.
func Fingerprint(root string) string {
	var b strings.Builder
	for _, p := range skillFiles(root) {
		st, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(&b, "%s:gone\n", p)
			continue
		}
		fmt.Fprintf(&b, "%s:%d:%d", p, st.Size(), st.ModTime().UnixNano())
		b.WriteString(inodeStamp(st))
		b.WriteByte('\n')
	}
	return b.String()
}

// Watcher notices changes of the SKILL.md files under a growing set of
// roots by looking at them at intervals (Run). Polling, rather than
// inotify, sees roots that do not exist yet and files behind symbolic
// links, and costs a walk of a few small folders per interval. Safe for
// concurrent use; the zero value is ready.
type Watcher struct {
	mu    sync.Mutex
	known map[string]string // root: fingerprint
}

// Add watches more roots from now on: their files as they are now are
// the baseline (recorded before Add returns), so any later change is
// reported. Roots already watched keep their baseline.
func (w *Watcher) Add(roots ...string) {
	fps := map[string]string{}
	for _, r := range roots {
		w.mu.Lock()
		_, ok := w.known[r]
		w.mu.Unlock()
		if !ok {
			fps[r] = Fingerprint(r)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.known == nil {
		w.known = map[string]string{}
	}
	for r, fp := range fps {
		if _, ok := w.known[r]; !ok {
			w.known[r] = fp
		}
	}
}

// Look compares every watched root with its last look and reports
// whether any changed (added, removed, edited or replaced SKILL.md
// files).
func (w *Watcher) Look() bool {
	w.mu.Lock()
	roots := make([]string, 0, len(w.known))
	for r := range w.known {
		roots = append(roots, r)
	}
	w.mu.Unlock()
	sort.Strings(roots)
	changed := false
	for _, r := range roots {
		fp := Fingerprint(r)
		w.mu.Lock()
		if w.known[r] != fp {
			w.known[r], changed = fp, true
		}
		w.mu.Unlock()
	}
	return changed
}

// Run looks every interval until ctx ends and calls changed once for
// every look that saw a change.
func (w *Watcher) Run(ctx context.Context, interval time.Duration, changed func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if w.Look() {
				changed()
			}
		}
	}
}
