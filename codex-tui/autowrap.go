package tui

import (
	"io"
	"os/exec"

	tea "github.com/charmbracelet/bubbletea"
)

// The live area is drawn with the terminal's automatic wrap off (DECAWM).
//
// bubbletea redraws the live area by moving the cursor up as many rows as
// the last frame had lines. A frame drawn for the width the terminal had
// a moment ago (the resize signal is handled after the terminal changed)
// has lines wider than the terminal: with wrap on they take two or three
// rows each, the cursor ends below where bubbletea thinks it is, and the
// next redraw leaves the frame's top rows behind in the scrollback (a
// stale answer line, a second footer). With wrap off such a line is cut
// at the margin: one line is one row, whatever the terminal's width.
//
// Printed transcript cells are wrapped by the terminal as before (wrap on
// around them: nothing printed is ever cut), and wrap is on again
// whenever the program leaves the terminal (exit, suspend, editor).
const (
	autowrapOff = "\x1b[?7l"
	autowrapOn  = "\x1b[?7h"
)

// wrapPrinted lets the terminal wrap a printed chunk, then turns wrap off
// again for the frame that follows it.
func wrapPrinted(s string) string { return autowrapOn + s + autowrapOff }

// restoreAutowrap turns wrap on for whoever uses the terminal next.
func restoreAutowrap(w io.Writer) {
	if w != nil {
		_, _ = io.WriteString(w, autowrapOn)
	}
}

// wrapOnExec runs a command (the editor) with the terminal's wrap on; the
// redraw after it turns it off again.
type wrapOnExec struct {
	cmd *exec.Cmd
	out io.Writer
}

func (w *wrapOnExec) SetStdin(r io.Reader) {
	if w.cmd.Stdin == nil {
		w.cmd.Stdin = r
	}
}

func (w *wrapOnExec) SetStdout(o io.Writer) {
	w.out = o
	if w.cmd.Stdout == nil {
		w.cmd.Stdout = o
	}
}

func (w *wrapOnExec) SetStderr(o io.Writer) {
	if w.cmd.Stderr == nil {
		w.cmd.Stderr = o
	}
}

func (w *wrapOnExec) Run() error {
	restoreAutowrap(w.out)
	return w.cmd.Run()
}

// execWithWrap is tea.ExecProcess with the terminal's wrap on.
func execWithWrap(cmd *exec.Cmd, fn tea.ExecCallback) tea.Cmd {
	return tea.Exec(&wrapOnExec{cmd: cmd}, fn)
}
