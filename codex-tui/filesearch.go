package tui

import (
	"bytes"
	"context"
	"io/fs"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// maxIndexedFiles bounds the workspace index for the @ file search.
const maxIndexedFiles = 50000

// listFiles returns the workspace's files relative to root. In a git
// work tree git itself lists them, which is the exact .gitignore (and
// .git/info/exclude, global excludes) semantics; elsewhere the tree is
// walked, skipping hidden directories and the usual build output.
func listFiles(ctx context.Context, root string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err == nil {
		var files []string
		for _, f := range bytes.Split(out.Bytes(), []byte{0}) {
			if len(f) > 0 {
				files = append(files, string(f))
			}
			if len(files) >= maxIndexedFiles {
				break
			}
		}
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are skipped, not fatal
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "target") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		files = append(files, filepath.ToSlash(rel))
		if len(files) >= maxIndexedFiles {
			return filepath.SkipAll
		}
		return nil
	})
	return files, err
}

// fuzzyScore scores query as a subsequence of path (case-insensitive);
// ok is false when it is not one. Higher is better: consecutive runs,
// matches at word starts and in the base name count extra, long paths
// cost a little.
func fuzzyScore(query, path string) (score int, ok bool) {
	if query == "" {
		return -len(path), true
	}
	q := []rune(strings.ToLower(query))
	p := []rune(strings.ToLower(path))
	base := strings.LastIndexByte(path, '/') + 1
	qi, run := 0, 0
	for i := 0; i < len(p) && qi < len(q); i++ {
		if p[i] != q[qi] {
			run = 0
			continue
		}
		score += 1 + run*3
		run++
		if i == 0 || strings.ContainsRune("/._- ", p[i-1]) {
			score += 5
		}
		if i >= base {
			score += 2
		}
		qi++
	}
	if qi < len(q) {
		return 0, false
	}
	return score*10 - len(p), true
}

// searchFiles returns the best matches for query, best first.
func searchFiles(files []string, query string, limit int) []string {
	type hit struct {
		path  string
		score int
	}
	var hits []hit
	for _, f := range files {
		if s, ok := fuzzyScore(query, f); ok {
			hits = append(hits, hit{f, s})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].path < hits[j].path
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.path
	}
	return out
}

// atToken returns the "@word" at the end of the draft, if any.
func atToken(draft string) (string, bool) {
	i := strings.LastIndexAny(draft, " \t\n")
	word := draft[i+1:]
	if strings.HasPrefix(word, "@") {
		return word, true
	}
	return "", false
}

func truncate(s string, width int) string {
	if width < 1 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}
