package protoserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// History is the persistent prompt history, $CODEX_HOME/history.jsonl:
// one {"session_id","ts","text"} object a line, shared by every session
// and written under an advisory lock. Its log id is the file's inode, so
// a front end can tell when the file it indexed was replaced.
type History struct {
	Path string
	// Save false keeps the history read-only (history.persistence =
	// "none").
	Save bool
	Now  func() time.Time

	mu sync.Mutex
}

type historyEntry struct {
	SessionID string `json:"session_id"`
	TS        int64  `json:"ts"`
	Text      string `json:"text"`
}

// Stat returns the log id and the number of entries.
func (h *History) Stat() (uint64, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b, err := os.ReadFile(h.Path)
	if err != nil {
		return 0, 0
	}
	return inode(h.Path), bytes.Count(b, []byte("\n"))
}

// Append adds one prompt.
func (h *History) Append(sessionID, text string) error {
	if !h.Save {
		return nil
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	line, err := json.Marshal(historyEntry{SessionID: sessionID, TS: now().Unix(), Text: text})
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(h.Path), 0o700); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	f, err := os.OpenFile(h.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	defer func() { _ = f.Close() }()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("history: lock: %w", err)
	}
	defer func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }()
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}

// Entry returns the text of entry offset (0-based) of log logID, or nil
// when the log changed or there is no such entry.
func (h *History) Entry(logID uint64, offset int) *string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if offset < 0 || (logID != 0 && logID != inode(h.Path)) {
		return nil
	}
	f, err := os.Open(h.Path)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	for i := 0; sc.Scan(); i++ {
		if i < offset {
			continue
		}
		var e historyEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			return nil
		}
		return &e.Text
	}
	return nil
}

func inode(path string) uint64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return sys.Ino
	}
	return 0
}
