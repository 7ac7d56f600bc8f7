package appserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/codexgo/common/rollout"
)

// recorded is a thread read back from its rollout file.
type recorded struct {
	meta  threadMeta
	turns []*recordedTurn
}

type recordedTurn struct {
	id     string
	status string
	errMsg string
	items  []map[string]any
	// calls are the tool calls waiting for their output, by call id.
	calls map[string]map[string]any
}

func (t *recordedTurn) object(withItems bool) map[string]any {
	items := []any{}
	if withItems {
		for _, it := range t.items {
			items = append(items, it)
		}
	}
	o := map[string]any{"id": t.id, "items": items, "status": t.status, "error": nil}
	if t.errMsg != "" {
		o["error"] = map[string]any{"message": t.errMsg}
	}
	return o
}

// turnID names the n-th turn (from 1) of a thread: the same name live
// and read back from the rollout.
func turnID(n int) string { return fmt.Sprintf("turn-%d", n) }

type rolloutLine struct {
	Timestamp string          `json:"timestamp"`
	Type      string          `json:"type"`
	Payload   json.RawMessage `json:"payload"`
}

// readRollout reads a rollout file; torn or unknown lines are skipped.
// metaOnly stops after the first user message (enough for listing).
func readRollout(path string, metaOnly bool) (*recorded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open rollout: %w", err)
	}
	defer func() { _ = f.Close() }()
	r := &recorded{}
	r.meta.Path = path
	if st, err := f.Stat(); err == nil {
		r.meta.UpdatedAt = st.ModTime().Unix()
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var cur *recordedTurn
	seenMeta := false
	newTurn := func() *recordedTurn {
		t := &recordedTurn{id: turnID(len(r.turns) + 1), status: "completed", calls: map[string]map[string]any{}}
		r.turns = append(r.turns, t)
		return t
	}
	n := 0
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			var l rolloutLine
			if json.Unmarshal(line, &l) == nil {
				n++
				if l.Type == "session_meta" && !seenMeta {
					var m struct {
						ID            string `json:"id"`
						Timestamp     string `json:"timestamp"`
						Cwd           string `json:"cwd"`
						Originator    string `json:"originator"`
						CliVersion    string `json:"cli_version"`
						Source        any    `json:"source"`
						ModelProvider string `json:"model_provider"`
						ForkedFrom    string `json:"forked_from_id"`
					}
					if json.Unmarshal(l.Payload, &m) == nil && m.ID != "" {
						seenMeta = true
						r.meta.ID, r.meta.Cwd, r.meta.Originator, r.meta.CliVersion = m.ID, m.Cwd, m.Originator, m.CliVersion
						r.meta.ModelProvider, r.meta.ForkedFrom = m.ModelProvider, m.ForkedFrom
						if s, ok := m.Source.(string); ok {
							r.meta.Source = s
						}
						if t, err := time.Parse(time.RFC3339Nano, m.Timestamp); err == nil {
							r.meta.CreatedAt = t.Unix()
						}
					}
				} else {
					cur = r.apply(l, cur, newTurn)
				}
				if metaOnly && seenMeta && r.meta.Preview != "" {
					break
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read rollout %s: %w", path, err)
		}
	}
	if !seenMeta {
		return nil, fmt.Errorf("rollout %s has no session_meta line", path)
	}
	if r.meta.CreatedAt == 0 {
		r.meta.CreatedAt = r.meta.UpdatedAt
	}
	return r, nil
}

// apply folds one rollout line into the turns.
func (r *recorded) apply(l rolloutLine, cur *recordedTurn, newTurn func() *recordedTurn) *recordedTurn {
	switch l.Type {
	case "turn_context":
		var tc struct {
			Model  string `json:"model"`
			Effort string `json:"effort"`
		}
		if json.Unmarshal(l.Payload, &tc) == nil && tc.Model != "" {
			r.meta.Model, r.meta.Effort = tc.Model, tc.Effort
		}
	case "event_msg":
		var ev struct {
			Type    string `json:"type"`
			Message string `json:"message"`
			Reason  string `json:"reason"`
			Hint    string `json:"user_facing_hint"`
			Review  string `json:"review"`
		}
		if json.Unmarshal(l.Payload, &ev) != nil {
			return cur
		}
		switch ev.Type {
		case "task_started":
			t := newTurn()
			t.status = "inProgress"
			return t
		case "task_complete":
			if cur != nil {
				if cur.status == "inProgress" {
					cur.status = "completed"
				}
				if cur.errMsg != "" {
					cur.status = "failed"
				}
			}
			return nil
		case "turn_aborted":
			if cur != nil {
				cur.status = "interrupted"
			}
			return nil
		case "error":
			if cur != nil {
				cur.errMsg = ev.Message
			}
		case "entered_review_mode":
			if cur != nil {
				cur.items = append(cur.items, map[string]any{"type": "enteredReviewMode", "id": fmt.Sprintf("%s-review-%d", cur.id, len(cur.items)+1), "review": ev.Hint})
			}
		case "exited_review_mode":
			if cur != nil {
				cur.items = append(cur.items, map[string]any{"type": "exitedReviewMode", "id": fmt.Sprintf("%s-review-%d", cur.id, len(cur.items)+1), "review": ev.Review})
			}
		case "agent_message":
			if cur != nil && ev.Message == "Compact task completed" {
				cur.items = append(cur.items, map[string]any{"type": "contextCompaction", "id": fmt.Sprintf("%s-compaction-%d", cur.id, len(cur.items)+1)})
			}
		}
	case "response_item":
		var it struct {
			Type      string `json:"type"`
			Role      string `json:"role"`
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
			Input     string `json:"input"`
			CallID    string `json:"call_id"`
			Content   []struct {
				Type     string `json:"type"`
				Text     string `json:"text"`
				ImageURL string `json:"image_url"`
			} `json:"content"`
			Summary []struct {
				Text string `json:"text"`
			} `json:"summary"`
			Output json.RawMessage `json:"output"`
		}
		if json.Unmarshal(l.Payload, &it) != nil {
			return cur
		}
		switch it.Type {
		case "message":
			var text strings.Builder
			var content []any
			for _, c := range it.Content {
				switch c.Type {
				case "input_text", "output_text":
					text.WriteString(c.Text)
					content = append(content, map[string]any{"type": "text", "text": c.Text, "text_elements": []any{}})
				case "input_image":
					content = append(content, map[string]any{"type": "image", "url": c.ImageURL})
				}
			}
			switch it.Role {
			case "user":
				if isContextMessage(text.String()) || isReviewRecord(text.String()) {
					return cur
				}
				if cur == nil || cur.hasUser() {
					cur = newTurn()
				}
				if r.meta.Preview == "" {
					r.meta.Preview = firstLine(text.String())
				}
				if content == nil {
					content = []any{}
				}
				cur.items = append(cur.items, map[string]any{"type": "userMessage", "id": fmt.Sprintf("%s-user-%d", cur.id, len(cur.items)+1), "content": content})
			case "assistant":
				if cur == nil {
					cur = newTurn()
				}
				cur.items = append(cur.items, map[string]any{"type": "agentMessage", "id": fmt.Sprintf("%s-msg-%d", cur.id, len(cur.items)+1), "text": text.String()})
			}
		case "reasoning":
			if cur == nil {
				return cur
			}
			sum := []string{}
			for _, s := range it.Summary {
				sum = append(sum, s.Text)
			}
			cur.items = append(cur.items, map[string]any{"type": "reasoning", "id": fmt.Sprintf("%s-reasoning-%d", cur.id, len(cur.items)+1), "summary": sum, "content": []string{}})
		case "function_call", "local_shell_call":
			if cur == nil {
				return cur
			}
			var args struct {
				Command any    `json:"command"`
				Cmd     string `json:"cmd"`
				Workdir string `json:"workdir"`
			}
			_ = json.Unmarshal([]byte(it.Arguments), &args)
			var argv []string
			switch c := args.Command.(type) {
			case []any:
				for _, a := range c {
					s, _ := a.(string)
					argv = append(argv, s)
				}
			case string:
				argv = []string{"bash", "-lc", c}
			}
			if args.Cmd != "" {
				argv = []string{"bash", "-lc", args.Cmd}
			}
			if argv == nil {
				return cur
			}
			item := commandItem(it.CallID, argv, args.Workdir, nil)
			item["status"] = "completed"
			cur.items = append(cur.items, item)
			cur.calls[it.CallID] = item
		case "custom_tool_call":
			if cur == nil || it.Name != "apply_patch" {
				return cur
			}
			item := map[string]any{"type": "fileChange", "id": it.CallID, "changes": []any{}, "status": "completed"}
			cur.items = append(cur.items, item)
			cur.calls[it.CallID] = item
		case "function_call_output", "custom_tool_call_output":
			if cur == nil {
				return cur
			}
			if item := cur.calls[it.CallID]; item != nil && item["type"] == "commandExecution" {
				var out string
				if json.Unmarshal(it.Output, &out) != nil {
					var o struct {
						Content string `json:"content"`
					}
					_ = json.Unmarshal(it.Output, &o)
					out = o.Content
				}
				item["aggregatedOutput"] = out
			}
		}
	}
	return cur
}

func (t *recordedTurn) hasUser() bool {
	for _, it := range t.items {
		if it["type"] == "userMessage" {
			return true
		}
	}
	return false
}

// isReviewRecord tells the user message a review leaves in the thread's
// history (session.ReviewOp): the model's, not the user's; the review's
// items stand for it.
func isReviewRecord(s string) bool {
	return strings.HasPrefix(s, "<user_action>") && strings.Contains(s, "<action>review</action>")
}

// isContextMessage tells the messages the agent adds itself (project
// docs, environment context) from what the user typed.
func isContextMessage(s string) bool {
	s = strings.TrimSpace(s)
	for _, p := range []string{"<environment_context>", "<user_instructions>", "# AGENTS.md instructions", "<permissions instructions>", "<INSTRUCTIONS>"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// findRollout finds a thread's rollout among the sessions (archived
// ones when archived is set).
func findRollout(codexHome, id string, archived bool) (string, error) {
	files, err := listRollouts(codexHome, archived)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if rolloutID(f) == id {
			return f, nil
		}
	}
	return "", invalidRequest("no rollout found for thread id %s", id)
}

// rolloutID is the thread id in a rollout file name
// (rollout-YYYY-MM-DDThh-mm-ss-<id>.jsonl).
func rolloutID(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), ".jsonl")
	const prefix = len("rollout-2006-01-02T15-04-05-")
	if len(base) <= prefix {
		return ""
	}
	return base[prefix:]
}

func archiveDir(codexHome string) string { return filepath.Join(codexHome, "archived_sessions") }

func listRollouts(codexHome string, archived bool) ([]string, error) {
	if !archived {
		return rollout.Files(rollout.SessionsDir(codexHome))
	}
	entries, err := os.ReadDir(archiveDir(codexHome))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "rollout-") && strings.HasSuffix(e.Name(), ".jsonl") {
			files = append(files, filepath.Join(archiveDir(codexHome), e.Name()))
		}
	}
	sort.Slice(files, func(i, j int) bool { return filepath.Base(files[i]) > filepath.Base(files[j]) })
	return files, nil
}

func sortStrings(s []string) { sort.Strings(s) }
