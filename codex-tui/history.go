package tui

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// historyEntry is one line of $CODEX_HOME/history.jsonl, in the Codex
// format: {"session_id","ts","text"}.
type historyEntry struct {
	SessionID string `json:"session_id"`
	TS        int64  `json:"ts"`
	Text      string `json:"text"`
}

// maxHistoryLoad bounds how many persisted prompts are loaded.
const maxHistoryLoad = 1000

// loadHistory reads the prompts in path, oldest first; a missing file is
// an empty history and malformed lines are skipped.
func loadHistory(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer func() { _ = f.Close() }()
	return parseHistory(f)
}

// parseHistory reads history.jsonl content: the prompts, oldest first, at
// most maxHistoryLoad of the newest; malformed lines are skipped.
func parseHistory(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e historyEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Text == "" {
			continue
		}
		out = append(out, e.Text)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read history: %w", err)
	}
	if len(out) > maxHistoryLoad {
		out = out[len(out)-maxHistoryLoad:]
	}
	return out, nil
}

// appendHistory appends one prompt to path (created 0600: prompts can
// hold secrets). One write per entry so concurrent sessions interleave
// whole lines.
func appendHistory(path, sessionID, text string, now time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	b, err := json.Marshal(historyEntry{SessionID: sessionID, TS: now.Unix(), Text: text})
	if err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("append history: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	return nil
}

// promptHistory walks previous prompts with Up/Down; the draft being
// typed is kept and restored when walking past the newest entry.
type promptHistory struct {
	entries []string // oldest first
	pos     int      // len(entries) = not browsing
	draft   string
}

// Load puts persisted entries before this session's.
func (h *promptHistory) Load(older []string) {
	browsing := h.pos < len(h.entries)
	h.entries = append(append([]string{}, older...), h.entries...)
	if !browsing {
		h.pos = len(h.entries)
	} else {
		h.pos += len(older)
	}
}

// Add records a sent prompt and stops browsing.
func (h *promptHistory) Add(s string) {
	if n := len(h.entries); n == 0 || h.entries[n-1] != s {
		h.entries = append(h.entries, s)
	}
	h.pos = len(h.entries)
	h.draft = ""
}

// Prev returns the previous entry; current is the draft, saved when
// browsing starts.
func (h *promptHistory) Prev(current string) (string, bool) {
	if h.pos == 0 {
		return "", false
	}
	if h.pos == len(h.entries) {
		h.draft = current
	}
	h.pos--
	return h.entries[h.pos], true
}

// Next returns the next entry, or the saved draft after the newest.
func (h *promptHistory) Next() (string, bool) {
	if h.pos >= len(h.entries) {
		return "", false
	}
	h.pos++
	if h.pos == len(h.entries) {
		return h.draft, true
	}
	return h.entries[h.pos], true
}
