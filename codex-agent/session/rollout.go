package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/jsonl"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/rollout"
	"github.com/codexgo/common/version"
)

// Rollout records a session as the Codex CLI's rollout JSONL: one
// {"timestamp","type","payload"} object per line, under
// $CODEX_HOME/sessions/YYYY/MM/DD/. Every line is written with a single
// write to a file opened for appending, as it happens, so a crash loses
// nothing already recorded.
//
// A rollout only ever holds whole lines: a write that fails part-way (a
// full disk) is cut back off, and nothing more is written after it; the
// error is kept (Err) for the session to report.
type Rollout struct {
	mu   sync.Mutex
	f    *os.File
	size int64
	path string
	now  func() time.Time
	err  error
}

// SessionMeta is the payload of a rollout's first line.
type SessionMeta struct {
	ID            string `json:"id"`
	Timestamp     string `json:"timestamp"`
	Cwd           string `json:"cwd"`
	Originator    string `json:"originator"`
	CliVersion    string `json:"cli_version"`
	Source        string `json:"source"`
	ModelProvider string `json:"model_provider,omitempty"`
	Instructions  string `json:"instructions,omitempty"`
}

type rolloutLine struct {
	Timestamp string          `json:"timestamp"`
	Type      string          `json:"type"`
	Payload   json.RawMessage `json:"payload"`
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// CreateRollout starts a new rollout file for meta.ID.
func CreateRollout(codexHome string, meta SessionMeta, now func() time.Time) (*Rollout, error) {
	if now == nil {
		now = time.Now
	}
	t := now()
	dir := filepath.Join(codexHome, "sessions", t.Format("2006"), t.Format("01"), t.Format("02"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create sessions dir: %w", err)
	}
	path := filepath.Join(dir, "rollout-"+t.Format("2006-01-02T15-04-05")+"-"+meta.ID+".jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create rollout: %w", err)
	}
	r := &Rollout{f: f, path: path, now: now}
	if meta.Timestamp == "" {
		meta.Timestamp = stamp(t)
	}
	if meta.CliVersion == "" {
		meta.CliVersion = version.Version
	}
	r.write("session_meta", meta)
	return r, r.err
}

// AppendRollout reopens an existing rollout to continue a resumed session.
func AppendRollout(path string, now func() time.Time) (*Rollout, error) {
	if now == nil {
		now = time.Now
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open rollout: %w", err)
	}
	size, err := dropTornTail(f)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("open rollout %s: %w", path, err)
	}
	return &Rollout{f: f, size: size, path: path, now: now}, nil
}

// dropTornTail cuts a last line without its newline (a crash or a full
// disk in the middle of a write) off the file, so that what is appended
// starts on a line of its own; it returns the file's size.
func dropTornTail(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	if size == 0 {
		return 0, nil
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	end := size
	for end > 0 {
		start := max(end-chunk, 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && int64(n) != end-start {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			keep := start + int64(i) + 1
			if keep == size {
				return size, nil
			}
			return keep, f.Truncate(keep)
		}
		end = start
	}
	return 0, f.Truncate(0)
}

// Path is the rollout file.
func (r *Rollout) Path() string { return r.path }

func (r *Rollout) write(typ string, payload any) {
	b, err := json.Marshal(payload)
	if err != nil {
		r.fail(err)
		return
	}
	line, err := json.Marshal(rolloutLine{Timestamp: stamp(r.now()), Type: typ, Payload: b})
	if err != nil {
		r.fail(err)
		return
	}
	line = append(line, '\n')
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	n, err := r.f.Write(line)
	if err == nil && n < len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		// Whole lines only: cut back what part of this one got written.
		if terr := r.f.Truncate(r.size); terr != nil {
			err = fmt.Errorf("%w (and cutting the torn line failed: %v)", err, terr)
		}
		r.err = fmt.Errorf("write rollout %s: %w", r.path, err)
		return
	}
	r.size += int64(n)
}

func (r *Rollout) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = fmt.Errorf("write rollout %s: %w", r.path, err)
	}
}

// Err is the first error recording hit (the session is then no longer
// saved), or nil.
func (r *Rollout) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Item records a conversation item.
func (r *Rollout) Item(it model.Item) { r.write("response_item", it) }

// recorded reports whether a rollout keeps an event type (deltas are
// not kept).
func recorded(msgType string) bool {
	switch msgType {
	case "task_started", "task_complete", "token_count", "agent_message",
		"agent_reasoning", "turn_aborted", "error", "plan_update":
		return true
	}
	return false
}

