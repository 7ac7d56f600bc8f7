package tui

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/rollout"
)

// sessionInfo is one saved session (rollout file) for the resume picker.
type sessionInfo struct {
	path   string
	id     string
	time   time.Time // started
	used   time.Time // last written (the rollout's modification time)
	prompt string    // first user message
}

// rolloutLine is the envelope of every rollout line.
type rolloutLine struct {
	Timestamp string          `json:"timestamp"`
	Type      string          `json:"type"`
	Payload   json.RawMessage `json:"payload"`
}

// readSessionInfo reads the session id, start time and first user prompt
// from the head of a rollout file.
func readSessionInfo(path string) (sessionInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return sessionInfo{path: path}, err
	}
	defer func() { _ = f.Close() }()
	info, err := parseRollout(f)
	info.path = path
	if fi, err := f.Stat(); err == nil {
		info.used = fi.ModTime()
	}
	if info.time.IsZero() {
		info.time = info.used
	}
	return info, err
}

// injectedContext reports whether a user message is one of the blocks
// Codex sends ahead of the user's own words (the AGENTS.md instructions,
// the environment context, user instructions), which no session is
// named after.
func injectedContext(t string) bool {
	return strings.HasPrefix(t, "<") || strings.HasPrefix(t, "# AGENTS.md instructions")
}

