// Package rollout finds recorded sessions: the rollout-*.jsonl files the
// agent writes under $CODEX_HOME/sessions/YYYY/MM/DD, which `exec resume`,
// `codex proto` and the TUI's resume picker read back.
package rollout

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// SessionsDir returns the folder holding a CODEX_HOME's rollouts.
func SessionsDir(codexHome string) string { return filepath.Join(codexHome, "sessions") }

// Files lists every rollout file under dir, newest first. A missing dir
// holds no sessions.
func Files(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), "rollout-") && strings.HasSuffix(d.Name(), ".jsonl") {
			files = append(files, p)
		}
		return nil
	})
	// File names start with the creation time, so name order is time order.
	sort.Slice(files, func(i, j int) bool { return filepath.Base(files[i]) > filepath.Base(files[j]) })
	return files, err
}
