package tui

import (
	"path/filepath"
	"strings"

	"github.com/codexgo/common/protocol"
)

// relChanges is changes with paths relative to cwd where they are inside
// it (the agent sends absolute paths; a user reads them from the project).
func relChanges(changes map[string]protocol.FileChange, cwd string) map[string]protocol.FileChange {
	out := make(map[string]protocol.FileChange, len(changes))
	for p, ch := range changes {
		if ch.MovePath != "" {
			ch.MovePath = relPath(ch.MovePath, cwd)
		}
		out[relPath(p, cwd)] = ch
	}
	return out
}

// relPath is p relative to cwd when p is inside it, else p.
func relPath(p, cwd string) string {
	if cwd == "" || !filepath.IsAbs(p) {
		return p
	}
	if r, err := filepath.Rel(cwd, p); err == nil && r != ".." && !strings.HasPrefix(r, "../") {
		return r
	}
	return p
}

// proposedPatchCell is the whole diff of a patch waiting for approval,
// printed into the scrollback before the question, so every line of every
// file can be read (and scrolled) before answering.
type proposedPatchCell struct {
	changes map[string]protocol.FileChange
}

func (c proposedPatchCell) Render(p *painter, width int) string {
	th := p.th
	w := innerWidth(width, 2)
	parts := []string{diffSummary(th, "Proposed edits to", c.changes, w)}
	for _, st := range patchStats(c.changes) {
		ch := c.changes[st.path]
		name := st.path
		if st.moveTo != "" {
			name += " → " + st.moveTo
		}
		var body string
		switch ch.Type {
		case "add":
			body = prefixLines(ch.Content, "+")
		case "delete":
			body = prefixLines(ch.Content, "-")
		default:
			body = diffHunks(ch.UnifiedDiff)
		}
		parts = append(parts, "", th.bold.Render(truncate(name, w)))
		if strings.TrimSpace(body) != "" {
			parts = append(parts, renderDiff(th, body, w))
		}
	}
	return indent(strings.Join(parts, "\n"), th.dim.Render("•")+" ", "  ")
}

// diffHunks is a unified diff without its file header lines (the file's
// name is shown above it, relative): the hunks only.
func diffHunks(d string) string {
	var out []string
	inHunk := false
	for _, l := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
		if strings.HasPrefix(l, "@@") {
			inHunk = true
		}
		if inHunk {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
