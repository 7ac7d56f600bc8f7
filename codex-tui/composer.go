package tui

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// pasteThreshold is the paste size (in characters) above which a paste is
// shown as a placeholder and substituted back on submit.
const pasteThreshold = 1000

// composerMaxRows bounds the composer's height so the live area stays
// shorter than the terminal.
const composerMaxRows = 10

// composer is the prompt editor: a multi-line text area where Enter sends
// and Ctrl+J / Alt+Enter insert a newline, with prompt history and large
// pastes collapsed to placeholders.
type composer struct {
	ta      textarea.Model
	th      *theme
	history *promptHistory
	pastes  map[string]string // placeholder -> pasted text
	nPastes int
	// images are pasted image paths: placeholder -> absolute path (a
	// file dragged into the terminal pastes its path).
	images map[string]string
	// scrolled: the draft was as tall as the text area, which may have
	// scrolled to follow the cursor.
	scrolled bool
}

func newComposer(th *theme, h *promptHistory) *composer {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = ""
	ta.CharLimit = 0
	ta.MaxHeight = 1000
	ta.MaxWidth = 0
	ta.Placeholder = "Ask Codex to do anything"
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("ctrl+j", "alt+enter"))
	ta.Cursor.SetMode(cursor.CursorStatic)
	focused, blurred := textarea.DefaultStyles()
	focused.CursorLine = th.r.NewStyle()
	focused.Base = th.r.NewStyle()
	focused.Placeholder = th.dim
	focused.Text = th.text
	ta.FocusedStyle, ta.BlurredStyle = focused, blurred
	ta.EndOfBufferCharacter = eob
	ta.Focus()
	ta.SetHeight(composerMaxRows)
	return &composer{ta: ta, th: th, history: h, pastes: map[string]string{}, images: map[string]string{}}
}

// Value is the draft as typed (placeholders not expanded).
func (c *composer) Value() string { return c.ta.Value() }

// Empty reports whether the draft is empty.
func (c *composer) Empty() bool { return c.ta.Value() == "" }

// SetValue replaces the draft and puts the cursor at its end.
func (c *composer) SetValue(s string) {
	c.ta.SetValue(s)
	c.ta.CursorEnd()
}

// Insert types s at the cursor.
func (c *composer) Insert(s string) { c.ta.InsertString(s) }

// Clear empties the draft and forgets its pastes.
func (c *composer) Clear() {
	c.ta.Reset()
	c.pastes = map[string]string{}
	c.images = map[string]string{}
}

// Take returns the draft with pasted placeholders expanded, and the
// pasted images whose placeholder is still in it (in the draft's order),
// and clears it. Image placeholders stay in the text: they say where the
// image was meant to go.
func (c *composer) Take() (string, []string) {
	text := c.ta.Value()
	type at struct {
		i    int
		path string
	}
	var found []at
	for ph, path := range c.images {
		if i := strings.Index(text, ph); i >= 0 {
			found = append(found, at{i, path})
		}
	}
	sort.Slice(found, func(a, b int) bool { return found[a].i < found[b].i })
	images := make([]string, 0, len(found))
	for _, f := range found {
		images = append(images, f.path)
	}
	for ph, full := range c.pastes {
		text = strings.ReplaceAll(text, ph, full)
	}
	c.Clear()
	return text, images
}

