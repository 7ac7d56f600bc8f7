package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// TestImagesGoWithTheFirstMessage: -i images are attached to the next
// message only, shown by name in the transcript.
func TestImagesGoWithTheFirstMessage(t *testing.T) {
	h := newHarness(t)
	h.m.images = []string{"/pics/shot.png"}
	h.typeText("what is this?")
	h.keys("enter")
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
