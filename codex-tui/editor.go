package tui

import (
	"os"
	"os/exec"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// Ctrl+G hands the draft to $VISUAL / $EDITOR and takes the edited text
// back, for prompts too long to write in the composer.

type (
	editorReadyMsg struct {
		path string
		err  error
	}
	editorDoneMsg struct {
		text string
		err  error
	}
)

// editorCommand is the editor to run: $VISUAL, else $EDITOR, else vi. The
// value may carry arguments ("code --wait").
func editorCommand(getenv func(string) string) string {
	for _, k := range []string{"VISUAL", "EDITOR"} {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
	}
	return "vi"
}

// openEditor writes the draft to a temporary file (in a command).
func (m *model) openEditor() tea.Cmd {
	draft := m.comp.Value()
	return func() tea.Msg {
		f, err := os.CreateTemp("", "codex-prompt-*.md")
		if err != nil {
			return editorReadyMsg{err: err}
		}
		_, werr := f.WriteString(draft)
		cerr := f.Close()
		if werr != nil {
			return editorReadyMsg{err: werr}
		}
		return editorReadyMsg{path: f.Name(), err: cerr}
	}
}

// runEditor suspends the UI, runs the editor on path, then reads the file
// back and removes it.
func (m *model) runEditor(path string) tea.Cmd {
	fields := strings.Fields(m.env.editor)
	if len(fields) == 0 {
		fields = []string{"vi"}
	}
	cmd := exec.Command(fields[0], append(fields[1:], path)...)
	// The terminal itself, not the program's filtered view of it (which is
	// no *os.File: exec would copy from it in a goroutine that never ends).
	if m.env.tty != nil {
		cmd.Stdin = m.env.tty
	}
	return execWithWrap(cmd, func(err error) tea.Msg { return readEdited(path, err) })
}

func readEdited(path string, runErr error) tea.Msg {
	defer func() { _ = os.Remove(path) }()
	if runErr != nil {
		return editorDoneMsg{err: runErr}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return editorDoneMsg{err: err}
	}
	return editorDoneMsg{text: strings.TrimRight(string(b), "\n")}
}