// Paste inserts pasted text; a large paste becomes a placeholder so the
// composer stays small.
func (c *composer) Paste(s string) {
	if path, ok := pastedImage(s); ok {
		ph := "[image: " + filepath.Base(path) + "]"
		for n := 2; c.images[ph] != "" && c.images[ph] != path; n++ {
			ph = fmt.Sprintf("[image: %s #%d]", filepath.Base(path), n)
		}
		c.images[ph] = path
		c.ta.InsertString(ph)
		return
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if n := len([]rune(s)); n > pasteThreshold {
		c.nPastes++
		ph := fmt.Sprintf("[Pasted Content %d chars]", n)
		if _, dup := c.pastes[ph]; dup {
			ph = fmt.Sprintf("[Pasted Content %d chars #%d]", n, c.nPastes)
		}
		c.pastes[ph] = s
		c.ta.InsertString(ph)
		return
	}
	c.ta.InsertString(s)
}

// HandleKey edits the draft. Up on the first line and Down on the last
// walk the prompt history.
func (c *composer) HandleKey(msg tea.KeyMsg) tea.Cmd {
	if msg.Paste {
		c.Paste(string(msg.Runes))
		return nil
	}
	if msg.Type == tea.KeyRunes && !msg.Alt {
		// Text is inserted as it is: the text area's key bindings match
		// on String(), which for a run of typed runes ("end", "up") is
		// the text itself (see keyName).
		c.ta.InsertString(string(msg.Runes))
		return nil
	}
	switch msg.Type {
	case tea.KeyUp:
		if c.ta.Line() == 0 {
			if s, ok := c.history.Prev(c.ta.Value()); ok {
				c.SetValue(s)
			}
			return nil
		}
	case tea.KeyDown:
		if c.ta.Line() == c.ta.LineCount()-1 {
			if s, ok := c.history.Next(); ok {
				c.SetValue(s)
			}
			return nil
		}
	case tea.KeyBackspace:
		// A placeholder goes as a whole, as if it were one character.
		if c.deletePlaceholderBeforeCursor() {
			return nil
		}
	}
	var cmd tea.Cmd
	c.ta, cmd = c.ta.Update(msg)
	return cmd
}

// deletePlaceholderBeforeCursor removes a paste placeholder that ends at
// the cursor, when the cursor is at the end of the draft.
func (c *composer) deletePlaceholderBeforeCursor() bool {
	v := c.ta.Value()
	li := c.ta.LineInfo()
	atEnd := c.ta.Line() == c.ta.LineCount()-1 && li.StartColumn+li.ColumnOffset >= len([]rune(lastLine(v)))
	if !atEnd {
		return false
	}
	for ph := range c.pastes {
		if strings.HasSuffix(v, ph) {
			delete(c.pastes, ph)
			c.SetValue(strings.TrimSuffix(v, ph))
			return true
		}
	}
	for ph := range c.images {
		if strings.HasSuffix(v, ph) {
			delete(c.images, ph)
			c.SetValue(strings.TrimSuffix(v, ph))
			return true
		}
	}
	return false
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// eob marks the text area's padding rows (its end-of-buffer character),
// so View can tell them from rows of text; a private-use character, never
// typed.
const eob = '\uE000'

// View renders the composer for width columns: a prompt marker and the
// text area, as tall as its content up to composerMaxRows. The text area
// is always composerMaxRows high, so it scrolls only when the draft is
// taller than that (growing it after the fact would leave the rows above
// the cursor scrolled away); its padding rows are cut here.
func (c *composer) View(width int) string {
	w := max(width-2, 4)
	if c.ta.Width() != w {
		c.ta.SetWidth(w)
	}
	rows := c.rows()
	if rows < composerMaxRows && c.scrolled {
		// The draft shrank below the height after it had scrolled: show
		// it from the top again.
		c.rewind()
		rows = c.rows()
	}
	c.scrolled = rows >= composerMaxRows
	lines := strings.Split(c.ta.View(), "\n")
	lines = lines[:min(max(rows, 1), len(lines))]
	return indent(strings.Join(lines, "\n"), c.th.accent.Render("›")+" ", "  ")
}

// rows counts the rows of text the text area shows (up to its height).
func (c *composer) rows() int {
	lines := strings.Split(c.ta.View(), "\n")
	n := 0
	for _, l := range lines {
		if strings.TrimSpace(ansi.Strip(l)) == string(eob) {
			break
		}
		n++
	}
	return n
}

// rewind scrolls the text area back to its top, keeping the cursor where
// it is (the text area scrolls only to follow the cursor, never back).
func (c *composer) rewind() {
	li := c.ta.LineInfo()
	row, col := c.ta.Line(), li.StartColumn+li.ColumnOffset
	c.ta.SetValue(c.ta.Value()) // back to the top, cursor at the end
	for c.ta.Line() > row {
		c.ta.CursorUp()
	}
	c.ta.SetCursor(col)
}
