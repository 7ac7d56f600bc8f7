package tui

import (
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
)

// termInput is the terminal as the program reads it. It passes every read
// through unchanged except for one thing: a carriage return (what Enter
// sends) that more text follows in the same read is turned into a line
// feed (Ctrl+J, the composer's newline). A person cannot press Enter and
// type the next line within one read of the terminal, but a paste into a
// terminal without bracketed paste (or typed over a slow link, or sent by
// a program) arrives exactly like that: without this, each pasted line
// would be sent as its own prompt. A read that ends with Enter still sends
// ("fix the bug⏎" from a script), unless more input is already waiting,
// which means the paste goes on. The translation keeps the length, so no
// byte is ever held back from the reader.
//
// It keeps the file's descriptor visible (Fd, Name), so bubbletea still
// sets raw mode on it and cancels reads with epoll when it hands the
// terminal to an editor or suspends.
type termInput struct{ f *os.File }

func (t termInput) Read(b []byte) (int, error) {
	n, err := t.f.Read(b)
	if n > 1 {
		markPastedNewlines(b[:n], func() bool { return pendingInput(t.f) })
	}
	return n, err
}

func (t termInput) Write(b []byte) (int, error) { return t.f.Write(b) }
func (t termInput) Close() error                { return t.f.Close() }
func (t termInput) Fd() uintptr                 { return t.f.Fd() }
func (t termInput) Name() string                { return t.f.Name() }

// inputOption is the program's input: the terminal through termInput, or
// r as it is (tests, a pipe).
func inputOption(r io.Reader) tea.ProgramOption {
	if f := ttyOf(r); f != nil {
		return tea.WithInput(termInput{f})
	}
	return tea.WithInput(r)
}

// ttyOf is r when it is a terminal, else nil.
func ttyOf(r io.Reader) *os.File {
	if f, ok := r.(*os.File); ok && isTerminal(f) {
		return f
	}
	return nil
}

// markPastedNewlines turns each carriage return of one read that is
// followed by printable text (after any further line ends) into a line
// feed; a trailing one too when the read held text and more is waiting
// (more reports that). Bracketed pastes, escape sequences and a lone
// Enter are left alone: a CR directly before an escape sequence is a key.
func markPastedNewlines(b []byte, more func() bool) {
	text := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\r' {
			if printable(c) {
				text = true
			}
			continue
		}
		j := i + 1
		for j < len(b) && (b[j] == '\r' || b[j] == '\n') {
			j++
		}
		switch {
		case j < len(b) && printable(b[j]):
		case j == len(b) && text && more():
		default:
			continue
		}
		for k := i; k < j; k++ {
			if b[k] == '\r' {
				b[k] = '\n'
			}
		}
		i = j - 1
	}
}

// printable is a byte of text: a printable ASCII character, a tab or part
// of a UTF-8 sequence.
func printable(c byte) bool { return c == '\t' || (c >= 0x20 && c != 0x7f) }
