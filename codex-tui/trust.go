package tui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/atomicfile"
	"github.com/codexgo/common/config"
)

// projectRoot is the directory trust is recorded for: the root of the git
// work tree holding dir, else dir itself.
func projectRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

func isGitRepo(dir string) bool { return exists(filepath.Join(projectRoot(dir), ".git")) }

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// setTrustLevel records projects."<root>".trust_level in config.toml. The
// file is edited as text, so the user's comments and layout survive: the
// key is added under an existing [projects."<root>"] table, or a new
// table is appended. The write is atomic.
func setTrustLevel(configPath, root, level string) error {
	data, err := os.ReadFile(configPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("record trust: %w", err)
	}
	text := string(data)
	header := "[projects." + tomlString(root) + "]"
	entry := "trust_level = " + tomlString(level)
	lines := strings.Split(text, "\n")
	done := false
	for i, l := range lines {
		if strings.TrimSpace(l) != header {
			continue
		}
		// Replace an existing trust_level inside this table, else insert.
		j := i + 1
		for ; j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), "["); j++ {
			if k, _, ok := strings.Cut(lines[j], "="); ok && strings.TrimSpace(k) == "trust_level" {
				lines[j] = entry
				done = true
				break
			}
		}
		if !done {
			lines = append(lines[:i+1], append([]string{entry}, lines[i+1:]...)...)
			done = true
		}
		break
	}
	if done {
		text = strings.Join(lines, "\n")
	} else {
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		if text != "" {
			text += "\n"
		}
		text += header + "\n" + entry + "\n"
	}
	// A text edit cannot understand every TOML document (a header inside a
	// multi-line string, a table defined inline elsewhere): check the
	// result and refuse rather than write a file that says otherwise.
	cfg, err := config.Parse(configPath, []byte(text), config.Options{})
	if err != nil {
		return fmt.Errorf("record trust in %s: edited file would not parse: %w", configPath, err)
	}
	if got := cfg.Projects[root].TrustLevel; got != level {
		return fmt.Errorf("record trust in %s: projects.%s is defined in a form this editor cannot change", configPath, tomlString(root))
	}
	if err := os.MkdirAll(filepath.Dir(configPath), 0o700); err != nil {
		return fmt.Errorf("record trust: %w", err)
	}
	if err := atomicfile.WriteFile(configPath, []byte(text), 0o600); err != nil {
		return fmt.Errorf("record trust: %w", err)
	}
	return nil
}

// trustPrompt asks whether Codex may work in a directory without asking.
type trustPrompt struct {
	th      *theme
	dir     string
	git     bool
	sel     int // 0 trust, 1 require approval
	decided bool
	quit    bool
	width   int
}

func newTrustPrompt(th *theme, dir string, git bool) *trustPrompt {
	t := &trustPrompt{th: th, dir: dir, git: git, width: 80}
	if !git {
		t.sel = 1 // outside a repository, default to asking
	}
	return t
}

func (t *trustPrompt) Init() tea.Cmd { return nil }

func (t *trustPrompt) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		t.width = msg.Width
	case tea.KeyMsg:
		switch keyName(msg) {
		case "up", "k":
			t.sel = 0
		case "down", "j":
			t.sel = 1
		case "1", "y":
			t.sel, t.decided = 0, true
		case "2", "n":
			t.sel, t.decided = 1, true
		case "enter":
			t.decided = true
		case "ctrl+c", "ctrl+d", "q", "esc":
			t.quit = true
		}
		if t.decided || t.quit {
			return t, tea.Quit
		}
	}
	return t, nil
}

func (t *trustPrompt) View() string {
	if t.decided || t.quit {
		return ""
	}
	th := t.th
	w := innerWidth(t.width, 2)
	lines := []string{
		th.bold.Render("> You are running Codex in ") + truncate(t.dir, max(w-27, 10)),
		"",
		wrapPlain("Since this folder is version controlled, you may wish to allow Codex to work in this folder without asking for approval.", w),
	}
	if !t.git {
		lines[2] = wrapPlain("Since this folder is not version controlled, we recommend requiring approval of all edits and commands.", w)
	}
	lines = append(lines, "")
	opts := []string{"Yes, allow Codex to work in this folder without asking for approval", "No, ask me to approve edits and commands"}
	for i, o := range opts {
		label := truncate(fmt.Sprintf("%d. %s", i+1, o), w-2)
		if i == t.sel {
			lines = append(lines, th.selected.Render("› "+label))
		} else {
			lines = append(lines, "  "+label)
		}
	}
	lines = append(lines, "", th.dim.Render("Press Enter to continue"))
	return "\n" + indent(strings.Join(lines, "\n"), "  ", "  ") + "\n"
}

// runTrustPrompt shows the trust question inline and returns the answer.
func runTrustPrompt(ctx context.Context, o Options, th *theme, dir string) (trusted, quit bool, err error) {
	t := newTrustPrompt(th, dir, isGitRepo(dir))
	p := tea.NewProgram(t, tea.WithContext(ctx), inputOption(o.Stdin), tea.WithOutput(o.Stdout))
	if _, err := p.Run(); err != nil {
		return false, true, fmt.Errorf("terminal: %w", err)
	}
	return t.sel == 0, t.quit, nil
}