// parseRollout reads the session id, start time and first user prompt
// from the head of a rollout; lines it cannot read are skipped.
func parseRollout(r io.Reader) (sessionInfo, error) {
	var info sessionInfo
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	for n := 0; sc.Scan() && n < 200 && info.prompt == ""; n++ {
		var l rolloutLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		switch l.Type {
		case "session_meta":
			var meta struct {
				ID        string `json:"id"`
				Timestamp string `json:"timestamp"`
			}
			if json.Unmarshal(l.Payload, &meta) == nil {
				info.id = meta.ID
				if t, err := time.Parse(time.RFC3339Nano, meta.Timestamp); err == nil {
					info.time = t
				}
			}
		case "response_item":
			var item struct {
				Type    string `json:"type"`
				Role    string `json:"role"`
				Content []struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"content"`
			}
			if json.Unmarshal(l.Payload, &item) != nil || item.Role != "user" {
				continue
			}
			for _, c := range item.Content {
				t := strings.TrimSpace(c.Text)
				if c.Type == "input_text" && t != "" && !injectedContext(t) {
					info.prompt = t
					break
				}
			}
		}
	}
	return info, sc.Err()
}

// listSessions returns up to limit sessions under dir (the
// sessions/YYYY/MM/DD tree), the last used first (a resumed old session
// is the last used, not the newest started). A missing dir is no
// sessions.
func listSessions(dir string, limit int) ([]sessionInfo, error) {
	paths, err := rollout.Files(dir)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	used := make(map[string]time.Time, len(paths))
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			used[p] = fi.ModTime()
		}
	}
	sort.SliceStable(paths, func(i, j int) bool { return used[paths[i]].After(used[paths[j]]) })
	if len(paths) > limit {
		paths = paths[:limit]
	}
	var out []sessionInfo
	for _, p := range paths {
		info, err := readSessionInfo(p)
		if err != nil {
			continue // an unreadable rollout is not offered
		}
		out = append(out, info)
	}
	return out, nil
}

// findSession resolves a session id (or a path) to its rollout file.
func findSession(sessions []sessionInfo, id string) (string, error) {
	if strings.HasSuffix(id, ".jsonl") && exists(id) {
		return id, nil
	}
	for _, s := range sessions {
		if s.id == id || strings.Contains(filepath.Base(s.path), id) {
			return s.path, nil
		}
	}
	return "", fmt.Errorf("no saved session %q", id)
}

// relativeTime prints "just now", "5 minutes ago", "3 hours ago", "2 days ago".
func relativeTime(t, now time.Time) string {
	d := now.Sub(t)
	unit := func(n int, s string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s ago", s)
		}
		return fmt.Sprintf("%d %ss ago", n, s)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return unit(int(d.Minutes()), "minute")
	case d < 24*time.Hour:
		return unit(int(d.Hours()), "hour")
	}
	return unit(int(d.Hours()/24), "day")
}

// resumePicker lists saved sessions; typing filters by first prompt.
type resumePicker struct {
	th            *theme
	now           func() time.Time
	all, shown    []sessionInfo
	filter        string
	sel           int
	width, height int
	picked        string
	done, quit    bool
}

func newResumePicker(th *theme, now func() time.Time, sessions []sessionInfo) *resumePicker {
	return &resumePicker{th: th, now: now, all: sessions, shown: sessions, width: 80, height: 24}
}

func (r *resumePicker) refilter() {
	r.shown = nil
	for _, s := range r.all {
		if strings.Contains(strings.ToLower(s.prompt), strings.ToLower(r.filter)) {
			r.shown = append(r.shown, s)
		}
	}
	r.sel = min(r.sel, max(len(r.shown)-1, 0))
}

// HandleKey: Enter resumes, Esc starts a new session, Ctrl+C quits.
func (r *resumePicker) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	switch msg.Type {
	case tea.KeyCtrlC:
		r.quit = true
		return true, nil
	case tea.KeyEsc:
		r.done = true
		return true, nil
	case tea.KeyEnter:
		if len(r.shown) > 0 {
			r.picked = r.shown[r.sel].path
		}
		r.done = true
		return true, nil
	case tea.KeyUp:
		r.sel = max(r.sel-1, 0)
	case tea.KeyDown:
		r.sel = min(r.sel+1, max(len(r.shown)-1, 0))
	case tea.KeyBackspace:
		if f := []rune(r.filter); len(f) > 0 {
			r.filter = string(f[:len(f)-1])
			r.refilter()
		}
	case tea.KeyRunes, tea.KeySpace:
		r.filter += string(msg.Runes)
		r.refilter()
	}
	return false, nil
}

func (r *resumePicker) HandleMouse(msg tea.MouseMsg) tea.Cmd {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		r.sel = max(r.sel-1, 0)
	case tea.MouseButtonWheelDown:
		r.sel = min(r.sel+1, max(len(r.shown)-1, 0))
	}
	return nil
}

func (r *resumePicker) View(p *painter, width, height int) string {
	th := p.th
	lines := []string{th.bold.Render("Resume a previous session"), th.dim.Render("Type to search: ") + r.filter, ""}
	rows := max(height-5, 1)
	start := 0
	if r.sel >= rows {
		start = r.sel - rows + 1
	}
	if len(r.shown) == 0 {
		lines = append(lines, th.dim.Render("No sessions found"))
	}
	for i := start; i < min(start+rows, len(r.shown)); i++ {
		s := r.shown[i]
		used := s.used
		if used.IsZero() {
			used = s.time
		}
		when := fmt.Sprintf("%-16s", relativeTime(used, r.now()))
		prompt := strings.ReplaceAll(s.prompt, "\n", " ")
		if prompt == "" {
			prompt = "(no message yet)"
		}
		line := truncate(when+"  "+prompt, width-2)
		if i == r.sel {
			lines = append(lines, th.selected.Render("› "+line))
		} else {
			lines = append(lines, "  "+line)
		}
	}
	for len(lines) < height-1 {
		lines = append(lines, "")
	}
	lines = append(lines, th.dim.Render(truncate("enter resume · esc new session · ctrl+c quit · ↑/↓ browse", width)))
	return strings.Join(lines, "\n")
}

// pickerProgram adapts an overlay to a standalone program (the picker of
// `codex resume`, shown before any session exists).
type pickerProgram struct {
	o             *resumePicker
	p             *painter
	width, height int
}

func (pp *pickerProgram) Init() tea.Cmd { return nil }

func (pp *pickerProgram) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		pp.width, pp.height = msg.Width, msg.Height
	case tea.KeyMsg:
		if done, _ := pp.o.HandleKey(msg); done {
			return pp, tea.Quit
		}
	case tea.MouseMsg:
		pp.o.HandleMouse(msg)
	}
	return pp, nil
}

func (pp *pickerProgram) View() string {
	return pp.o.View(pp.p, max(pp.width, 20), max(pp.height, 5))
}

// runResumePicker shows the picker on the alternate screen; picked is ""
// when the user chose a new session.
func runResumePicker(ctx context.Context, o Options, th *theme, sessions []sessionInfo) (picked string, quit bool, err error) {
	rp := newResumePicker(th, o.Now, sessions)
	pp := &pickerProgram{o: rp, p: &painter{th: th, md: newMarkdown(th)}, width: 80, height: 24}
	p := tea.NewProgram(pp, tea.WithContext(ctx), inputOption(o.Stdin), tea.WithOutput(o.Stdout), tea.WithAltScreen(), tea.WithMouseCellMotion())
	if _, err := p.Run(); err != nil {
		return "", true, fmt.Errorf("terminal: %w", err)
	}
	return rp.picked, rp.quit, nil
}

// openResumePicker is /resume inside a session: the sessions are listed
// by a command, then the picker opens as an overlay.
func (m *model) openResumePicker() tea.Cmd {
	if m.env.codexHome == "" {
		m.print(noticeCell{"error", "no CODEX_HOME: no saved sessions"})
		return nil
	}
	dir := filepath.Join(m.env.codexHome, "sessions")
	return func() tea.Msg {
		s, err := listSessions(dir, 200)
		return sessionsMsg{sessions: s, err: err}
	}
}

type sessionsMsg struct {
	sessions []sessionInfo
	err      error
}
