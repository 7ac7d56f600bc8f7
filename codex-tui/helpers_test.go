package tui

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/codexgo/common/protocol"
	"github.com/muesli/termenv"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeConn records submissions; tests feed events to the model directly.
type fakeConn struct {
	mu     sync.Mutex
	sent   []protocol.Submission
	events chan protocol.Event
}

func newFakeConn() *fakeConn { return &fakeConn{events: make(chan protocol.Event, 1024)} }

func (c *fakeConn) Send(s protocol.Submission) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, s)
	return nil
}

func (c *fakeConn) Events() <-chan protocol.Event { return c.events }

// ops returns the ops sent so far and forgets them.
func (c *fakeConn) ops() []protocol.Op {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []protocol.Op
	for _, s := range c.sent {
		out = append(out, s.Op)
	}
	c.sent = nil
	return out
}

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }
func asciiTheme() *theme                 { return newTheme(termenv.Ascii, true) }
func stripped(s string) string           { return ansi.Strip(s) }
func testPainter(th *theme) *painter     { return &painter{th: th, md: newMarkdown(th)} }

type harness struct {
	t    *testing.T
	m    *model
	conn *fakeConn
	clk  *clock
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	clk := newClock()
	conn := newFakeConn()
	e := env{now: clk.now, cwd: t.TempDir(), version: "0.0.0-test"}
	m := newModel(e, conn, asciiTheme())
	h := &harness{t: t, m: m, conn: conn, clk: clk}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return h
}

func (h *harness) send(msg tea.Msg) tea.Cmd {
	_, cmd := h.m.Update(msg)
	return cmd
}

// events feeds agent events as one pump batch.
func (h *harness) events(evs ...protocol.Event) {
	h.send(eventsMsg{conn: h.m.conn, evs: evs})
}

func ev(id string, m protocol.Msg) protocol.Event { return protocol.Event{ID: id, Msg: m} }

// keys presses keys one by one, a second apart (outside any grace period).
func (h *harness) keys(ks ...string) {
	for _, k := range ks {
		h.clk.advance(time.Second)
		h.send(keyMsg(k))
	}
}

// typeText types s rune by rune.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.clk.advance(10 * time.Millisecond)
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func keyMsg(s string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "ctrl+c": tea.KeyCtrlC, "ctrl+d": tea.KeyCtrlD,
		"ctrl+j": tea.KeyCtrlJ, "up": tea.KeyUp, "down": tea.KeyDown, "tab": tea.KeyTab,
		"backspace": tea.KeyBackspace, "ctrl+t": tea.KeyCtrlT, "ctrl+u": tea.KeyCtrlU, "shift+tab": tea.KeyShiftTab,
	}
	if t, ok := types[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// printed is the transcript as plain text.
func (h *harness) printed() string {
	var parts []string
	for _, c := range h.m.transcript {
		parts = append(parts, stripped(c.Render(h.m.p, 80)))
	}
	return strings.Join(parts, "\n")
}

func (h *harness) view() string { return stripped(h.m.View()) }

// golden compares got with testdata/golden/<name>.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden file\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// run executes cmd and every command nested in batches and sequences
// (tea's sequence type is unexported, hence reflection) and returns the
// messages. Only for commands that do not block.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		var out []tea.Msg
		for i := 0; i < v.Len(); i++ {
			out = append(out, run(v.Index(i).Interface().(tea.Cmd))...)
		}
		return out
	}
	return []tea.Msg{msg}
}
