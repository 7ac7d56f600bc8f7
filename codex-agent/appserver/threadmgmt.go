package appserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/codexgo/common/rollout"
)

const defaultPageSize = 25

// page cuts a listing at an opaque cursor (an offset).
func page(n int, cursor *string, limit *int) (start, end int, next any, err error) {
	if cursor != nil && *cursor != "" {
		start, err = strconv.Atoi(*cursor)
		if err != nil || start < 0 {
			return 0, 0, nil, invalidParams("invalid cursor %q", *cursor)
		}
	}
	size := defaultPageSize
	if limit != nil {
		if *limit <= 0 {
			return 0, 0, nil, invalidParams("limit must be positive")
		}
		size = *limit
	}
	if start > n {
		start = n
	}
	end = start + size
	if end >= n {
		return start, n, nil, nil
	}
	return start, end, strconv.Itoa(end), nil
}

func (s *server) threadList(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Cursor         *string         `json:"cursor"`
		Limit          *int            `json:"limit"`
		SortKey        *string         `json:"sortKey"`
		SortDirection  *string         `json:"sortDirection"`
		Archived       *bool           `json:"archived"`
		Cwd            json.RawMessage `json:"cwd"`
		ModelProviders []string        `json:"modelProviders"`
		SourceKinds    []string        `json:"sourceKinds"`
		SearchTerm     *string         `json:"searchTerm"`
		Excluded       []string        `json:"excludedThreadIds"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	var cwds []string
	if len(p.Cwd) > 0 && string(p.Cwd) != "null" {
		var one string
		if json.Unmarshal(p.Cwd, &one) == nil {
			cwds = []string{one}
		} else if err := json.Unmarshal(p.Cwd, &cwds); err != nil {
			return nil, invalidParams("cwd: want a path or a list of paths")
		}
	}
	archived := p.Archived != nil && *p.Archived
	files, err := listRollouts(s.o.CodexHome, archived)
	if err != nil {
		return nil, err
	}
	names := s.threadNames()
	var metas []threadMeta
	for _, f := range files {
		rec, err := readRollout(f, p.SearchTerm == nil)
		if err != nil {
			continue
		}
		m := rec.meta
		m.Name = names[m.ID]
		if len(cwds) > 0 && !contains(cwds, m.Cwd) {
			continue
		}
		if len(p.ModelProviders) > 0 && !contains(p.ModelProviders, providerOr(m.ModelProvider)) {
			continue
		}
		if len(p.SourceKinds) > 0 && !contains(p.SourceKinds, sourceKind(m.Source)) {
			continue
		}
		if contains(p.Excluded, m.ID) {
			continue
		}
		if p.SearchTerm != nil && *p.SearchTerm != "" && !matchesSearch(rec, *p.SearchTerm) {
			continue
		}
		metas = append(metas, m)
	}
	key := "created_at"
	if p.SortKey != nil {
		key = *p.SortKey
	}
	asc := p.SortDirection != nil && *p.SortDirection == "asc"
	sort.SliceStable(metas, func(i, j int) bool {
		a, b := metas[i].CreatedAt, metas[j].CreatedAt
		if key == "updated_at" || key == "recency_at" {
			a, b = metas[i].UpdatedAt, metas[j].UpdatedAt
		}
		if a == b {
			return false
		}
		return (a < b) == asc
	})
	start, end, next, err := page(len(metas), p.Cursor, p.Limit)
	if err != nil {
		return nil, err
	}
	data := []any{}
	for _, m := range metas[start:end] {
		data = append(data, s.threadObjectOf(m))
	}
	return map[string]any{"data": data, "nextCursor": next, "backwardsCursor": nil}, nil
}

// threadObjectOf renders a recorded thread, live status if loaded.
func (s *server) threadObjectOf(m threadMeta) map[string]any {
	if th := s.threads.get(m.ID); th != nil {
		th.mu.Lock()
		st := th.statusObject()
		th.mu.Unlock()
		return threadObject(m, st, nil)
	}
	return threadObject(m, map[string]any{"type": "notLoaded"}, nil)
}

func matchesSearch(rec *recorded, term string) bool {
	term = strings.ToLower(term)
	if strings.Contains(strings.ToLower(rec.meta.Preview), term) {
		return true
	}
	for _, t := range rec.turns {
		for _, it := range t.items {
			if txt, ok := it["text"].(string); ok && strings.Contains(strings.ToLower(txt), term) {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// recordedThread finds a thread's rollout (live or archived) and reads it.
func (s *server) recordedThread(id string) (*recorded, bool, error) {
	if th := s.threads.get(id); th != nil && th.opened.Path != "" {
		rec, err := readRollout(th.opened.Path, false)
		return rec, false, err
	}
	path, err := findRollout(s.o.CodexHome, id, false)
	archived := false
	if err != nil {
		if path, err = findRollout(s.o.CodexHome, id, true); err != nil {
			return nil, false, err
		}
		archived = true
	}
	rec, err := readRollout(path, false)
	if err != nil {
		return nil, false, invalidRequest("%v", err)
	}
	rec.meta.Name = s.threadName(id)
	return rec, archived, nil
}

func (s *server) threadRead(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID     string `json:"threadId"`
		IncludeTurns bool   `json:"includeTurns"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.ThreadID == "" {
		return nil, invalidParams("threadId is required")
	}
	th := s.threads.get(p.ThreadID)
	if th != nil && th.opened.Path == "" {
		return map[string]any{"thread": th.object(nil)}, nil
	}
	rec, _, err := s.recordedThread(p.ThreadID)
	if err != nil {
		return nil, err
	}
	var turns []any
	if p.IncludeTurns {
		turns = recordedObjects(rec, true)
	}
	if th != nil {
		return map[string]any{"thread": th.object(turns)}, nil
	}
	return map[string]any{"thread": threadObject(rec.meta, map[string]any{"type": "notLoaded"}, turns)}, nil
}

