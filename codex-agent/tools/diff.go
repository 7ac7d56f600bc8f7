package tools

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/codexgo/codex-agent/patch"
)

// UnifiedDiff renders a unified diff (3 lines of context) from old to new.
// It is used for turn_diff and approval requests, so it favours
// simplicity: common prefix and suffix are trimmed, and the middle is
// diffed by LCS when small enough, else shown as replaced.
func UnifiedDiff(old, new, oldPath, newPath string) string {
	if old == new {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	ops := diffLines(a, b)
	var out strings.Builder
	from, to := "a/"+strings.TrimPrefix(oldPath, "/"), "b/"+strings.TrimPrefix(newPath, "/")
	if old == "" {
		from = "/dev/null"
	}
	if new == "" {
		to = "/dev/null"
	}
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	const ctx = 3
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-ctx, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run-end > 2*ctx || run == len(ops) {
				end = min(end+ctx, len(ops))
				break
			}
			end = run
		}
		aStart, bStart := ops[start].ai, ops[start].bi
		var aN, bN int
		var body strings.Builder
		for _, o := range ops[start:end] {
			body.WriteByte(o.kind)
			body.WriteString(o.text)
			body.WriteByte('\n')
			if o.kind != '+' {
				aN++
			}
			if o.kind != '-' {
				bN++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n%s", hunkRange(aStart, aN), hunkRange(bStart, bN), body.String())
		i = end
	}
	return out.String()
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

type diffOp struct {
	kind   byte // ' ', '-', '+'
	text   string
	ai, bi int // positions in a and b before this op
}

func diffLines(a, b []string) []diffOp {
	var ops []diffOp
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		ops = append(ops, diffOp{' ', a[p], p, p})
		p++
	}
	sa, sb := len(a), len(b)
	for sa > p && sb > p && a[sa-1] == b[sb-1] {
		sa--
		sb--
	}
	ma, mb := a[p:sa], b[p:sb]
	if len(ma)*len(mb) <= 4_000_000 {
		// LCS table over the middle.
		n, m := len(ma), len(mb)
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && ma[i] == mb[j]:
				ops = append(ops, diffOp{' ', ma[i], p + i, p + j})
				i++
				j++
			case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, diffOp{'-', ma[i], p + i, p + j})
				i++
			default:
				ops = append(ops, diffOp{'+', mb[j], p + i, p + j})
				j++
			}
		}
	} else {
		for i, l := range ma {
			ops = append(ops, diffOp{'-', l, p + i, p})
		}
		for j, l := range mb {
			ops = append(ops, diffOp{'+', l, sa, p + j})
		}
	}
	for k := 0; sa+k < len(a); k++ {
		ops = append(ops, diffOp{' ', a[sa+k], sa + k, sb + k})
	}
	return ops
}

// turnDiff records changes in the turn's baseline and returns the diff of
// every file the turn has touched so far.
func (s *Registry) turnDiff(cwd string, changes []patch.Change) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.turnFiles == nil {
		s.turnFiles = map[string]*fileState{}
	}
	for _, c := range changes {
		st := s.turnFiles[c.Path]
		if st == nil {
			st = &fileState{base: c.Old, baseExists: c.Kind != patch.Add}
			s.turnFiles[c.Path] = st
			s.turnOrder = append(s.turnOrder, c.Path)
		}
		if c.MovePath != "" && c.MovePath != c.Path {
			st.cur, st.exists = "", false
			mv := s.turnFiles[c.MovePath]
			if mv == nil {
				mv = &fileState{}
				s.turnFiles[c.MovePath] = mv
				s.turnOrder = append(s.turnOrder, c.MovePath)
			}
			mv.cur, mv.exists = c.New, true
			continue
		}
		st.cur, st.exists = c.New, c.Kind != patch.Delete
	}
	var b strings.Builder
	for _, p := range s.turnOrder {
		st := s.turnFiles[p]
		if st.base == st.cur && st.baseExists == st.exists {
			continue
		}
		name := p
		if rel, err := filepath.Rel(cwd, p); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
		b.WriteString(UnifiedDiff(st.base, st.cur, name, name))
	}
	return b.String()
}

// fileState is one file's content at the start of the turn and now.
type fileState struct {
	base, cur          string
	baseExists, exists bool
}
