package agent

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestViewImage: view_image attaches a local image after the call's
// output, as a user message the next request carries; anything that is
// not an image file is refused in the output, with nothing attached.
func TestViewImage(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{
			modelserver.FunctionCall("c1", "view_image", map[string]any{"path": "shot.png"}),
			modelserver.FunctionCall("c2", "view_image", map[string]any{"path": "notes.txt"}),
			modelserver.FunctionCall("c3", "view_image", map[string]any{"path": "missing.png"}),
			modelserver.FunctionCall("c4", "view_image", map[string]any{"path": "."}),
		}},
		{Items: []json.RawMessage{modelserver.Message("a grey square")}},
	}, func(cfg *SessionConfig) { cfg.Tools.ViewImage = true })
	if err := os.WriteFile(filepath.Join(h.dir, "shot.png"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "notes.txt"), []byte("not a picture\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.turn("what is in shot.png?", nil)
	in := h.requestInput(1)
	for _, tc := range []struct{ call, want string }{
		{"c1", "attached local image path"},
		{"c2", "is not an image (text/plain; charset=utf-8)"},
		{"c3", "unable to locate image at `" + filepath.Join(h.dir, "missing.png") + "`"},
		{"c4", "is not a file"},
	} {
		if got := outputOf(t, in, tc.call); !strings.Contains(got, tc.want) {
			t.Errorf("%s: output %q, want %q", tc.call, got, tc.want)
		}
	}
	last := in[len(in)-1]
	want := "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
	if last.Role != "user" || len(last.Content) != 1 || last.Content[0].Type != "input_image" || last.Content[0].ImageURL != want {
		t.Errorf("last input item = %+v, want the image as a user message", last)
	}
	if in[len(in)-2].Type != "function_call_output" {
		t.Errorf("the image does not follow the outputs: %+v", in[len(in)-2])
	}
}