func (s *server) threadTurnsList(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID      string  `json:"threadId"`
		Cursor        *string `json:"cursor"`
		Limit         *int    `json:"limit"`
		SortDirection *string `json:"sortDirection"`
		ItemsView     *string `json:"itemsView"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.ThreadID == "" {
		return nil, invalidParams("threadId is required")
	}
	rec, _, err := s.recordedThread(p.ThreadID)
	if err != nil {
		return nil, err
	}
	turns := rec.turns
	if p.SortDirection == nil || *p.SortDirection == "desc" {
		rev := make([]*recordedTurn, len(turns))
		for i, t := range turns {
			rev[len(turns)-1-i] = t
		}
		turns = rev
	}
	start, end, next, err := page(len(turns), p.Cursor, p.Limit)
	if err != nil {
		return nil, err
	}
	withItems := p.ItemsView == nil || *p.ItemsView != "notLoaded"
	data := []any{}
	for _, t := range turns[start:end] {
		o := t.object(withItems)
		if p.ItemsView != nil {
			o["itemsView"] = *p.ItemsView
		}
		data = append(data, o)
	}
	return map[string]any{"data": data, "nextCursor": next, "backwardsCursor": nil}, nil
}

func threadIDParam(params json.RawMessage) (string, error) {
	var p struct {
		ThreadID string `json:"threadId"`
	}
	if err := decode(params, &p); err != nil {
		return "", err
	}
	if p.ThreadID == "" {
		return "", invalidParams("threadId is required")
	}
	return p.ThreadID, nil
}

// unload ends a loaded thread and tells the client it closed.
func (s *server) unload(id string) {
	if th := s.threads.remove(id); th != nil {
		th.shutdown()
		s.c.notify("thread/closed", map[string]any{"threadId": id})
	}
}

func (s *server) threadArchive(_ context.Context, params json.RawMessage) (any, error) {
	id, err := threadIDParam(params)
	if err != nil {
		return nil, err
	}
	path, err := findRollout(s.o.CodexHome, id, false)
	if err != nil {
		return nil, err
	}
	s.unload(id)
	if err := os.MkdirAll(archiveDir(s.o.CodexHome), 0o700); err != nil {
		return nil, err
	}
	if err := os.Rename(path, filepath.Join(archiveDir(s.o.CodexHome), filepath.Base(path))); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return then{map[string]any{}, func() { s.c.notify("thread/archived", map[string]any{"threadId": id}) }}, nil
}

func (s *server) threadUnarchive(_ context.Context, params json.RawMessage) (any, error) {
	id, err := threadIDParam(params)
	if err != nil {
		return nil, err
	}
	path, err := findRollout(s.o.CodexHome, id, true)
	if err != nil {
		return nil, err
	}
	// rollout-YYYY-MM-DDT… goes back under sessions/YYYY/MM/DD.
	base := filepath.Base(path)
	dir := rollout.SessionsDir(s.o.CodexHome)
	if len(base) > len("rollout-2006-01-02") {
		d := base[len("rollout-"):len("rollout-2006-01-02")]
		dir = filepath.Join(dir, d[0:4], d[5:7], d[8:10])
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	dst := filepath.Join(dir, base)
	if err := os.Rename(path, dst); err != nil {
		return nil, fmt.Errorf("unarchive: %w", err)
	}
	rec, err := readRollout(dst, false)
	if err != nil {
		return nil, invalidRequest("%v", err)
	}
	rec.meta.Name = s.threadName(id)
	return then{map[string]any{"thread": threadObject(rec.meta, map[string]any{"type": "notLoaded"}, nil)},
		func() { s.c.notify("thread/unarchived", map[string]any{"threadId": id}) }}, nil
}

func (s *server) threadDelete(_ context.Context, params json.RawMessage) (any, error) {
	id, err := threadIDParam(params)
	if err != nil {
		return nil, err
	}
	path, err := findRollout(s.o.CodexHome, id, false)
	if err != nil {
		if path, err = findRollout(s.o.CodexHome, id, true); err != nil {
			return nil, err
		}
	}
	s.unload(id)
	if err := os.Remove(path); err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	return then{map[string]any{}, func() { s.c.notify("thread/deleted", map[string]any{"threadId": id}) }}, nil
}

func (s *server) threadLoadedList(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Cursor *string `json:"cursor"`
		Limit  *int    `json:"limit"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	ids := s.threads.ids()
	start, end, next, err := page(len(ids), p.Cursor, p.Limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"data": append([]string{}, ids[start:end]...), "nextCursor": next}, nil
}

