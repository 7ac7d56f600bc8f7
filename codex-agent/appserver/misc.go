package appserver

import (
	"context"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/codexgo/common/config"
)

// models is the catalog model/list offers besides the configured model.
var models = []struct{ id, name, desc, effort string }{
	{"gpt-5-codex", "gpt-5-codex", "Optimized for coding tasks.", "medium"},
	{"gpt-5", "gpt-5", "General purpose reasoning model.", "medium"},
}

func effortOptions() []any {
	return []any{
		map[string]any{"reasoningEffort": "minimal", "description": "Fastest responses with little reasoning"},
		map[string]any{"reasoningEffort": "low", "description": "Fast responses with lighter reasoning"},
		map[string]any{"reasoningEffort": "medium", "description": "Balances speed and reasoning depth for everyday tasks"},
		map[string]any{"reasoningEffort": "high", "description": "Greater reasoning depth for complex problems"},
	}
}

func (s *server) modelList(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Cursor *string `json:"cursor"`
		Limit  *int    `json:"limit"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	cfg, err := config.Load(s.o.CodexHome, config.Options{Profile: s.o.Profile, Overrides: s.o.Overrides})
	if err != nil {
		return nil, invalidRequest("%v", err)
	}
	list := []any{}
	seen := map[string]bool{}
	add := func(id, name, desc, effort string) {
		if seen[id] {
			return
		}
		seen[id] = true
		list = append(list, map[string]any{"id": id, "model": id, "displayName": name, "description": desc,
			"hidden": false, "isDefault": id == cfg.Model, "defaultReasoningEffort": effort,
			"supportedReasoningEfforts": effortOptions(), "inputModalities": []string{"text", "image"},
			"supportsPersonality": false, "upgrade": nil})
	}
	if cfg.Model != "" {
		add(cfg.Model, cfg.Model, "The model config.toml selects.", firstNonEmpty(cfg.ModelReasoningEffort, "medium"))
	}
	for _, m := range models {
		add(m.id, m.name, m.desc, m.effort)
	}
	start, end, next, err := page(len(list), p.Cursor, p.Limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"data": list[start:end], "nextCursor": next}, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// maxFuzzyResults bounds fuzzyFileSearch's answer.
const maxFuzzyResults = 50

// maxFuzzyFiles bounds how many files one search walks.
const maxFuzzyFiles = 100000

func (s *server) fuzzyFileSearch(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Query string   `json:"query"`
		Roots []string `json:"roots"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.Roots == nil {
		return nil, invalidParams("roots is required")
	}
	type hit struct {
		root, path string
		score      int
		idx        []int
	}
	var hits []hit
	q := strings.ToLower(p.Query)
	walked := 0
	for _, root := range p.Roots {
		if !filepath.IsAbs(root) {
			return nil, invalidParams("roots must be absolute paths")
		}
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || ctx.Err() != nil {
				return filepath.SkipDir
			}
			if d.IsDir() {
				if n := d.Name(); path != root && (n == ".git" || n == "node_modules" || n == "target") {
					return filepath.SkipDir
				}
				return nil
			}
			walked++
			if walked > maxFuzzyFiles {
				return filepath.SkipAll
			}
			rel, _ := filepath.Rel(root, path)
			if score, idx, ok := fuzzyMatch(strings.ToLower(rel), q); ok {
				hits = append(hits, hit{root, rel, score, idx})
			}
			return nil
		})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].path < hits[j].path
	})
	if len(hits) > maxFuzzyResults {
		hits = hits[:maxFuzzyResults]
	}
	files := []any{}
	for _, h := range hits {
		files = append(files, map[string]any{"root": h.root, "path": h.path, "file_name": filepath.Base(h.path),
			"score": h.score, "indices": h.idx, "match_type": "file"})
	}
	return map[string]any{"files": files}, nil
}

// fuzzyMatch scores q as a subsequence of s: consecutive characters and
// matches in the file name score higher.
func fuzzyMatch(s, q string) (int, []int, bool) {
	if q == "" {
		return 0, []int{}, true
	}
	idx := make([]int, 0, len(q))
	score, j, prev := 0, 0, -2
	base := strings.LastIndexByte(s, '/') + 1
	for i := 0; i < len(s) && j < len(q); i++ {
		if s[i] != q[j] {
			continue
		}
		idx = append(idx, i)
		score += 10
		if i == prev+1 {
			score += 15
		}
		if i >= base {
			score += 5
		}
		if i == base || i > 0 && (s[i-1] == '/' || s[i-1] == '_' || s[i-1] == '-' || s[i-1] == '.') {
			score += 10
		}
		prev = i
		j++
	}
	if j < len(q) {
		return 0, nil, false
	}
	return score - (len(s) - len(q)), idx, true
}
