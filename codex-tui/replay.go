package tui

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// replayEntry is one message of a resumed conversation, shown again
// when the session starts so the user sees where it left off.
type replayEntry struct {
	user bool
	text string
}

// maxReplay bounds how many earlier messages a resume prints: the
// newest are kept (the rest is in the rollout and the transcript of the
// earlier run).
const maxReplay = 200

// loadReplay reads the conversation of a rollout file.
func loadReplay(path string) ([]replayEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	defer func() { _ = f.Close() }()
	return parseReplay(f)
}

// parseReplay extracts the user prompts and assistant answers from a
// rollout's response items, in order; a compaction replaces what came
// before with its replacement history, as it does for the agent. Lines
// it cannot read are skipped (a crash can leave a torn last line).
func parseReplay(r io.Reader) ([]replayEntry, error) {
	var out []replayEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var l rolloutLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		switch l.Type {
		case "response_item":
			if e, ok := replayItem(l.Payload); ok {
				out = append(out, e)
			}
		case "compacted":
			var c struct {
				Replacement []json.RawMessage `json:"replacement_history"`
			}
			if json.Unmarshal(l.Payload, &c) != nil || c.Replacement == nil {
				continue
			}
			out = out[:0]
			for _, it := range c.Replacement {
				if e, ok := replayItem(it); ok {
					out = append(out, e)
				}
			}
		}
	}
	if len(out) > maxReplay {
		out = out[len(out)-maxReplay:]
	}
	return out, sc.Err()
}

// replayItem turns a user or assistant message item into an entry;
// the context blocks Codex sends on its own (environment, instructions,
// all in <tags>) and developer messages are not the conversation.
func replayItem(raw json.RawMessage) (replayEntry, bool) {
	var item struct {
		Type    string `json:"type"`
		Role    string `json:"role"`
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	if json.Unmarshal(raw, &item) != nil || item.Type != "message" || (item.Role != "user" && item.Role != "assistant") {
		return replayEntry{}, false
	}
	var parts []string
	for _, c := range item.Content {
		switch {
		case item.Role == "user" && c.Type == "input_text":
			if t := strings.TrimSpace(c.Text); t != "" && !injectedContext(t) {
				parts = append(parts, c.Text)
			}
		case item.Role == "assistant" && c.Type == "output_text":
			parts = append(parts, c.Text)
		}
	}
	text := strings.Join(parts, "\n")
	if strings.TrimSpace(text) == "" {
		return replayEntry{}, false
	}
	return replayEntry{user: item.Role == "user", text: text}, true
}

// printReplay prints the resumed conversation after the session header.
func (m *model) printReplay() {
	if len(m.replay) == 0 {
		return
	}
	for _, e := range m.replay {
		if e.user {
			m.print(userCell{text: e.text})
			continue
		}
		var s mdStream
		m.streamFirst = true
		m.printSegments(s.Push(e.text))
		m.printSegments(s.Finish())
	}
	m.streamFirst = true
	m.replay = nil
}