func (s *server) threadUnsubscribe(_ context.Context, params json.RawMessage) (any, error) {
	id, err := threadIDParam(params)
	if err != nil {
		return nil, err
	}
	th := s.threads.get(id)
	if th == nil {
		return map[string]any{"status": "notLoaded"}, nil
	}
	th.mu.Lock()
	was := th.subscribed
	th.subscribed = false
	busy := len(th.turns) > 0
	th.mu.Unlock()
	if !was {
		return map[string]any{"status": "notSubscribed"}, nil
	}
	// A thread nobody follows and that runs nothing is unloaded.
	if !busy {
		return then{map[string]any{"status": "unsubscribed"}, func() { s.unload(id) }}, nil
	}
	return map[string]any{"status": "unsubscribed"}, nil
}

// Thread names live in $CODEX_HOME/session_index.jsonl, one
// {"id","thread_name"} line per rename, the last one winning.
func (s *server) indexPath() string { return filepath.Join(s.o.CodexHome, "session_index.jsonl") }

func (s *server) threadNames() map[string]string {
	names := map[string]string{}
	f, err := os.Open(s.indexPath())
	if err != nil {
		return names
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e struct {
			ID   string `json:"id"`
			Name string `json:"thread_name"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.ID != "" {
			names[e.ID] = e.Name
		}
	}
	return names
}

func (s *server) threadName(id string) string { return s.threadNames()[id] }

func (s *server) threadNameSet(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID string  `json:"threadId"`
		Name     *string `json:"name"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.ThreadID == "" || p.Name == nil {
		return nil, invalidParams("threadId and name are required")
	}
	name := strings.TrimSpace(*p.Name)
	if th := s.threads.get(p.ThreadID); th == nil {
		if _, _, err := s.recordedThread(p.ThreadID); err != nil {
			return nil, err
		}
	}
	line, _ := json.Marshal(map[string]any{"id": p.ThreadID, "thread_name": name, "updated_at": s.o.Now().UTC().Format("2006-01-02T15:04:05Z")})
	if err := appendLine(s.indexPath(), line); err != nil {
		return nil, err
	}
	if th := s.threads.get(p.ThreadID); th != nil {
		th.mu.Lock()
		th.meta.Name = name
		th.mu.Unlock()
	}
	return then{map[string]any{}, func() {
		s.c.notify("thread/name/updated", map[string]any{"threadId": p.ThreadID, "threadName": nilIfEmpty(name)})
	}}, nil
}

// appendLine appends one whole line with a single write.
func appendLine(path string, line []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