// Event records a protocol event if it is one a rollout keeps.
func (r *Rollout) Event(ev protocol.Event) {
	if !recorded(ev.Msg.MsgType()) {
		return
	}
	b, err := json.Marshal(ev)
	if err != nil {
		r.fail(err)
		return
	}
	var e struct {
		Msg json.RawMessage `json:"msg"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		r.fail(err)
		return
	}
	r.write("event_msg", e.Msg)
}

// reviewMode records a review's start or end (an event no front end is
// sent: the app-server makes its items itself): typ with key set to value.
func (r *Rollout) reviewMode(typ, key, value string) {
	r.write("event_msg", map[string]string{"type": typ, key: value})
}

// TurnContext records the settings a turn runs with.
func (r *Rollout) TurnContext(cfg SessionConfig) {
	tc := map[string]any{"cwd": cfg.Cwd, "approval_policy": cfg.ApprovalPolicy, "sandbox_policy": cfg.Sandbox, "model": cfg.Model}
	if cfg.Reasoning != nil {
		tc["effort"], tc["summary"] = cfg.Reasoning.Effort, cfg.Reasoning.Summary
	}
	r.write("turn_context", tc)
}

// Close closes the file and reports the first write error.
func (r *Rollout) Close() error {
	err := r.f.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	return err
}

// LoadedRollout is a session rebuilt from its rollout file.
type LoadedRollout struct {
	Path     string
	Meta     SessionMeta
	History  []model.Item
	Usage    protocol.TokenUsage
	LastText string
}

// LoadRollout reads a rollout file. Malformed lines are skipped (a crash
// can leave a torn last line); a file without session_meta is an error.
func LoadRollout(path string) (*LoadedRollout, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open rollout: %w", err)
	}
	defer func() { _ = f.Close() }()
	out := &LoadedRollout{Path: path}
	rd := jsonl.NewReader(f, 64<<20)
	seenMeta := false
	for {
		var l rolloutLine
		err := rd.Next(&l)
		if errors.Is(err, io.EOF) {
			break
		}
		var le *jsonl.LineError
		if errors.As(err, &le) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read rollout %s: %w", path, err)
		}
		switch l.Type {
		case "session_meta":
			if json.Unmarshal(l.Payload, &out.Meta) == nil {
				seenMeta = true
			}
		case "response_item":
			var it model.Item
			if json.Unmarshal(l.Payload, &it) == nil {
				out.History = append(out.History, it)
			}
		case "compacted":
			// A compaction replaced the history: resume from its result.
			var c struct {
				Replacement []model.Item `json:"replacement_history"`
			}
			if json.Unmarshal(l.Payload, &c) == nil && c.Replacement != nil {
				out.History = c.Replacement
			}
		case "event_msg":
			var m struct {
				Type  string               `json:"type"`
				Total *protocol.TokenUsage `json:"total_token_usage"`
				Last  string               `json:"last_agent_message"`
			}
			if json.Unmarshal(l.Payload, &m) == nil {
				if m.Type == "token_count" && m.Total != nil {
					out.Usage = *m.Total
				}
				if m.Type == "task_complete" {
					out.LastText = m.Last
				}
			}
		}
	}
	if !seenMeta {
		return nil, fmt.Errorf("rollout %s has no session_meta line", path)
	}
	out.History = PairCalls(out.History)
	return out, nil
}

// AbortedOutput is the output given to a tool call whose output was never
// recorded (the agent was killed while it ran).
const AbortedOutput = "aborted"

// PairCalls gives every tool call without an output an "aborted" output
// right after it, and drops outputs without a call, as the Codex CLI does
// on resume: the Responses API rejects a history with either ("No tool
// output found for function call …"), so a session killed in the middle
// of a command could never be continued.
func PairCalls(items []model.Item) []model.Item {
	calls, outputs := map[string]bool{}, map[string]bool{}
	for _, it := range items {
		switch it.Type {
		case "function_call", "custom_tool_call", "local_shell_call":
			calls[it.CallID] = true
		case "function_call_output", "custom_tool_call_output", "local_shell_call_output":
			outputs[it.CallID] = true
		}
	}
	out := make([]model.Item, 0, len(items))
	for _, it := range items {
		switch it.Type {
		case "function_call_output", "custom_tool_call_output", "local_shell_call_output":
			if !calls[it.CallID] {
				continue
			}
		}
		out = append(out, it)
		switch it.Type {
		case "function_call", "local_shell_call":
			if !outputs[it.CallID] {
				out = append(out, model.FunctionOutput(it.CallID, AbortedOutput))
				outputs[it.CallID] = true
			}
		case "custom_tool_call":
			if !outputs[it.CallID] {
				out = append(out, model.CustomOutput(it.CallID, AbortedOutput))
				outputs[it.CallID] = true
			}
		}
	}
	return out
}

// FindRollout finds the rollout of a session id (or a unique id prefix).
func FindRollout(codexHome, id string) (string, error) {
	files, err := rollout.Files(rollout.SessionsDir(codexHome))
	if err != nil {
		return "", err
	}
	var match []string
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".jsonl")
		// rollout-YYYY-MM-DDThh-mm-ss-<id>
		if len(base) > len("rollout-2006-01-02T15-04-05-") {
			fid := base[len("rollout-2006-01-02T15-04-05-"):]
			if fid == id {
				return f, nil
			}
			if strings.HasPrefix(fid, id) {
				match = append(match, f)
			}
		}
	}
	if len(match) == 1 {
		return match[0], nil
	}
	if len(match) > 1 {
		return "", fmt.Errorf("session id %q is ambiguous", id)
	}
	return "", fmt.Errorf("no saved session found with id %s", id)
}

// LatestRollout returns the newest rollout, of sessions run in cwd unless
// all is set.
func LatestRollout(codexHome, cwd string, all bool) (string, error) {
	files, err := rollout.Files(rollout.SessionsDir(codexHome))
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if all {
			return f, nil
		}
		lr, err := LoadRollout(f)
		if err == nil && lr.Meta.Cwd == cwd {
			return f, nil
		}
	}
	return "", errors.New("no saved session found")
}

// CopyFrom appends another rollout's lines (all but its session_meta)
// to r: a fork starts with the conversation it was forked from.
func (r *Rollout) CopyFrom(path string) error {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return fmt.Errorf("fork: %w", err)
	}
	defer func() { _ = f.Close() }()
	rd := jsonl.NewReader(f, 64<<20)
	for {
		var l rolloutLine
		err := rd.Next(&l)
		if errors.Is(err, io.EOF) {
			return nil
		}
		var le *jsonl.LineError
		if errors.As(err, &le) {
			continue
		}
		if err != nil {
			return fmt.Errorf("fork: read %s: %w", path, err)
		}
		if l.Type == "session_meta" {
			continue
		}
		// Through the recorder's own whole-line writes (stamped now).
		r.write(l.Type, l.Payload)
		if err := r.Err(); err != nil {
			return fmt.Errorf("fork: %w", err)
		}
	}
}
