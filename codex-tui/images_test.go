package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/protocol"
)

// TestImagesGoWithTheFirstMessage: -i images are attached to the next
// message only, shown by name in the transcript.
func TestImagesGoWithTheFirstMessage(t *testing.T) {
	h := newHarness(t)
	h.m.images = []string{"/pics/shot.png"}
	h.typeText("what is this?")
	h.keys("enter")
	h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", protocol.TaskCompleteMsg{}))
	h.typeText("and now?")
	h.keys("enter")
	ops := h.conn.ops()
	want := []protocol.Op{
		protocol.UserInputOp{Items: []protocol.InputItem{{Type: "text", Text: "what is this?"}, {Type: "local_image", Path: "/pics/shot.png"}}},
		protocol.UserInputOp{Items: []protocol.InputItem{{Type: "text", Text: "and now?"}}},
	}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("ops = %#v\nwant %#v", ops, want)
	}
	if p := h.printed(); strings.Count(p, "[image: shot.png]") != 1 {
		t.Errorf("transcript:\n%s", p)
	}
}

func TestCheckImages(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "a.png")
	if err := os.WriteFile(img, []byte("\x89PNG"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	got, err := checkImages([]string{"a.png"})
	if err != nil || !reflect.DeepEqual(got, []string{img}) {
		t.Errorf("checkImages(a.png) = %v, %v; want %s", got, err, img)
	}
	for _, bad := range []string{"missing.png", "."} {
		if _, err := checkImages([]string{bad}); err == nil || !strings.Contains(err.Error(), "image "+bad) {
			t.Errorf("checkImages(%s) = %v, want an error naming it", bad, err)
		}
	}
}

func TestPastedImage(t *testing.T) {
	dir := t.TempDir()
	spaced := filepath.Join(dir, "my shot.PNG")
	plain := filepath.Join(dir, "a.png")
	text := filepath.Join(dir, "notes.txt")
	for _, p := range []string{spaced, plain, text} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		paste string
		want  string // "" not an image path
	}{
		{plain, plain},
		{"  " + plain + "\n", plain},
		{"'" + spaced + "'", spaced},
		{strings.ReplaceAll(spaced, " ", `\ `), spaced},
		{"file://" + strings.ReplaceAll(spaced, " ", "%20"), spaced},
		{"a.png", ""},                     // relative: a word, not a dropped file
		{text, ""},                        // not an image
		{filepath.Join(dir, "b.png"), ""}, // missing
		{plain + "\n" + plain, ""},        // two lines
		{dir, ""},
	} {
		got, ok := pastedImage(tc.paste)
		if (tc.want == "") == ok || got != tc.want {
			t.Errorf("pastedImage(%q) = %q, %v; want %q", tc.paste, got, ok, tc.want)
		}
	}
}

// TestPasteImageIntoComposer: a pasted image path becomes a placeholder
// and goes with the message as an image; one deleted before sending does
// not.
func TestPasteImageIntoComposer(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t)
	h.typeText("compare ")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(b), Paste: true})
	h.typeText(" with ")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(a), Paste: true})
	if v := h.m.comp.Value(); v != "compare [image: b.png] with [image: a.png]" {
		t.Fatalf("draft = %q", v)
	}
	h.keys("backspace") // the last placeholder goes whole
	h.keys("enter")
	ops := h.conn.ops()
	want := []protocol.Op{protocol.UserInputOp{Items: []protocol.InputItem{
		{Type: "text", Text: "compare [image: b.png] with "}, {Type: "local_image", Path: b}}}}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("ops = %#v\nwant %#v", ops, want)
	}
	if p := h.printed(); strings.Count(p, "[image: b.png]") != 1 {
		t.Errorf("transcript:\n%s", p)
	}
}

// FuzzPastedImage: any paste is either not an image path or the absolute
// path of an existing image file.
func FuzzPastedImage(f *testing.F) {
	dir := f.TempDir()
	img := filepath.Join(dir, "x y.png")
	if err := os.WriteFile(img, []byte("x"), 0o644); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{img, "'" + img + "'", "file://" + img, "~/a.png", `\ `, "''", "file://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := pastedImage(s)
		if !ok {
			return
		}
		if fi, err := os.Stat(p); !filepath.IsAbs(p) || err != nil || !fi.Mode().IsRegular() {
			t.Errorf("pastedImage(%q) = %q: not an existing file", s, p)
		}
	})
}
