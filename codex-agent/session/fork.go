package session

import (
	"fmt"
	"time"
)

// ForkRollout copies the session recorded at path into a new session
// (a new thread id, a new rollout file holding the same history) and
// returns the new rollout's path and id. The original is not touched:
// `codex fork` and `codex exec fork` continue the copy.
func ForkRollout(codexHome, path string, now func() time.Time) (newPath, newID string, err error) {
	old, err := LoadRollout(path)
	if err != nil {
		return "", "", fmt.Errorf("fork: %w", err)
	}
	if newID, err = NewThreadID(now()); err != nil {
		return "", "", err
	}
	meta := old.Meta
	meta.ID = newID
	meta.Timestamp = ""
	rec, err := CreateRollout(codexHome, meta, now)
	if err != nil {
		return "", "", fmt.Errorf("fork: %w", err)
	}
	for _, it := range old.History {
		rec.Item(it)
	}
	if err := rec.Close(); err != nil {
		return "", "", fmt.Errorf("fork: %w", err)
	}
	return rec.Path(), newID, nil
}
