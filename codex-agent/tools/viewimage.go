package tools

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/codexgo/codex-agent/model"
)

// maxImageBytes bounds what view_image attaches.
const maxImageBytes = 20 << 20

// viewImage attaches the image at path (relative to the turn's working
// directory) for the model to see: it is added after the call's output as
// a user message with the image, as the Codex CLI does, and the output
// says so. Any readable file may be asked for (reading is never
// sandboxed), but only images of at most 20 MiB are attached.
func (s *Registry) viewImage(cfg Turn, path string) string {
	if !filepath.IsAbs(path) {
		path = filepath.Join(cfg.Cwd, path)
	}
	path = filepath.Clean(path)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("unable to locate image at `%s`: %v", path, err)
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return fmt.Sprintf("unable to read image at `%s`: %v", path, err)
	case !fi.Mode().IsRegular():
		return fmt.Sprintf("image path `%s` is not a file", path)
	case fi.Size() > maxImageBytes:
		return fmt.Sprintf("image at `%s` is %d bytes, over the %d MiB limit", path, fi.Size(), maxImageBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxImageBytes+1))
	if err != nil {
		return fmt.Sprintf("unable to read image at `%s`: %v", path, err)
	}
	if len(data) > maxImageBytes {
		return fmt.Sprintf("image at `%s` is over the %d MiB limit", path, maxImageBytes>>20)
	}
	typ := http.DetectContentType(data)
	if !strings.HasPrefix(typ, "image/") {
		return fmt.Sprintf("`%s` is not an image (%s)", path, typ)
	}
	s.mu.Lock()
	s.injected = append(s.injected, model.Item{Type: "message", Role: "user",
		Content: []model.ContentPart{{Type: "input_image", ImageURL: DataURL(typ, data)}}})
	s.mu.Unlock()
	return "attached local image path"
}
