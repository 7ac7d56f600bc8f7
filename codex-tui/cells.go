package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/codexgo/common/elapsed"
	"github.com/codexgo/common/protocol"
)

// painter is what renderers need: the palette and the Markdown renderer.
type painter struct {
	th *theme
	md *markdown
}

// cell is one transcript entry. Finished cells are printed into the
// terminal's scrollback once; Render is a pure function of the cell, the
// palette and the width.
type cell interface {
	Render(p *painter, width int) string
}

// indent prefixes the first line with first and the rest with rest.
func indent(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

func innerWidth(width, margin int) int {
	if width-margin < 10 {
		return 10
	}
	return width - margin
}

// userCell is a prompt the user sent.
type userCell struct{ text string }

func (c userCell) Render(p *painter, width int) string {
	body := wrapPlain(c.text, innerWidth(width, 2))
	return indent(body, p.th.userPrefix.Render("›")+" ", "  ")
}

// agentCell is one finished Markdown block of an assistant message; the
// first block of a message carries the bullet.
type agentCell struct {
	src   string
	first bool
}

func (c agentCell) Render(p *painter, width int) string {
	out := p.md.Render(expandTabs(c.src), innerWidth(width, 2))
	if c.first {
		return indent(out, p.th.dim.Render("•")+" ", "  ")
	}
	return indent(out, "  ", "  ")
}

// reasoningCell is a reasoning summary, shown dim.
type reasoningCell struct{ text string }

func (c reasoningCell) Render(p *painter, width int) string {
	// A summary opens with its title in bold Markdown (**Title**): the
	// title is shown bold, no Markdown markers are shown.
	text := strings.TrimSpace(c.text)
	title := reasoningHeader(text)
	if title != "" {
		text = strings.TrimSpace(strings.Replace(text, "**"+title+"**", "", 1))
		if i := strings.Index(c.text, "**"); i >= 0 && strings.TrimSpace(c.text[:i]) != "" {
			title = "" // not the opening title: keep the text whole
			text = strings.TrimSpace(c.text)
		}
	}
	text = strings.ReplaceAll(text, "**", "")
	var lines []string
	if title != "" {
		lines = append(lines, p.th.bold.Render(truncate(title, innerWidth(width, 2))))
	}
	if text != "" {
		for _, l := range strings.Split(wrapPlain(text, innerWidth(width, 2)), "\n") {
			lines = append(lines, p.th.italic.Render(l))
		}
	}
	return indent(strings.Join(lines, "\n"), p.th.dim.Render("•")+" ", "  ")
}

// commandText shows an argv the way a user would type it; a shell
// wrapper (bash -lc SCRIPT) shows just the script.
func commandText(argv []string) string {
	if len(argv) == 3 && (argv[1] == "-lc" || argv[1] == "-c") && strings.HasSuffix(argv[0], "sh") {
		return argv[2]
	}
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$`\\|&;<>()*?[]#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}

// execCell is a command the agent ran, with its (collapsed) output.
type execCell struct {
	command  []string
	output   string
	exitCode int
	duration time.Duration
	done     bool
}

// execOutputLines is how many output lines a command cell shows before
// collapsing the middle.
const execOutputLines = 5

func (c execCell) Render(p *painter, width int) string {
	th := p.th
	var b strings.Builder
	cmd := wrapPlain(commandText(c.command), innerWidth(width, 6))
	switch {
	case !c.done:
		b.WriteString(indent(th.bold.Render("Running")+" "+cmd, th.dim.Render("•")+" ", "  "))
	case c.exitCode == 0:
		b.WriteString(indent(th.bold.Render("Ran")+" "+cmd, th.ok.Render("•")+" ", "  "))
	default:
		b.WriteString(indent(th.bold.Render("Ran")+" "+cmd, th.bad.Render("•")+" ", "  "))
	}
	if !c.done {
		return b.String()
	}
	out := strings.TrimRight(strings.ReplaceAll(c.output, "\r\n", "\n"), "\n")
	var lines []string
	if out != "" {
		for _, l := range strings.Split(out, "\n") {
			lines = append(lines, ansi.Truncate(expandTabs(ansi.Strip(l)), innerWidth(width, 4), "…"))
		}
	}
	if len(lines) > execOutputLines {
		hidden := len(lines) - (execOutputLines - 1)
		head := lines[:execOutputLines-3]
		tail := lines[len(lines)-2:]
		lines = append(append(append([]string{}, head...), fmt.Sprintf("… +%d lines", hidden)), tail...)
	}
	status := fmt.Sprintf("exit %d · %s", c.exitCode, elapsed.Format(c.duration))
	if c.exitCode == 0 {
		lines = append(lines, th.ok.Render("✓")+" "+status)
	} else {
		lines = append(lines, th.bad.Render("✗")+" "+status)
	}
	for i, l := range lines {
		prefix := "    "
		if i == 0 {
			prefix = "  └ "
		}
		b.WriteString("\n" + th.dim.Render(prefix) + th.dim.Render(l))
	}
	return b.String()
}

// fileStat is one file's line counts in a patch.
type fileStat struct {
	path, moveTo   string
	kind           string
	added, removed int
}

// patchStats counts added and removed lines per file, sorted by path.
func patchStats(changes map[string]protocol.FileChange) []fileStat {
	var out []fileStat
	for path, ch := range changes {
		st := fileStat{path: path, moveTo: ch.MovePath, kind: ch.Type}
		switch ch.Type {
		case "add":
			st.added = countLines(ch.Content)
		case "delete":
			st.removed = countLines(ch.Content)
		default:
			for _, l := range strings.Split(ch.UnifiedDiff, "\n") {
				switch {
				case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
				case strings.HasPrefix(l, "+"):
					st.added++
				case strings.HasPrefix(l, "-"):
					st.removed++
				}
			}
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func countLines(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(s, "\n"), "\n") + 1
}

// diffSummary renders "Edited N files (+A -R)" and one line per file.
func diffSummary(th *theme, verb string, changes map[string]protocol.FileChange, width int) string {
	stats := patchStats(changes)
	var add, rem int
	for _, s := range stats {
		add += s.added
		rem += s.removed
	}
	noun := "files"
	if len(stats) == 1 {
		noun = "file"
	}
	counts := func(a, r int) string {
		return "(" + th.added.Render(fmt.Sprintf("+%d", a)) + " " + th.removed.Render(fmt.Sprintf("-%d", r)) + ")"
	}
	lines := []string{th.bold.Render(fmt.Sprintf("%s %d %s", verb, len(stats), noun)) + " " + counts(add, rem)}
	for i, s := range stats {
		name := s.path
		if s.moveTo != "" {
			name += " → " + s.moveTo
		}
		name = ansi.Truncate(name, innerWidth(width, 16), "…")
		prefix := "  "
		if i == 0 {
			prefix = "└ "
		}
		lines = append(lines, th.dim.Render(prefix)+name+" "+counts(s.added, s.removed))
	}
	return strings.Join(lines, "\n")
}

// renderDiff colours a unified diff: additions green, removals red, hunk
// headers in the accent colour, the rest dim.
func renderDiff(th *theme, diff string, width int) string {
	lines := strings.Split(strings.TrimRight(diff, "\n"), "\n")
	for i, l := range lines {
		l = ansi.Truncate(l, width, "…")
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "diff "):
			lines[i] = th.bold.Render(l)
		case strings.HasPrefix(l, "+"):
			lines[i] = th.added.Render(l)
		case strings.HasPrefix(l, "-"):
			lines[i] = th.removed.Render(l)
		case strings.HasPrefix(l, "@@"):
			lines[i] = th.hunk.Render(l)
		default:
			lines[i] = th.dim.Render(l)
		}
	}
	return strings.Join(lines, "\n")
}

// patchCell is a patch the agent applied (or failed to apply).
type patchCell struct {
	changes map[string]protocol.FileChange
	failed  bool
	stderr  string
}

func (c patchCell) Render(p *painter, width int) string {
	th := p.th
	bullet := th.ok.Render("•")
	if c.failed {
		bullet = th.bad.Render("•")
	}
	out := indent(diffSummary(th, "Edited", c.changes, width-2), bullet+" ", "  ")
	if c.failed && strings.TrimSpace(c.stderr) != "" {
		out += "\n" + indent(th.bad.Render(wrapPlain(strings.TrimSpace(c.stderr), innerWidth(width, 4))), "  └ ", "    ")
	}
	return out
}

// planCell is an update of the model's plan.
type planCell struct {
	explanation string
	items       []protocol.PlanItem
}

func (c planCell) Render(p *painter, width int) string {
	th := p.th
	lines := []string{th.dim.Render("•") + " " + th.bold.Render("Updated Plan")}
	if e := strings.TrimSpace(c.explanation); e != "" {
		lines = append(lines, indent(th.italic.Render(wrapPlain(e, innerWidth(width, 4))), "  └ ", "    "))
	}
	for i, it := range c.items {
		var mark, step string
		text := wrapPlain(it.Step, innerWidth(width, 6))
		switch it.Status {
		case "completed":
			mark, step = th.ok.Render("✔"), th.dim.Render(text)
		case "in_progress":
			mark, step = th.accent.Render("□"), th.accent.Render(text)
		default:
			mark, step = th.dim.Render("□"), text
		}
		prefix := "    "
		if i == 0 && strings.TrimSpace(c.explanation) == "" {
			prefix = "  └ "
		}
		lines = append(lines, indent(step, prefix+mark+" ", "      "))
	}
	return strings.Join(lines, "\n")
}

// noticeCell is an error, warning or information line.
type noticeCell struct {
	kind string // "error", "warn" or "info"
	text string
}

func (c noticeCell) Render(p *painter, width int) string {
	th := p.th
	body := wrapPlain(c.text, innerWidth(width, 2))
	switch c.kind {
	case "error":
		return indent(th.bad.Render(body), th.bad.Render("■")+" ", "  ")
	case "warn":
		return indent(th.warn.Render(body), th.warn.Render("⚠")+" ", "  ")
	}
	return indent(th.dim.Render(body), th.dim.Render("•")+" ", "  ")
}

// decisionCell records how the user answered an approval request.
type decisionCell struct {
	subject  string // the command, or "these edits"
	decision protocol.ReviewDecision
	remember bool // a rule was saved too
}

func (c decisionCell) Render(p *painter, width int) string {
	th := p.th
	var mark, text string
	switch c.decision {
	case protocol.DecisionApproved:
		mark, text = th.ok.Render("✔"), "You approved codex to run "+c.subject+" this time"
	case protocol.DecisionApprovedForSession:
		mark, text = th.ok.Render("✔"), "You approved codex to run "+c.subject+" every time this session"
		if c.remember {
			text = "You approved codex to run commands like " + c.subject + " from now on (saved as a rule)"
		}
	default:
		mark, text = th.bad.Render("✗"), "You did not approve codex to run "+c.subject
	}
	return indent(wrapPlain(text, innerWidth(width, 2)), mark+" ", "  ")
}

// expandTabs replaces tabs with spaces: a tab's width depends on the
// terminal's tab stops, which would break wrapping and the live area's
// line accounting.
func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }
